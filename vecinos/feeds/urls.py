"""Public feeds, under /feeds/."""

from django.urls import path

from vecinos.feeds import views

urlpatterns = [
    path("alerts.cap", views.alerts_cap_feed, name="feed_alerts_cap"),
    path("alerts/<uuid:alert_id>.cap", views.alert_cap, name="feed_alert_cap"),
    path("alerts.atom", views.alerts_atom_feed, name="feed_alerts_atom"),
]
