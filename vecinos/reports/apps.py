from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vecinos.reports"
    label = "reports"
    verbose_name = "Reports and incidents"
