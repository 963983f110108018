"""The staff API for incidents: who may list, read, dispatch, verify and merge, with
401 for no or a bad token, 403 for a role that may never do it, 404 for an incident
outside the user's reach, 409 for a refused state change and 422 naming bad input."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.factories import BOYLE_HEIGHTS, SANTEE_ALLEY, make_incident, submit
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import Role, User
from vecinos.reports import actions
from vecinos.reports.models import Dispatch, Incident, IncidentStatus

pytestmark = pytest.mark.django_db


class Api:
    """A client that sends ``user``'s bearer token (or the given raw header)."""

    def __init__(self, user: User | None = None, *, header: str | None = None) -> None:
        self.client = Client()
        if user is not None:
            _, token = create_api_token(user=user, name="test", actor=user)
            header = f"Bearer {token}"
        self.headers = {"Authorization": header} if header else {}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def incident() -> Incident:
    return submit(at=BOYLE_HEIGHTS, description="Vans on Soto", place="Soto & 1st").incident


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# Authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "Bearer nonsense", "Bearer vec_0000_wrong", "Basic cm9zYTpw"]
)
def test_no_token_or_a_bad_one_is_a_401_everywhere(incident: Incident, header: str | None) -> None:
    api = Api(header=header)
    assert api.get("/incidents").status_code == 401
    assert api.get(f"/incidents/{incident.pk}").status_code == 401
    assert (
        api.post(f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}).status_code == 401
    )
    assert api.post(f"/incidents/{incident.pk}/verify", {"outcome": "false"}).status_code == 401
    assert (
        api.post(f"/incidents/{incident.pk}/merge", {"into": str(incident.pk)}).status_code == 401
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


# Listing and reading ----------------------------------------------------------------------------


def test_a_dispatcher_lists_every_incident_and_filters_by_status(dani: User) -> None:
    new = make_incident()
    confirmed = make_incident(status=IncidentStatus.CONFIRMED)
    dispatched = make_incident(status=IncidentStatus.DISPATCHED)
    api = Api(dani)

    everything = api.get("/incidents")
    assert everything.status_code == 200
    assert {i["id"] for i in everything.json()} == {
        str(new.pk),
        str(confirmed.pk),
        str(dispatched.pk),
    }
    only = api.get("/incidents?status=confirmed,dispatched").json()
    assert {i["id"] for i in only} == {str(confirmed.pk), str(dispatched.pk)}
    repeated = api.get("/incidents?status=new&status=confirmed").json()
    assert {i["id"] for i in repeated} == {str(new.pk), str(confirmed.pk)}


def test_an_unknown_status_is_named(dani: User) -> None:
    response = Api(dani).get("/incidents?status=new,maybe")
    assert response.status_code == 422
    assert fields(response) == ["status"]
    assert "maybe" in response.json()["errors"][0]["message"]


def test_a_responder_lists_only_the_incidents_they_were_sent_to(
    incident: Incident, dani: User, rosa: User
) -> None:
    make_incident(at=SANTEE_ALLEY)
    api = Api(rosa)
    assert api.get("/incidents").json() == []
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    assert [i["id"] for i in api.get("/incidents").json()] == [str(incident.pk)]


def test_an_incident_comes_with_its_reports_dispatches_and_timeline(
    incident: Incident, dani: User, rosa: User
) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    body = Api(dani).get(f"/incidents/{incident.pk}").json()

    assert body["id"] == str(incident.pk)
    assert body["status"] == "dispatched"
    (report,) = body["reports"]
    assert report["description"] == "Vans on Soto"
    assert report["place"] == "Soto & 1st"
    assert [d["responder"] for d in body["dispatches"]] == ["rosa"]
    assert [e["type"] for e in body["timeline"]] == ["opened", "dispatched"]
    assert body["timeline"][1]["actor"] == "dani"
    assert body["timeline"][1]["data"]["responder"] == rosa.pk
    assert body["timeline"][1]["data"]["responder_username"] == "rosa"


def test_a_responder_reads_their_incident_and_gets_404_for_others(
    incident: Incident, dani: User, rosa: User
) -> None:
    api = Api(rosa)
    assert api.get(f"/incidents/{incident.pk}").status_code == 404
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    assert api.get(f"/incidents/{incident.pk}").status_code == 200
    other = make_incident(at=SANTEE_ALLEY)
    hidden = api.get(f"/incidents/{other.pk}")
    missing = api.get(f"/incidents/{uuid.uuid4()}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # nothing tells them apart


@pytest.mark.parametrize("who", ["olga", "carmen"])
def test_coordinators_may_never_read_incidents(
    incident: Incident, request: pytest.FixtureRequest, who: str
) -> None:
    api = Api(request.getfixturevalue(who))
    assert api.get("/incidents").status_code == 403
    assert api.get(f"/incidents/{incident.pk}").status_code == 403
    assert api.get(f"/incidents/{uuid.uuid4()}").status_code == 403  # no hint either


def test_members_cannot_even_hold_a_token(mara: User) -> None:
    with pytest.raises(Exception, match="cannot have API tokens"):
        Api(mara)


@pytest.mark.parametrize("bad", ["not-a-uuid", "1", "%20"])
def test_a_malformed_id_is_a_404(dani: User, bad: str) -> None:
    assert Api(dani).get(f"/incidents/{bad}").status_code == 404


def test_an_admin_reads_everything(incident: Incident, ana: User) -> None:
    assert Api(ana).get(f"/incidents/{incident.pk}").status_code == 200


# Dispatch -------------------------------------------------------------------------------------


def test_a_dispatcher_dispatches_by_username(incident: Incident, dani: User, rosa: User) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]})
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    assert Dispatch.objects.filter(incident=incident, responder=rosa).exists()


def test_unknown_usernames_are_named(incident: Incident, dani: User, rosa: User) -> None:
    response = Api(dani).post(
        f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa", "ghost", "nadie"]}
    )
    assert response.status_code == 422
    assert fields(response) == ["responders"]
    message = response.json()["errors"][0]["message"]
    assert "ghost" in message and "nadie" in message and "rosa" not in message
    assert not Dispatch.objects.exists()


def test_non_responders_are_named(incident: Incident, dani: User, mara: User) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/dispatch", {"responders": ["mara"]})
    assert response.status_code == 422
    assert "mara" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"responders": ["rosa"], "urgent": True}, "urgent"),
        ({"responders": "rosa"}, "responders"),
        ({"responders": []}, "responders"),
        ({"responders": [1]}, "responders.0"),
        ({}, "responders"),
    ],
)
def test_bad_dispatch_bodies_are_refused_by_field(
    incident: Incident, dani: User, rosa: User, body: dict[str, Any], field: str
) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/dispatch", body)
    assert response.status_code == 422
    assert field in fields(response)


@pytest.mark.parametrize("who", ["rosa", "olga"])
def test_only_dispatchers_dispatch(
    incident: Incident, request: pytest.FixtureRequest, who: str
) -> None:
    response = Api(request.getfixturevalue(who)).post(
        f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}
    )
    assert response.status_code == 403
    assert not Dispatch.objects.exists()


def test_dispatching_to_a_checked_incident_is_a_409(dani: User, rosa: User) -> None:
    incident = make_incident(status=IncidentStatus.FALSE)
    response = Api(dani).post(f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]})
    assert response.status_code == 409
    assert "new or dispatched" in response.json()["detail"]


# Verify ---------------------------------------------------------------------------------------


def test_the_dispatched_responder_verifies(incident: Incident, dani: User, rosa: User) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    response = Api(rosa).post(
        f"/incidents/{incident.pk}/verify",
        {"outcome": "confirmed", "notes": "Two vans", "vehicles": 2, "officers": 5},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed"
    (verification,) = body["verifications"]
    assert (verification["notes"], verification["vehicles"], verification["verified_by"]) == (
        "Two vans",
        2,
        "rosa",
    )


def test_a_responder_not_sent_gets_a_404(incident: Incident, rosa: User) -> None:
    response = Api(rosa).post(f"/incidents/{incident.pk}/verify", {"outcome": "false"})
    assert response.status_code == 404
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_a_dispatcher_verifies_and_an_invalid_change_is_a_409(
    incident: Incident, dani: User
) -> None:
    api = Api(dani)
    assert api.post(f"/incidents/{incident.pk}/verify", {"outcome": "false"}).status_code == 200
    refused = api.post(f"/incidents/{incident.pk}/verify", {"outcome": "confirmed"})
    assert refused.status_code == 409
    assert "cannot be changed to Confirmed" in refused.json()["detail"]


def test_a_responder_filing_twice_gets_a_409(incident: Incident, dani: User, rosa: User) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    api = Api(rosa)
    assert api.post(f"/incidents/{incident.pk}/verify", {"outcome": "confirmed"}).status_code == 200
    again = api.post(f"/incidents/{incident.pk}/verify", {"outcome": "false"})
    assert again.status_code == 409
    assert "already been checked" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "confirmed", "badge": "1234"}, "badge"),
        ({"outcome": "confirmed", "officer_name": "J. Smith"}, "officer_name"),
        ({"outcome": "confirmed", "notes": 5}, "notes"),
        ({"outcome": "confirmed", "notes": "x" * 2001}, "notes"),
        ({"outcome": "confirmed", "vehicles": -1}, "vehicles"),
        ({"outcome": "confirmed", "vehicles": True}, "vehicles"),
        ({"outcome": "confirmed", "officers": "3"}, "officers"),
        ({"outcome": "confirmed", "officers": 501}, "officers"),
        ({}, "outcome"),
    ],
)
def test_bad_verify_bodies_are_refused_by_field(
    incident: Incident, dani: User, body: dict[str, Any], field: str
) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/verify", body)
    assert response.status_code == 422
    assert field in fields(response)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


@pytest.mark.parametrize("who", ["olga", "carmen"])
def test_coordinators_may_never_verify(
    incident: Incident, request: pytest.FixtureRequest, who: str
) -> None:
    response = Api(request.getfixturevalue(who)).post(
        f"/incidents/{incident.pk}/verify", {"outcome": "confirmed"}
    )
    assert response.status_code == 403


def test_the_body_must_be_json(incident: Incident, dani: User) -> None:
    api = Api(dani)
    response = api.client.post(
        f"/api/v1/incidents/{incident.pk}/verify",
        data="outcome=false",
        content_type="application/x-www-form-urlencoded",
        headers=api.headers,
    )
    assert response.status_code == 415
    response = api.client.post(
        f"/api/v1/incidents/{incident.pk}/verify",
        data='{"outcome": ',
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 400


# Merge ----------------------------------------------------------------------------------------


def test_a_dispatcher_merges(dani: User) -> None:
    into = submit(at=BOYLE_HEIGHTS).incident
    source = submit(at=SANTEE_ALLEY).incident
    response = Api(dani).post(f"/incidents/{source.pk}/merge", {"into": str(into.pk)})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(into.pk)
    assert body["report_count"] == 2
    assert body["timeline"][-1]["type"] == "merged"
    source.refresh_from_db()
    assert source.merged_into_id == into.pk


def test_merging_into_an_unknown_incident_names_the_field(incident: Incident, dani: User) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/merge", {"into": str(uuid.uuid4())})
    assert response.status_code == 422
    assert fields(response) == ["into"]


def test_merging_into_itself_or_a_closed_incident_is_refused(
    incident: Incident, dani: User
) -> None:
    api = Api(dani)
    itself = api.post(f"/incidents/{incident.pk}/merge", {"into": str(incident.pk)})
    assert itself.status_code == 422
    closed = make_incident(status=IncidentStatus.CLOSED)
    response = api.post(f"/incidents/{incident.pk}/merge", {"into": str(closed.pk)})
    assert response.status_code == 409
    assert "reopen it before merging" in response.json()["detail"]


@pytest.mark.parametrize("who", ["rosa", "olga"])
def test_only_dispatchers_merge(
    incident: Incident, dani: User, request: pytest.FixtureRequest, who: str
) -> None:
    user = request.getfixturevalue(who)
    if user.role == Role.RESPONDER:
        actions.dispatch_responders(incident=incident, responders=[user], actor=dani)
    other = make_incident(at=SANTEE_ALLEY)
    response = Api(user).post(f"/incidents/{incident.pk}/merge", {"into": str(other.pk)})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.merged_into_id is None


def test_merge_takes_no_other_field(incident: Incident, dani: User) -> None:
    other = make_incident(at=SANTEE_ALLEY)
    response = Api(dani).post(
        f"/incidents/{incident.pk}/merge", {"into": str(other.pk), "force": True}
    )
    assert response.status_code == 422
    assert fields(response) == ["force"]


# The whole matrix -----------------------------------------------------------------------------


def test_permission_matrix(dani: User, rosa: User, olga: User, ana: User) -> None:
    """Who gets what, each on a fresh incident nobody has been sent to yet."""
    ramon = make_user("ramon", Role.RESPONDER)
    expected = {
        # user: (list, read, dispatch, verify, merge)
        "dani": (200, 200, 200, 200, 200),
        "ana": (200, 200, 200, 200, 200),
        "rosa": (200, 404, 403, 404, 403),
        "olga": (403, 403, 403, 403, 403),
    }
    for user in (dani, ana, rosa, olga):
        incident, other = make_incident(), make_incident(at=SANTEE_ALLEY)
        api = Api(user)
        got = (
            api.get("/incidents").status_code,
            api.get(f"/incidents/{incident.pk}").status_code,
            api.post(
                f"/incidents/{incident.pk}/dispatch", {"responders": [ramon.username]}
            ).status_code,
            api.post(f"/incidents/{incident.pk}/verify", {"outcome": "unconfirmed"}).status_code,
            api.post(f"/incidents/{other.pk}/merge", {"into": str(incident.pk)}).status_code,
        )
        assert got == expected[user.username], user.username
