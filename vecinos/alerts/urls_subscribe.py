"""Public pages of subscribers: included at the site root by vecinos/urls.py."""

from django.urls import path

from vecinos.alerts import views_subscribe

urlpatterns = [
    path("alerts/subscribe", views_subscribe.subscribe, name="alerts_subscribe"),
    path(
        "alerts/subscribe/<uuid:subscription_id>/confirm",
        views_subscribe.confirm,
        name="alerts_subscribe_confirm",
    ),
    path("alerts/manage", views_subscribe.manage_request, name="alerts_manage"),
    path("alerts/manage/<str:token>", views_subscribe.manage, name="alerts_manage_link"),
    path("alerts/unsubscribe/<str:token>", views_subscribe.unsubscribe, name="alerts_unsubscribe"),
    path("sw.js", views_subscribe.service_worker, name="service_worker"),
]
