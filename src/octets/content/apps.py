from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "octets.content"
    label = "content"
    verbose_name = "Contenu pédagogique"
