"""Joining: a public request (contact encrypted), approval making an account and
sending a one-time password link through the outbox, declines, the vouch rule, and
invite codes that expire, run out and can be revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vecinos.accounts.models import User
from vecinos.committees import actions
from vecinos.committees.models import JoinRequest, Membership

pytestmark = pytest.mark.django_db(transaction=False)


def ask(world, contact: str = "+1 213 555 0177", **extra) -> JoinRequest:
    return actions.request_to_join(
        committee=world.committee,
        alias=extra.pop("alias", "Vecina"),
        channel=extra.pop("channel", "sms"),
        contact=contact,
        language=extra.pop("language", "es"),
        why="Vivo en Soto",
        **extra,
    )


def test_the_join_form_stores_the_contact_encrypted(world, client) -> None:
    response = client.post(
        reverse("committees:join", kwargs={"slug": world.committee.slug}),
        {
            "alias": "Vecina",
            "channel": "sms",
            "contact": "(213) 555-0177",
            "language": "es",
            "why": "x",
        },
    )
    assert response.status_code == 200
    join_request = JoinRequest.objects.get()
    assert join_request.contact == "+12135550177"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM committees_joinrequest")
        stored = cursor.fetchone()[0]
    assert "5550177" not in stored


def test_a_bad_contact_is_a_400_naming_it(world, client) -> None:
    response = client.post(
        reverse("committees:join", kwargs={"slug": world.committee.slug}),
        {"alias": "Vecina", "channel": "sms", "contact": "not a phone", "language": "es"},
    )
    assert response.status_code == 400
    assert "phone number" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_approval_makes_an_account_and_sends_a_one_time_link(
    world, carmen, console_outbox, django_capture_on_commit_callbacks
) -> None:
    join_request = ask(world)
    with django_capture_on_commit_callbacks(execute=True):
        membership = actions.approve_request(join_request=join_request, actor=carmen)

    assert membership.role == "member" and membership.alias == "Vecina"
    assert membership.contact == "+12135550177"
    assert not membership.user.has_usable_password()
    sent = [m for m in console_outbox if m.address == "+12135550177"]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/committees/welcome/\S+/", sent[0].text).group(0)
    path = "/" + link.split("/", 3)[3]
    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.contact == ""

    client = Client()
    form = client.get(path)
    assert form.status_code == 200 and membership.user.username in form.content.decode()
    done = client.post(
        path, {"password1": "a long new pass phrase", "password2": "a long new pass phrase"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("committees:home")
    assert client.get(reverse("committees:home")).status_code == 200
    # The link works once.
    assert Client().get(path).status_code == 404


def test_an_existing_account_gets_a_membership_not_a_second_account(
    world, dani, console_outbox, carmen, django_capture_on_commit_callbacks
) -> None:
    join_request = ask(world, user=dani)
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        membership = actions.approve_request(join_request=join_request, actor=carmen)
    assert membership.user == dani
    assert User.objects.count() == before
    assert "welcome" not in console_outbox[-1].text


def test_decline_erases_the_contact_and_sends_nothing(world, carmen, console_outbox) -> None:
    join_request = actions.decline_request(join_request=ask(world), actor=carmen)
    assert join_request.status == "declined" and join_request.contact == ""
    assert not Membership.objects.filter(alias="Vecina").exists()
    assert not console_outbox


def test_a_second_pending_request_for_one_contact_is_refused(world) -> None:
    ask(world)
    with pytest.raises(actions.InvalidState):
        ask(world, contact="213-555-0177")


def test_a_committee_that_requires_a_vouch_waits_for_one(world, carmen, mara) -> None:
    world.committee.requires_vouch = True
    world.committee.save()
    join_request = ask(world)
    with pytest.raises(actions.InvalidState):
        actions.approve_request(join_request=join_request, actor=carmen)

    Client().force_login(mara)
    client = world.client("mara")
    client.post(
        reverse(
            "committees:vouch", kwargs={"slug": world.committee.slug, "request_id": join_request.pk}
        )
    )
    join_request.refresh_from_db()
    assert join_request.vouched_by == mara

    assert actions.approve_request(join_request=join_request, actor=carmen).alias == "Vecina"


def test_olga_cannot_approve_for_another_committee(world, olga) -> None:
    from vecinos.accounts.access import Forbidden

    with pytest.raises(Forbidden):
        actions.approve_request(join_request=ask(world), actor=olga)


def test_an_invite_admits_at_once_until_it_runs_out(world, carmen, console_outbox) -> None:
    _invite, code = actions.create_invite(
        committee=world.committee, actor=carmen, max_uses=1, days=1
    )
    membership = actions.redeem_invite(
        code=code, alias="Amiga", channel="email", contact="amiga@example.org", language="en"
    )
    assert membership.committee == world.committee
    with pytest.raises(actions.InvalidState):
        actions.redeem_invite(
            code=code, alias="Otra", channel="sms", contact="+12135550188", language="es"
        )


def test_an_invite_expires_and_can_be_revoked(world, carmen) -> None:
    invite, code = actions.create_invite(
        committee=world.committee, actor=carmen, max_uses=5, days=1
    )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert actions.find_invite(code) is None
    assert actions.find_invite(code) is not None
    actions.revoke_invite(invite=invite, actor=carmen)
    assert actions.find_invite(code) is None
    response = Client().post(
        reverse("committees:redeem"),
        {"code": code, "alias": "X", "channel": "sms", "contact": "+12135550188", "language": "es"},
    )
    assert response.status_code == 400
    assert "not valid any more" in response.content.decode()
