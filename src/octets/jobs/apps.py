from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "octets.jobs"
    label = "jobs"
    verbose_name = "Tâches de fond"

    def ready(self):
        # Handlers register themselves when their module is imported.
        from octets.organizations import jobs  # noqa: F401
