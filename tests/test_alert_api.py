"""The alerts API: dispatchers draft, approve (two people), retract and read delivery
counts with a token; 401 without one, 403 for roles that may not, 404 for what does
not exist, 409 for a refused state change, 422 naming bad input."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.factories import make_incident
from tests.servers.subscribers import make_subscription
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.alerts.models import Alert, AlertStatus, Delivery
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


class Api:
    """A client that sends ``user``'s bearer token (or none)."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, token = create_api_token(user=user, name="test", actor=user)
            self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps({} if body is None else body),
            content_type="application/json",
            headers=self.headers,
        )


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def draft(confirmed_incident: Incident, dani: User) -> Alert:
    return draft_alert(incident=confirmed_incident, actor=dani)


@pytest.fixture
def published(draft: Alert, diego: User) -> Alert:
    return approve_alert(alert=draft, actor=diego)


# Drafting --------------------------------------------------------------------------------


def test_a_dispatcher_drafts_an_alert(confirmed_incident: Incident, dani: User) -> None:
    response = Api(dani).post(
        f"/incidents/{confirmed_incident.pk}/alerts",
        {"radius_km": 3, "note": "Evite Soto", "test": False},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_approval"
    assert body["radius_km"] == 3
    assert body["note"] == "Evite Soto"
    assert body["test"] is False
    assert body["created_by"] == "dani"
    assert body["approvals"] == []
    assert body["approvals_required"] == 2
    assert body["short_url"].endswith("/a/" + body["short_url"].rsplit("/", 1)[1])
    assert Alert.objects.get(pk=body["id"]).incident == confirmed_incident


def test_the_body_may_be_empty_and_takes_the_defaults(
    confirmed_incident: Incident, dani: User
) -> None:
    response = Api(dani).post(f"/incidents/{confirmed_incident.pk}/alerts", {})
    assert response.status_code == 201
    assert response.json()["radius_km"] == 2


def test_an_unconfirmed_incident_is_a_409(dani: User) -> None:
    incident = make_incident(status=IncidentStatus.DISPATCHED)
    response = Api(dani).post(f"/incidents/{incident.pk}/alerts", {"radius_km": 2})
    assert response.status_code == 409
    assert "confirmed" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"radius_km": 0.1}, "radius_km"),
        ({"radius_km": 30}, "radius_km"),
        ({"radius_km": "2"}, "radius_km"),
        ({"radius_km": True}, "radius_km"),
        ({"note": "x" * 141}, "note"),
        ({"note": 5}, "note"),
        ({"note": "bell\u0007"}, "note"),
        ({"test": "yes"}, "test"),
        ({"officer_name": "J. Smith"}, "officer_name"),
        ({"cells": [1, 2]}, "cells"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(
    confirmed_incident: Incident, dani: User, body: dict[str, Any], field: str
) -> None:
    response = Api(dani).post(f"/incidents/{confirmed_incident.pk}/alerts", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Alert.objects.exists()


# Approving -------------------------------------------------------------------------------


def test_a_second_dispatcher_approves_and_the_alert_is_published(draft: Alert, diego: User) -> None:
    make_subscription()
    response = Api(diego).post(f"/alerts/{draft.pk}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["approvals"] == ["diego"]
    assert Delivery.objects.filter(alert=draft).count() == 1


def test_the_drafter_approving_their_own_is_a_403(draft: Alert, dani: User) -> None:
    response = Api(dani).post(f"/alerts/{draft.pk}/approve")
    assert response.status_code == 403
    assert "another dispatcher" in response.json()["detail"]
    assert Alert.objects.get(pk=draft.pk).status == AlertStatus.PENDING_APPROVAL


def test_in_the_one_committee_setting_the_drafter_approves(
    draft: Alert, dani: User, settings: Settings
) -> None:
    settings.ALERT_APPROVALS_REQUIRED = 1
    response = Api(dani).post(f"/alerts/{draft.pk}/approve")
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_approving_what_is_already_published_is_a_409(published: Alert, ana: User) -> None:
    assert Api(ana).post(f"/alerts/{published.pk}/approve").status_code == 409


def test_approve_takes_no_body_fields(draft: Alert, diego: User) -> None:
    response = Api(diego).post(f"/alerts/{draft.pk}/approve", {"force": True})
    # The operation has no body: ninja ignores it, and nothing is forced.
    assert response.status_code == 200
    assert response.json()["status"] == "published"


# Retracting and cancelling ---------------------------------------------------------------


def test_a_dispatcher_retracts_a_published_alert(published: Alert, dani: User) -> None:
    response = Api(dani).post(f"/alerts/{published.pk}/retract", {"reason": "Nothing there"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "retraction"
    assert body["status"] == "published"
    assert body["original_id"] == str(published.pk)
    assert Alert.objects.get(pk=published.pk).status == AlertStatus.RETRACTED


def test_an_all_clear_through_the_api(published: Alert, diego: User) -> None:
    response = Api(diego).post(
        f"/alerts/{published.pk}/retract", {"reason": "Agents left", "kind": "all_clear"}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "all_clear"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 281}, "reason"),
        ({"reason": "ok", "kind": "alert"}, "kind"),
        ({"reason": "ok", "everyone": True}, "everyone"),
    ],
)
def test_bad_retractions_are_refused_naming_the_field(
    published: Alert, dani: User, body: dict[str, Any], field: str
) -> None:
    response = Api(dani).post(f"/alerts/{published.pk}/retract", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)


def test_retracting_a_draft_is_a_409_and_cancelling_it_works(draft: Alert, diego: User) -> None:
    assert Api(diego).post(f"/alerts/{draft.pk}/retract", {"reason": "x"}).status_code == 409
    response = Api(diego).post(f"/alerts/{draft.pk}/cancel", {"reason": "wrong incident"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


# Deliveries ------------------------------------------------------------------------------


def test_delivery_counts_by_channel_and_status(published: Alert, dani: User) -> None:
    make_subscription()  # after publication: not a recipient
    Delivery.objects.filter(alert=published, channel="sms").update(status="sent")
    response = Api(dani).get(f"/alerts/{published.pk}/deliveries")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "alert_id": str(published.pk),
        "total": Delivery.objects.filter(alert=published).count(),
        "by_status": body["by_status"],
        "by_channel": body["by_channel"],
    }
    assert sum(body["by_status"].values()) == body["total"]
    assert (
        body["by_channel"].get("sms", {}).get("sent", 0)
        == Delivery.objects.filter(alert=published, channel="sms").count()
    )


def test_delivery_counts_never_name_anyone(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    make_subscription(contact="+12135550199")
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    content = Api(dani).get(f"/alerts/{alert.pk}/deliveries").content.decode()
    assert "2135550199" not in content
    assert json.loads(content)["by_channel"] == {"sms": {"queued": 1}}


# Who may ---------------------------------------------------------------------------------


def endpoints(alert: Alert, incident: Incident) -> list[tuple[str, str, Any]]:
    return [
        ("post", f"/incidents/{incident.pk}/alerts", {"radius_km": 2}),
        ("post", f"/alerts/{alert.pk}/approve", None),
        ("post", f"/alerts/{alert.pk}/retract", {"reason": "x"}),
        ("post", f"/alerts/{alert.pk}/cancel", {}),
        ("get", f"/alerts/{alert.pk}", None),
        ("get", f"/alerts/{alert.pk}/deliveries", None),
    ]


def call(api: Api, method: str, path: str, body: Any) -> Any:
    return api.get(path) if method == "get" else api.post(path, body)


def test_anonymous_callers_get_401_everywhere(draft: Alert, confirmed_incident: Incident) -> None:
    for method, path, body in endpoints(draft, confirmed_incident):
        assert call(Api(), method, path, body).status_code == 401, path


def test_members_cannot_hold_a_token_so_they_get_401(
    draft: Alert, confirmed_incident: Incident, mara: User
) -> None:
    client = Api()
    client.headers = {"Authorization": "Bearer vec_mara_not_a_token"}
    for method, path, body in endpoints(draft, confirmed_incident):
        assert call(client, method, path, body).status_code == 401, path


def test_a_responder_gets_403_everywhere(
    draft: Alert, confirmed_incident: Incident, rosa: User
) -> None:
    api = Api(rosa)
    for method, path, body in endpoints(draft, confirmed_incident):
        assert call(api, method, path, body).status_code == 403, path
    assert Alert.objects.get(pk=draft.pk).status == AlertStatus.PENDING_APPROVAL


def test_unknown_alerts_and_incidents_are_404(dani: User) -> None:
    api = Api(dani)
    missing = uuid.uuid4()
    assert api.post(f"/incidents/{missing}/alerts", {}).status_code == 404
    assert api.post(f"/alerts/{missing}/approve").status_code == 404
    assert api.post(f"/alerts/{missing}/retract", {"reason": "x"}).status_code == 404
    assert api.get(f"/alerts/{missing}/deliveries").status_code == 404
    assert api.get("/alerts/not-a-uuid").status_code == 404


def test_a_dispatcher_reads_an_alert(draft: Alert, diego: User) -> None:
    response = Api(diego).get(f"/alerts/{draft.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == str(draft.pk)
