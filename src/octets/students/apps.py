from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "octets.students"
    label = "students"
    verbose_name = "Élèves"

    def ready(self):
        from django.db.backends.signals import connection_created

        # Job handlers register themselves when their module is imported.
        from octets.students import jobs  # noqa: F401

        connection_created.connect(_register_sqlite_functions)


def _register_sqlite_functions(sender, connection, **kwargs):
    """SQLite learns the name folding the pupils list sorts with (PostgreSQL does it in SQL)."""
    if connection.vendor == "sqlite":
        from octets.students.selectors import fold_name

        connection.connection.create_function("OCTETS_FOLD_NAME", 1, fold_name, deterministic=True)
