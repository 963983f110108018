from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "vecinos.committees"
    label = "committees"
    verbose_name = "Committees"

    def ready(self) -> None:
        from vecinos.accounts.actions import DEACTIVATION_HOOKS
        from vecinos.committees import retention  # noqa: F401  (registers the purge job)
        from vecinos.committees.actions import ANNOUNCEMENT_KIND, end_memberships_of
        from vecinos.committees.announcements import prepare
        from vecinos.delivery.outbox import register_kind

        register_kind(ANNOUNCEMENT_KIND, prepare)
        if end_memberships_of not in DEACTIVATION_HOOKS:
            DEACTIVATION_HOOKS.append(end_memberships_of)
