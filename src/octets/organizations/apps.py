from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "octets.organizations"
    label = "organizations"
    verbose_name = "Organisations"
