from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "vecinos.committees"
    label = "committees"
    verbose_name = "Committees"

    def ready(self) -> None:
        from vecinos.committees import retention  # noqa: F401  (registers the purge job)
        from vecinos.committees.actions import end_memberships_of
        from vecinos.core import hooks

        hooks.account_deactivated.register(end_memberships_of)
