"""Access rules of the reports app (vecinos/reports/urls.py): the public report form and
pages, the dispatcher console, the responder's pages and report photos."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.access.matrix import EVERYONE, Rule, World
from tests.factories import MARIACHI_PLAZA, make_incident, make_report, photo_bytes
from vecinos.reports.models import Dispatch, DispatchStatus, IncidentStatus

DISPATCHERS = {"dani", "ana"}


def setup(world: World) -> None:
    world.incident = make_incident(status=IncidentStatus.CONFIRMED, public_label="Soto St")
    world.other_incident = make_incident(at=MARIACHI_PLAZA)
    world.report = make_report(incident=world.incident)
    world.report.photo.save("matrix.jpg", ContentFile(photo_bytes()), save=True)
    world.second_report = make_report(incident=world.incident)
    world.dispatch = Dispatch.objects.create(
        incident=world.incident,
        responder=world.user("rosa"),
        dispatched_by=world.user("dani"),
        status=DispatchStatus.REQUESTED,
        acknowledge_by=timezone.now() + timezone.timedelta(minutes=10),
    )


def incident(w: World) -> dict[str, object]:
    return {"incident_id": w.incident.pk}


def dispatch(w: World) -> dict[str, object]:
    return {"dispatch_id": w.dispatch.pk}


RULES = [
    # Public, anonymous
    Rule("report", allowed=EVERYONE),
    Rule(
        "report",
        method="POST",
        data=lambda w: {"kind": "raid", "lat": "34.0403", "lng": "-118.2093"},
        allowed=EVERYONE,
    ),
    Rule("report_thanks", allowed=EVERYONE),
    Rule("public_map", allowed=EVERYONE),
    Rule("rumors", allowed=EVERYONE),
    # The console: dispatchers (admins hold every role)
    Rule("console", allowed=DISPATCHERS),
    Rule("console_queue", allowed=DISPATCHERS),
    Rule("console_stream", allowed=DISPATCHERS),
    Rule("console_incident", kwargs=incident, allowed=DISPATCHERS),
    Rule("console_incident_live", kwargs=incident, allowed=DISPATCHERS),
    Rule(
        "console_dispatch",
        method="POST",
        kwargs=incident,
        data=lambda w: {"responders": ["rosa"]},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_verify",
        method="POST",
        kwargs=incident,
        data=lambda w: {"outcome": "confirmed", "notes": "Seen from the corner"},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_merge",
        method="POST",
        kwargs=lambda w: {"incident_id": w.other_incident.pk},
        data=lambda w: {"into_id": str(w.incident.pk)},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_label",
        method="POST",
        kwargs=incident,
        data=lambda w: {"public_label": "Cesar Chavez Ave & Soto St"},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_locate",
        method="POST",
        kwargs=incident,
        data=lambda w: {"point": "34.0472, -118.2193"},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_place",
        method="POST",
        kwargs=incident,
        data=lambda w: {"place": "90033"},
        allowed=DISPATCHERS,
    ),
    Rule("console_places", data=lambda w: {"q": "Soto"}, allowed=DISPATCHERS),
    Rule(
        "console_close",
        method="POST",
        kwargs=incident,
        data=lambda w: {"confirm": "1"},
        allowed=DISPATCHERS,
    ),
    Rule("console_reopen", method="POST", kwargs=incident, allowed=DISPATCHERS),
    Rule(
        "console_split",
        method="POST",
        kwargs=lambda w: {"report_id": w.second_report.pk},
        allowed=DISPATCHERS,
    ),
    # A photo: the staff who may see its incident (dispatchers, the responder sent).
    Rule(
        "report_photo",
        kwargs=lambda w: {"report_id": w.report.pk},
        allowed=DISPATCHERS | {"rosa"},
        refused={404},
    ),
    # The responder's pages (admins hold every role; a dispatch is its responder's only)
    Rule("responder_home", allowed={"rosa", "ana"}),
    Rule(
        "responder_availability",
        method="POST",
        data=lambda w: {"available": "on", "lat": "34.04", "lng": "-118.21", "radius_km": "3"},
        allowed={"rosa", "ana"},
    ),
    Rule("responder_dispatch", kwargs=dispatch, allowed={"rosa"}),
    Rule("responder_acknowledge", method="POST", kwargs=dispatch, allowed={"rosa"}),
    Rule("responder_decline", method="POST", kwargs=dispatch, allowed={"rosa"}),
    Rule(
        "responder_outcome",
        method="POST",
        kwargs=dispatch,
        data=lambda w: {"outcome": "confirmed", "notes": "Two vans"},
        allowed={"rosa"},
    ),
]
