from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vecinos.api"
    label = "api"
    verbose_name = "JSON API"
