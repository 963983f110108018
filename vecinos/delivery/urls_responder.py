"""The responder's contact page, beside their other pages under /responder
(vecinos.reports.urls): included at the site root by vecinos/urls.py."""

from django.urls import path

from vecinos.delivery import views_responder

urlpatterns = [
    path("responder/contact", views_responder.responder_contact, name="responder_contact"),
    path(
        "responder/contact/code",
        views_responder.responder_contact_request,
        name="responder_contact_request",
    ),
    path(
        "responder/contact/confirm",
        views_responder.responder_contact_confirm,
        name="responder_contact_confirm",
    ),
    path(
        "responder/contact/cancel",
        views_responder.responder_contact_cancel,
        name="responder_contact_cancel",
    ),
    path(
        "responder/contact/remove",
        views_responder.responder_contact_remove,
        name="responder_contact_remove",
    ),
    path(
        "responder/contact/test",
        views_responder.responder_contact_test,
        name="responder_contact_test",
    ),
    path(
        "responder/contact/webpush",
        views_responder.responder_contact_webpush,
        name="responder_contact_webpush",
    ),
]
