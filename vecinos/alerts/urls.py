"""Alert pages: the console's alert controls and the public alerts pages. Included at
the site root by vecinos/urls.py."""

from django.urls import path

from vecinos.alerts import views

urlpatterns = [
    # Console (dispatchers)
    path("console/alerts", views.console_alerts, name="console_alerts"),
    path("console/alerts/<uuid:alert_id>", views.console_alert, name="console_alert"),
    path(
        "console/incidents/<uuid:incident_id>/alerts",
        views.alert_draft,
        name="console_alert_draft",
    ),
    path(
        "console/alerts/<uuid:alert_id>/approve",
        views.alert_approve,
        name="console_alert_approve",
    ),
    path("console/alerts/<uuid:alert_id>/cancel", views.alert_cancel, name="console_alert_cancel"),
    path(
        "console/alerts/<uuid:alert_id>/retract",
        views.alert_retract,
        name="console_alert_retract",
    ),
    # Public
    path("alerts", views.alerts_page, name="alerts"),
    path("alerts/<uuid:alert_id>", views.alert_page, name="alert"),
    path("a/<str:code>", views.short_link, name="alert_short"),
    path("a/<str:code>/<str:language>", views.short_link, name="alert_short_language"),
]
