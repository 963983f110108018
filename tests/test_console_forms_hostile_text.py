"""Every form of the console (and the staff pages around it) applies the API's checks
to text: a NUL or another control character answers a 4xx naming the problem, never
a 500 (PostgreSQL refuses NUL outright) and is never stored (SQLite would keep it, and
an incident label with it would make the CAP and Atom feeds invalid XML)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.conftest import signed_in
from tests.factories import make_incident, make_report
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.reports.models import Dispatch, DispatchStatus, IncidentStatus

pytestmark = pytest.mark.django_db

HOSTILE = ["Soto St\x00", "Soto\x01St", "\x1b[31mSoto", "Soto\x7f"]
FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def stored_control_characters() -> list[str]:
    """Every text value in the database holding a control character."""
    found = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if value is not None and any(ch in FORBIDDEN for ch in str(value)):
                    found.append(f"{model.__name__}: {value!r}")
    return found


@pytest.fixture
def scene(dani: User, diego: User, rosa: User) -> dict[str, Any]:
    incident = make_incident(status=IncidentStatus.CONFIRMED, public_label="Soto St")
    checking = make_incident(status=IncidentStatus.DISPATCHED)
    report = make_report(incident=incident)
    dispatch = Dispatch.objects.create(
        incident=checking, responder=rosa, dispatched_by=dani, status=DispatchStatus.REQUESTED
    )
    published = approve_alert(alert=draft_alert(incident=incident, actor=dani), actor=diego)
    draft = draft_alert(incident=incident, actor=dani)
    return {
        "incident": incident,
        "checking": checking,
        "report": report,
        "dispatch": dispatch,
        "published": published,
        "draft": draft,
    }


Form = tuple[str, str, Callable[[dict[str, Any]], str], Callable[[str], dict[str, str]]]
FORMS: list[Form] = [
    ("incident label", "dani", lambda s: f"/console/incidents/{s['incident'].pk}/label",
     lambda v: {"public_label": v}),
    ("verify notes", "dani", lambda s: f"/console/incidents/{s['checking'].pk}/verify",
     lambda v: {"outcome": "confirmed", "notes": v}),
    ("dispatch names", "dani", lambda s: f"/console/incidents/{s['checking'].pk}/dispatch",
     lambda v: {"responders": v}),
    ("responder notes", "rosa", lambda s: f"/responder/dispatches/{s['dispatch'].pk}/outcome",
     lambda v: {"outcome": "confirmed", "notes": v}),
    ("merge target", "dani", lambda s: f"/console/incidents/{s['checking'].pk}/merge",
     lambda v: {"into_id": v}),
    ("reply to reporter", "dani", lambda s: f"/console/reports/{s['report'].pk}/reply",
     lambda v: {"text": v}),
    ("alert note", "dani", lambda s: f"/console/incidents/{s['incident'].pk}/alerts",
     lambda v: {"radius_km": "2", "note": v}),
    ("retraction reason", "dani", lambda s: f"/console/alerts/{s['published'].pk}/retract",
     lambda v: {"reason": v, "kind": "retraction", "confirm": "1"}),
    ("retraction note", "dani", lambda s: f"/console/alerts/{s['published'].pk}/retract",
     lambda v: {"reason": "sent in error", "kind": "retraction", "note": v, "confirm": "1"}),
    ("cancel reason", "dani", lambda s: f"/console/alerts/{s['draft'].pk}/cancel",
     lambda v: {"reason": v}),
    ("token name", "dani", lambda s: "/account/tokens/", lambda v: {"name": v}),
    ("responder contact", "rosa", lambda s: "/responder/contact/code",
     lambda v: {"channel": "email", "address": f"rosa{v}@example.org"}),
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE, ids=["nul", "soh", "escape", "del"])
@pytest.mark.parametrize("form", FORMS, ids=[form[0] for form in FORMS])
def test_control_characters_in_a_console_form_answer_4xx_and_are_not_stored(
    form: Form, value: str, scene: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    _label, who, url, data = form
    client: Client = signed_in(request.getfixturevalue(who))
    response = client.post(url(scene), data(value))
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert stored_control_characters() == []
