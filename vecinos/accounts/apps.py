from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vecinos.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from vecinos.accounts import adapter, retention  # noqa: F401  (retention: purge job)
        from vecinos.core import hooks

        hooks.reencrypt.register(adapter.reencrypt_for_rotation)
