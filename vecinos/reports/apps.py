from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vecinos.reports"
    label = "reports"
    verbose_name = "Reports and incidents"

    def ready(self) -> None:
        from vecinos.reports import retention  # noqa: F401  (registers the purge job)
