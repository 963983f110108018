from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "vecinos.alerts"
    label = "alerts"
    verbose_name = "Alerts and subscriptions"

    def ready(self) -> None:
        from vecinos.alerts import retention_subscriptions  # noqa: F401  (purge jobs)
        from vecinos.alerts.subscriptions import disable_subscription
        from vecinos.core import hooks

        # The outbox (delivery, above alerts) gives up on a contact through this hook.
        hooks.delivery_failed_for_good.register(disable_subscription)
