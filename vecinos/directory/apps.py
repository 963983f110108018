from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "vecinos.directory"
    label = "directory"
    verbose_name = "Legal-aid directory and hotlines"
