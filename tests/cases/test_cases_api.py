"""The cases API: the main operations for those on a case; unknown fields and bad
values are 422 naming the field; a closed case answers 409; a dispatcher opens a case
and does not see it afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vecinos.accounts.actions import create_api_token
from vecinos.cases import actions
from vecinos.cases.models import Case, CaseEvent, CaseState


def _api(user: Any) -> tuple[Client, dict[str, str]]:
    _token, secret = create_api_token(user=user, name="t", actor=user)
    return Client(), {"Authorization": f"Bearer {secret}"}


def _post(user: Any, path: str, body: dict[str, Any]) -> Any:
    client, headers = _api(user)
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_case_worker_opens_and_works_a_case_through_the_api(lucia, facility) -> None:
    answer = _post(
        lucia,
        "/api/v1/cases",
        {"person_name": "Rigoberto Anaya", "a_number": "A-012-345-678",
         "family_contact": "+13235550155", "family_channel": "sms", "family_language": "ko",
         "family_updates": True},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["visible"] is True and len(body["reference"]) == 8
    case_id = body["id"]
    base = f"/api/v1/cases/{case_id}"
    assert (
        _post(
            lucia, f"{base}/locator-checks", {"result": "found", "facility_id": facility.pk}
        ).json()["state"]
        == "located"
    )
    assert (
        _post(lucia, f"{base}/referrals", {"organization": "CARECEN"}).json()["state"] == "referred"
    )
    assert (
        _post(
            lucia, f"{base}/hearings", {"kind": "check_in", "at": "2099-02-01T09:00:00-08:00"}
        ).status_code
        == 200
    )
    assert _post(lucia, f"{base}/notes", {"text": "Called the consulate"}).status_code == 200
    assert _post(lucia, f"{base}/family-updates", {"template": "located"}).status_code == 200
    assert (
        _post(lucia, f"{base}/state", {"state": "bond_requested"}).json()["state"]
        == "bond_requested"
    )
    client, headers = _api(lucia)
    detail = client.get(base, headers=headers).json()
    assert detail["person_name"] == "Rigoberto Anaya" and detail["a_number"] == "A012345678"
    assert detail["facility"] == "Adelanto ICE Processing Center"
    assert any(item["note"] == "Called the consulate" for item in detail["timeline"])
    case = Case.objects.get(pk=case_id)
    assert case.events.filter(type=CaseEvent.Type.VIEWED, data__what="api").count() == 1
    listed = client.get("/api/v1/cases", headers=headers).json()
    assert [row["id"] for row in listed["mine"]] == [case_id]
    assert "Anaya" not in str(listed)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"person_name": "X", "officer_badge": "123"}, "officer_badge"),
        ("", {"person_name": "X", "family_contact": "0", "family_channel": "sms"}, "family_"),
        ("", {"person_name": "X", "a_number": "12"}, "a_number"),
        ("", {"person_name": "X", "family_language": "xx"}, "family_language"),
        ("", {"person_name": ""}, "person_name"),
        ("/{id}/state", {"state": "flying"}, "state"),
        ("/{id}/notes", {"text": "x", "extra": 1}, "extra"),
        ("/{id}/locator-checks", {"result": "found"}, "facility"),
        ("/{id}/locator-checks", {"result": "found", "facility_id": 999999}, "facility_id"),
        ("/{id}/referrals", {"organization": "X", "follow_up_hours": 0}, "follow_up_hours"),
        ("/{id}/hearings", {"kind": "hearing", "at": "2001-01-01T09:00:00Z"}, "at"),
        ("/{id}/hearings", {"kind": "party", "at": "2099-01-01T09:00:00Z"}, "kind"),
        ("/{id}/family-updates", {"template": "anything"}, "template"),
    ],
)  # fmt: skip
def test_bad_values_and_unknown_fields_are_422_naming_the_field(
    case, lucia, path, body, field
) -> None:
    answer = _post(lucia, "/api/v1/cases" + path.format(id=case.pk), body)
    assert answer.status_code == 422, answer.content
    assert field in str(answer.json()), answer.json()


def test_a_closed_case_answers_409_to_changes(case, lucia) -> None:
    actions.change_state(case=case, state=CaseState.CLOSED, actor=lucia)
    answer = _post(lucia, f"/api/v1/cases/{case.pk}/state", {"state": "locating"})
    assert answer.status_code == 409


def test_a_dispatcher_opens_a_case_and_then_cannot_see_it(dani) -> None:
    answer = _post(dani, "/api/v1/cases", {"person_name": "Someone"})
    assert answer.status_code == 201
    assert answer.json()["visible"] is False
    client, headers = _api(dani)
    assert client.get(f"/api/v1/cases/{answer.json()['id']}", headers=headers).status_code == 404


def test_a_responder_may_not_open_a_case(rosa) -> None:
    assert _post(rosa, "/api/v1/cases", {"person_name": "Someone"}).status_code == 403
