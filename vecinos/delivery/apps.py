from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "vecinos.delivery"
    label = "delivery"
    verbose_name = "Delivery transports and inbound SMS"
