from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "vecinos.alerts"
    label = "alerts"
    verbose_name = "Alerts and subscriptions"
