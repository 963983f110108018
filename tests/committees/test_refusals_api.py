"""The committees API refuses by token: none, a revoked one or a deactivated owner's
is 401; olga (another committee) and dani (dispatcher) get 404 for Boyle Heights'
members, requests and contacts; only carmen and ana read them; only ana creates."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vecinos.accounts.actions import create_api_token, deactivate_user, revoke_api_token
from vecinos.committees.models import ContactAudit, Membership

pytestmark = pytest.mark.django_db

TOKENS = ("rosa", "carmen", "olga", "dani", "ana")


@pytest.fixture
def tokens(world) -> dict[str, str]:
    made = {}
    for name in TOKENS:
        _token, plaintext = create_api_token(user=world.people[name], name="t", actor=None)
        made[name] = plaintext
    old, plaintext = create_api_token(user=world.people["carmen"], name="old", actor=None)
    revoke_api_token(token=old, actor=None)
    made["revoked"] = plaintext
    return made


def api(token: str | None) -> Client:
    client = Client()
    if token:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize("name", [None, "revoked", *TOKENS])
def test_the_member_list_answers_carmen_and_ana_only(world, tokens, name) -> None:
    response = api(tokens.get(name) if name else None).get(
        f"/api/v1/committees/{world.committee.slug}/members"
    )
    expected = {None: 401, "revoked": 401, "rosa": 404, "olga": 404, "dani": 404}
    assert response.status_code == expected.get(name, 200)
    if response.status_code == 200:
        aliases = {m["alias"] for m in response.json()}
        assert aliases == {"Carmen", "Rosa", "Mara", "Gone"}
        assert "contact" not in response.json()[0]


@pytest.mark.parametrize("name", [None, "revoked", *TOKENS])
def test_a_contact_answers_carmen_and_ana_and_is_audited(world, tokens, name) -> None:
    mara = Membership.objects.get(committee=world.committee, user__username="mara")
    response = api(tokens.get(name) if name else None).get(
        f"/api/v1/committees/{world.committee.slug}/members/{mara.pk}/contact"
    )
    if name in ("carmen", "ana"):
        assert response.status_code == 200
        assert response.json()["contact"] == "+12135550103"
        audit = ContactAudit.objects.get()
        assert (audit.actor.username, audit.subject.username, audit.kind) == (name, "mara", "view")
    else:
        assert response.status_code in (401, 404)
        assert not ContactAudit.objects.exists()


@pytest.mark.parametrize("name", ["rosa", "carmen", "olga", "dani", "ana"])
def test_only_an_admin_creates_a_committee(world, tokens, name) -> None:
    response = api(tokens[name]).post(
        "/api/v1/committees",
        json.dumps({"name": "Pico Union", "kind": "workplace", "coordinators": ["olga"]}),
        content_type="application/json",
    )
    assert response.status_code == (201 if name == "ana" else 403)


def test_unknown_fields_are_refused_by_name(world, tokens) -> None:
    response = api(tokens["carmen"]).patch(
        f"/api/v1/committees/{world.committee.slug}",
        json.dumps({"meets": "Tuesdays", "officer_name": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "officer_name"


def test_the_responder_role_is_not_granted_here(world, tokens) -> None:
    mara = Membership.objects.get(committee=world.committee, user__username="mara")
    response = api(tokens["carmen"]).post(
        f"/api/v1/committees/{world.committee.slug}/members/{mara.pk}/role",
        json.dumps({"role": "responder"}),
        content_type="application/json",
    )
    assert response.status_code == 422


def test_a_deactivated_coordinator_token_stops_at_once(world, tokens) -> None:
    client = api(tokens["carmen"])
    url = f"/api/v1/committees/{world.committee.slug}/members"
    assert client.get(url).status_code == 200

    deactivate_user(user=world.people["carmen"], actor=world.people["ana"])

    assert client.get(url).status_code == 401
