from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vecinos.cases"
    label = "cases"
    verbose_name = "Detention support"

    def ready(self) -> None:
        from vecinos.cases import messages, retention  # noqa: F401  (register the hooks)
        from vecinos.delivery import kinds

        kinds.register("case", messages.build)
