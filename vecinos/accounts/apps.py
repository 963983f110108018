from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vecinos.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from vecinos.accounts import retention  # noqa: F401  (registers the purge job)
