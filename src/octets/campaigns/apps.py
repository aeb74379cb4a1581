from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "octets.campaigns"
    label = "campaigns"
    verbose_name = "Campagnes"

    def ready(self):
        # Job handlers register themselves when their module is imported.
        from octets.campaigns import jobs  # noqa: F401
