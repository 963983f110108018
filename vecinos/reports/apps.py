from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vecinos.reports"
    label = "reports"
    verbose_name = "Reports and incidents"

    def ready(self) -> None:
        from vecinos.core import hooks
        from vecinos.reports import retention, writer  # noqa: F401  (retention: purge job)

        hooks.server_starting.register(writer.start_for_server)
        hooks.web_worker_started.register(writer.start_for_web_worker)
