from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "vecinos.feeds"
    label = "feeds"
    verbose_name = "Feeds"
