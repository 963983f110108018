from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vecinos.cases"
    label = "cases"
    verbose_name = "Detention support"

    def ready(self) -> None:
        from vecinos.cases import messages, retention  # noqa: F401  (register the hooks)
        from vecinos.delivery.outbox import register_kind

        for kind in messages.KINDS:
            register_kind(kind, messages.prepare)
