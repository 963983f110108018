"""Pages of the reports app. The public report form comes first; the dispatcher
console and the public pages add their routes below."""

from django.urls import path

from vecinos.reports import views_console, views_public, views_public_report, views_responder

urlpatterns = [
    # Reporting (public, anonymous)
    path("report", views_public_report.report, name="report"),
    path("report/thanks", views_public_report.report_thanks, name="report_thanks"),
    # Dispatch, console and public pages
    path("console", views_console.console, name="console"),
    path("console/queue", views_console.console_queue, name="console_queue"),
    path("console/stream", views_console.stream, name="console_stream"),
    path(
        "console/incidents/<uuid:incident_id>",
        views_console.incident_detail,
        name="console_incident",
    ),
    path(
        "console/incidents/<uuid:incident_id>/live",
        views_console.incident_live,
        name="console_incident_live",
    ),
    path(
        "console/incidents/<uuid:incident_id>/dispatch",
        views_console.incident_dispatch,
        name="console_dispatch",
    ),
    path(
        "console/incidents/<uuid:incident_id>/verify",
        views_console.incident_verify,
        name="console_verify",
    ),
    path(
        "console/incidents/<uuid:incident_id>/merge",
        views_console.incident_merge,
        name="console_merge",
    ),
    path(
        "console/incidents/<uuid:incident_id>/locate",
        views_console.incident_locate,
        name="console_locate",
    ),
    path(
        "console/incidents/<uuid:incident_id>/place",
        views_console.incident_place,
        name="console_place",
    ),
    path("console/places", views_console.place_suggestions, name="console_places"),
    path(
        "console/incidents/<uuid:incident_id>/label",
        views_console.incident_label,
        name="console_label",
    ),
    path(
        "console/incidents/<uuid:incident_id>/close",
        views_console.incident_close,
        name="console_close",
    ),
    path(
        "console/incidents/<uuid:incident_id>/reopen",
        views_console.incident_reopen,
        name="console_reopen",
    ),
    path(
        "console/reports/<uuid:report_id>/split", views_console.report_split, name="console_split"
    ),
    path("console/photos/<uuid:report_id>", views_console.report_photo, name="report_photo"),
    path("responder", views_responder.responder_home, name="responder_home"),
    path(
        "responder/availability",
        views_responder.responder_availability,
        name="responder_availability",
    ),
    path(
        "responder/dispatches/<int:dispatch_id>",
        views_responder.responder_dispatch,
        name="responder_dispatch",
    ),
    path(
        "responder/dispatches/<int:dispatch_id>/acknowledge",
        views_responder.responder_acknowledge,
        name="responder_acknowledge",
    ),
    path(
        "responder/dispatches/<int:dispatch_id>/decline",
        views_responder.responder_decline,
        name="responder_decline",
    ),
    path(
        "responder/dispatches/<int:dispatch_id>/outcome",
        views_responder.responder_outcome,
        name="responder_outcome",
    ),
    path("map", views_public.public_map, name="public_map"),
    path("rumors", views_public.rumors, name="rumors"),
]
