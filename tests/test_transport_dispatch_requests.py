"""Responders get dispatch requests over the same transports, after commit, with no
detail of the incident in the message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.delivery.models import ResponderContact
from vecinos.delivery.responders import notify_dispatch, set_responder_contact
from vecinos.reports.models import Dispatch

pytestmark = pytest.mark.django_db


def dispatch_of(rosa: User, dani: User) -> Dispatch:
    return Dispatch.objects.create(incident=make_incident(), responder=rosa, dispatched_by=dani)


def test_rosa_gets_her_dispatch_request_by_sms_and_email(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_responder_contact(user=rosa, channel="sms", address="(213) 555-0177", actor=rosa)
    set_responder_contact(user=rosa, channel="email", address="Rosa@Example.org", actor=rosa)
    dispatch = dispatch_of(rosa, dani)

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_dispatch(dispatch) == 2

    by_channel = {sent.channel: sent for sent in console_outbox}
    assert by_channel["sms"].address == "+12135550177"
    assert by_channel["email"].address == "rosa@example.org"
    for sent in console_outbox:
        assert f"/responder/dispatches/{dispatch.pk}" in sent.text
        assert sent.message.key.startswith("t")


def test_the_request_is_worded_in_the_responders_language(
    rosa: User, dani: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import translation

    from vecinos.delivery import responders

    rosa.language = "es"
    rosa.save()
    set_responder_contact(user=rosa, channel="sms", address="+12135550178", actor=rosa)
    languages: list[str | None] = []

    def spy(text: str) -> str:
        languages.append(translation.get_language())
        return text

    monkeypatch.setattr(responders, "_", spy)
    with translation.override("en"):
        notify_dispatch(dispatch_of(rosa, dani))
    assert languages and set(languages) == {"es"}


def test_nothing_leaves_before_commit(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_responder_contact(user=rosa, channel="sms", address="+12135550179", actor=rosa)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_dispatch(dispatch_of(rosa, dani))
    assert len(console_outbox) == 0
    assert len(callbacks) == 1


def test_a_responder_without_contacts_gets_nothing(rosa: User, dani: User) -> None:
    assert notify_dispatch(dispatch_of(rosa, dani)) == 0


def test_the_contact_is_stored_encrypted(rosa: User) -> None:
    from django.db import connection

    set_responder_contact(user=rosa, channel="sms", address="+12135550180", actor=rosa)
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM delivery_respondercontact")
        [(raw,)] = cursor.fetchall()
    assert "2135550180" not in raw
    assert ResponderContact.objects.get().contact == "+12135550180"


def test_nobody_sets_another_persons_contact(rosa: User, dani: User) -> None:
    with pytest.raises(PermissionError):
        set_responder_contact(user=rosa, channel="sms", address="+12135550181", actor=dani)
    assert not ResponderContact.objects.exists()


def test_a_bad_number_is_refused(rosa: User) -> None:
    with pytest.raises(ValidationError):
        set_responder_contact(user=rosa, channel="sms", address="not a number", actor=rosa)
