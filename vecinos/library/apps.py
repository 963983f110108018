from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "vecinos.library"
    label = "library"
    verbose_name = "Know-your-rights library"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from vecinos.library.shipped import load_after_migrate

        # `vecinos migrate` loads the shipped pages (vecinos/library/content/), not only
        # the demo: a new installation has its library from the first start.
        post_migrate.connect(load_after_migrate, sender=self)
