from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "vecinos.committees"
    label = "committees"
    verbose_name = "Committees"
