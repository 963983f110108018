from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vecinos.core"
    label = "core"
    verbose_name = "Vecinos core"

    def ready(self) -> None:
        from vecinos.core import (
            retention_jobs,  # noqa: F401  (registers the purge job)
            tiles,  # noqa: F401  (registers the tile cache's purge job)
        )
