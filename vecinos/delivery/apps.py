from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "vecinos.delivery"
    label = "delivery"
    verbose_name = "Delivery transports and inbound SMS"

    def ready(self) -> None:
        # The apps below delivery reach it only through these hooks (vecinos/core/hooks.py).
        from vecinos.core import hooks
        from vecinos.delivery import announcements, outbox, responders, retention, tasks  # noqa: F401
        from vecinos.delivery.transports import webpush

        hooks.send_transactional.register(tasks.send_transactional)
        hooks.dispatch_requested.register(responders.notify_dispatch_id)
        hooks.responder_contacts.register(responders.contacts_for_page)
        hooks.deliveries_waiting.register(tasks.wake_workers)
        hooks.push_public_key.register(webpush.vapid_public_key)
        hooks.announcement_sent.register(announcements.queue)
        outbox.register_kind(announcements.KIND, announcements.prepare)
