from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "vecinos.delivery"
    label = "delivery"
    verbose_name = "Delivery transports and inbound SMS"

    def ready(self) -> None:
        # Registers the purge job of inbound message ids.
        from vecinos.delivery import retention  # noqa: F401
