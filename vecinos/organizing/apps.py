from django.apps import AppConfig


class OrganizingConfig(AppConfig):
    name = "vecinos.organizing"
    label = "organizing"
    verbose_name = "Organizing: events, trainings, shifts, the hotline"

    def ready(self) -> None:
        # Hooks of the apps below: reminders through the outbox, RSVP answers by SMS,
        # who may be dispatched, the console's on-call panel.
        from vecinos.organizing import hooks, retention  # noqa: F401 - registers its job

        hooks.register()
