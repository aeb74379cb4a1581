from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "octets.www"
    label = "www"
    verbose_name = "Pages"
