from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Los Angeles demo network (``vecinos demo``). It sits above every other app:
    it writes through their actions and collects each app's ``<app>/demo.py``."""

    name = "vecinos.demo"
    label = "demo"
    verbose_name = "Vecinos demo network"
