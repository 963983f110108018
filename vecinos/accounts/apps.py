from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vecinos.accounts"
    label = "accounts"
    verbose_name = "Accounts"
