from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "vecinos.alerts"
    label = "alerts"
    verbose_name = "Alerts and subscriptions"

    def ready(self) -> None:
        # Registers the purge job of subscriptions and reporters' numbers.
        from vecinos.alerts import retention_subscriptions  # noqa: F401
