from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "octets.accounts"
    label = "accounts"
    verbose_name = "Comptes"
