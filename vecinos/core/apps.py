from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vecinos.core"
    label = "core"
    verbose_name = "Vecinos core"
