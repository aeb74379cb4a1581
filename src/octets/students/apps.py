from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "octets.students"
    label = "students"
    verbose_name = "Élèves"

    def ready(self):
        # Job handlers register themselves when their module is imported.
        from octets.students import jobs  # noqa: F401
