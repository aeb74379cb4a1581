from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "octets.api"
    label = "api"
    verbose_name = "API"
