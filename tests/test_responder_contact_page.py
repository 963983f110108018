"""The responder's contact page: rosa says where dispatch requests reach her (SMS or
email, confirmed with a 6-digit code sent there; a browser by its push subscription),
changes it, tests it and removes it, from a phone, without JavaScript, in English or
Spanish. Only responders have the page, and bad input is a clear 4xx."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_incident
from vecinos.accounts.models import AccountEvent, User
from vecinos.alerts import subscriptions
from vecinos.delivery.models import ResponderContact
from vecinos.delivery.responders import set_responder_contact
from vecinos.reports import actions

pytestmark = pytest.mark.django_db

PAGE = "/responder/contact"


def ask_for_code(
    client: Client,
    callbacks: Any,
    outbox: Any,
    address: str = "(213) 555-0177",
    channel: str = "sms",
    **headers: str,
) -> str:
    """Send the form as rosa would and read the code the way she would: in the message."""
    with callbacks(execute=True):
        response = client.post(f"{PAGE}/code", {"channel": channel, "address": address}, **headers)
    assert response.status_code == 303, response.content.decode()[:2000]
    assert response["Location"] == f"{PAGE}#confirm"
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)  # type: ignore[union-attr]


def dispatch_to(rosa: User, dani: User, callbacks: Any) -> int:
    """dani sends rosa to a fresh incident; the requests leave after commit."""
    with callbacks(execute=True):
        (dispatch,) = actions.dispatch_responders(
            incident=make_incident(), responders=[rosa], actor=dani
        )
    return dispatch.pk


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "000001"


def push_subscription() -> dict[str, Any]:
    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(bytes(range(n))).decode().rstrip("=")

    return {
        "endpoint": "https://fcm.googleapis.com/fcm/send/rosa-phone",
        "expirationTime": None,
        "keys": {"p256dh": b64(65), "auth": b64(16)},
    }


# Setting an SMS contact, end to end ----------------------------------------------------------


def test_rosa_sets_her_number_confirms_it_and_gets_the_next_dispatch_there(
    rosa: User,
    dani: User,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(rosa)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="viewport"' in page.content.decode()
    assert "<script>" not in page.content.decode()  # nothing inline: works without JS

    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    (sent,) = console_outbox
    assert (sent.channel, sent.address) == ("sms", "+12135550177")
    assert "dispatch requests" in sent.text
    assert not ResponderContact.objects.exists()  # nothing before the code comes back
    waiting = client.get(PAGE).content.decode()
    assert "•••0177" in waiting and 'name="code"' in waiting

    done = client.post(f"{PAGE}/confirm", {"code": code}, follow=True)
    assert "Dispatch requests will reach you at •••0177" in done.content.decode()
    assert ResponderContact.objects.get(user=rosa).contact == "+12135550177"

    console_outbox.clear()
    dispatch_id = dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    (request,) = console_outbox
    assert (request.channel, request.address) == ("sms", "+12135550177")
    assert f"/responder/dispatches/{dispatch_id}" in request.text


def test_a_number_not_yet_confirmed_gets_no_dispatch(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ask_for_code(signed_in(rosa), django_capture_on_commit_callbacks, console_outbox)
    console_outbox.clear()
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    assert len(console_outbox) == 0


def test_an_email_contact_works_the_same_way(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(
        client,
        django_capture_on_commit_callbacks,
        console_outbox,
        address="Rosa@Example.org",
        channel="email",
    )
    assert console_outbox[-1].address == "rosa@example.org"
    assert "r•••@example.org" in client.get(PAGE).content.decode()
    client.post(f"{PAGE}/confirm", {"code": code})

    console_outbox.clear()
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    assert [(m.channel, m.address) for m in console_outbox] == [("email", "rosa@example.org")]


# Wrong, stale and spent codes -----------------------------------------------------------------


def test_a_wrong_code_is_refused_with_the_attempts_left_and_the_right_one_still_works(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)

    response = client.post(f"{PAGE}/confirm", {"code": wrong(code)})
    assert response.status_code == 422
    assert "This code is not right. 4 attempts left." in response.content.decode()
    assert not ResponderContact.objects.exists()

    assert client.post(f"{PAGE}/confirm", {"code": code}).status_code == 303
    assert ResponderContact.objects.filter(user=rosa, channel="sms").exists()


def test_five_wrong_codes_void_the_code(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    statuses = [client.post(f"{PAGE}/confirm", {"code": wrong(code)}).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 410]

    response = client.post(f"{PAGE}/confirm", {"code": code})
    assert response.status_code == 410
    assert "There is no code waiting" in response.content.decode()
    assert not ResponderContact.objects.exists()


def test_an_expired_code_is_refused(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.post(f"{PAGE}/confirm", {"code": code})
    assert response.status_code == 410
    assert "This code has expired" in response.content.decode()
    assert not ResponderContact.objects.exists()


def test_the_code_of_one_number_does_not_confirm_another(
    rosa: User,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = iter(["123456", "654321"])
    monkeypatch.setattr(subscriptions.codes, "_new_code", lambda: next(codes))
    client = signed_in(rosa)
    first = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    ask_for_code(client, django_capture_on_commit_callbacks, console_outbox, "+12135550188")

    assert client.post(f"{PAGE}/confirm", {"code": first}).status_code == 422
    assert not ResponderContact.objects.exists()


def test_cancelling_forgets_the_number_waiting_for_its_code(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    assert client.post(f"{PAGE}/cancel").status_code == 303
    assert 'name="code"' not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}/confirm", {"code": code}).status_code == 410


def mid_hour() -> datetime:
    """The middle of the current hour: hourly rate windows cannot turn over in a test."""
    return timezone.now().replace(minute=30, second=0, microsecond=0)


def test_codes_to_one_number_are_limited_like_subscription_codes(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    with time_machine.travel(mid_hour(), tick=False):
        for _ in range(3):
            ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
        response = client.post(f"{PAGE}/code", {"channel": "sms", "address": "(213) 555-0177"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "as many codes to this contact as an hour allows" in response.content.decode()
    assert len(console_outbox) == 3


# Changing, testing and removing -------------------------------------------------------------


def test_changing_the_number_keeps_the_old_one_until_the_new_one_is_confirmed(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox, "+12135550188")
    assert "Until you confirm, requests still go to •••0177." in client.get(PAGE).content.decode()

    console_outbox.clear()
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    assert [m.address for m in console_outbox] == ["+12135550177"]

    client.post(f"{PAGE}/confirm", {"code": code})
    console_outbox.clear()
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    assert [m.address for m in console_outbox] == ["+12135550188"]


def test_send_me_a_test_reaches_the_contact_in_rosas_language(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rosa.language = "es"
    rosa.save()
    set_responder_contact(user=rosa, channel="email", address="rosa@example.org", actor=rosa)
    client = signed_in(rosa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{PAGE}/test", {"channel": "email"}, follow=True)
    assert "A test message is on its way to r•••@example.org." in response.content.decode()
    (sent,) = console_outbox
    assert sent.address == "rosa@example.org"
    assert "prueba" in sent.text  # worded in Spanish, like her dispatch requests
    assert "/responder" in sent.text


def test_tests_are_limited_and_need_a_contact(rosa: User, console_outbox: Any) -> None:
    client = signed_in(rosa)
    assert client.post(f"{PAGE}/test", {"channel": "sms"}).status_code == 404
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    with time_machine.travel(mid_hour(), tick=False):
        statuses = [client.post(f"{PAGE}/test", {"channel": "sms"}).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]


def test_removing_a_contact_stops_dispatch_requests_there(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    response = signed_in(rosa).post(f"{PAGE}/remove", {"channel": "sms"}, follow=True)
    assert "Removed." in response.content.decode()
    assert not ResponderContact.objects.exists()
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    assert len(console_outbox) == 0


def test_this_browser_gets_requests_by_web_push(
    rosa: User, dani: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    page = client.get(PAGE).content.decode()
    assert 'id="push-slot" hidden' in page and "delivery/responder_contact.js" in page

    response = client.post(f"{PAGE}/webpush", {"subscription": json.dumps(push_subscription())})
    assert response.status_code == 303
    dispatch_to(rosa, dani, django_capture_on_commit_callbacks)
    (sent,) = console_outbox
    assert sent.channel == "webpush"
    assert sent.address["endpoint"].endswith("/rosa-phone")


# Where the page is found, and who may use it ------------------------------------------------


def test_the_responder_page_links_to_it_and_says_when_requests_reach_nowhere(rosa: User) -> None:
    client = signed_in(rosa)
    home = client.get("/responder").content.decode()
    assert f'href="{PAGE}"' in home
    assert "You have no contact yet" in home
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    home = client.get("/responder").content.decode()
    assert "•••0177" in home and "You have no contact yet" not in home


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["mara", "olga", "dani"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", None),
        ("/code", {"channel": "sms", "address": "+12135550177"}),
        ("/confirm", {"code": "123456"}),
        ("/cancel", {}),
        ("/remove", {"channel": "sms"}),
        ("/test", {"channel": "sms"}),
        ("/webpush", {"subscription": "{}"}),
    ],
)
def test_only_responders_have_the_page(
    request: pytest.FixtureRequest, who: str, path: str, data: dict[str, str] | None
) -> None:
    client = signed_in(request.getfixturevalue(who))
    response = client.get(PAGE) if data is None else client.post(PAGE + path, data)
    assert response.status_code == 403


# Hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "sms", "address": "not a number"}, "Enter a phone number"),
        ({"channel": "email", "address": "rosa@"}, "Enter an email address"),
        ({"channel": "email", "address": "rosa@example.org\r\nBcc: x@example.org"}, "email"),
        ({"channel": "fax", "address": "+12135550177"}, "Select a valid choice"),
        ({"channel": "webpush", "address": "+12135550177"}, "Select a valid choice"),
        ({"channel": "sms", "address": "1" * 300}, "at most 254 characters"),
        ({"channel": "sms"}, "This field is required"),
        ({"channel": ["sms", "email"], "address": "+12135550177"}, ""),
    ],
)
def test_a_bad_contact_is_refused_with_a_400_naming_the_problem(
    rosa: User, console_outbox: Any, data: dict[str, Any], message: str
) -> None:
    response = signed_in(rosa).post(f"{PAGE}/code", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(console_outbox) == 0


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "This field is required."),
        ("abc", "Enter the 6 digits of the code."),
        ("12345", "Enter the 6 digits of the code."),
        ("1234567", "Enter the 6 digits of the code."),
        ("12 34 56", "Enter the 6 digits of the code."),
        ("1" * 5000, "Enter the 6 digits of the code."),
    ],
)
def test_a_code_that_is_not_six_digits_is_a_400(
    rosa: User,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
    code: str,
    message: str,
) -> None:
    client = signed_in(rosa)
    ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    response = client.post(f"{PAGE}/confirm", {"code": code})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_code_typed_in_full_width_digits_is_the_code(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    fullwidth = "".join(chr(0xFF10 + int(digit)) for digit in code)
    response = client.post(f"{PAGE}/confirm", {"code": fullwidth})
    assert response.status_code in (200, 302, 303)
    assert ResponderContact.objects.filter(user=rosa).exists()


@pytest.mark.parametrize(
    "subscription",
    [
        "",
        "not json",
        "[]",
        '"https://fcm.googleapis.com/fcm/send/x"',
        "[" * 3000 + "]" * 3000,
        json.dumps({**push_subscription(), "endpoint": "javascript:alert(document.cookie)"}),
        json.dumps({**push_subscription(), "keys": {"p256dh": "short", "auth": "x"}}),
        json.dumps({**push_subscription(), "badge": 1}),
        json.dumps(push_subscription()) + " " * 5000,
    ],
)
def test_a_bad_push_subscription_is_a_400(rosa: User, subscription: str) -> None:
    response = signed_in(rosa).post(f"{PAGE}/webpush", {"subscription": subscription})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ResponderContact.objects.exists()


@pytest.mark.parametrize("path", ["/remove", "/test"])
@pytest.mark.parametrize("channel", ["", "fax", "SMS", "sms\x00"])
def test_an_unknown_channel_is_a_400(rosa: User, path: str, channel: str) -> None:
    response = signed_in(rosa).post(PAGE + path, {"channel": channel})
    assert response.status_code == 400
    assert "Choose SMS, email or web push." in response.content.decode()


def test_a_huge_form_is_a_413(rosa: User) -> None:
    response = signed_in(rosa).post(f"{PAGE}/code", {"channel": "sms", "address": "1" * 20_000})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/code", "/confirm", "/cancel", "/remove", "/test", "/webpush"])
def test_the_actions_take_post_only(rosa: User, path: str) -> None:
    assert signed_in(rosa).get(PAGE + path).status_code == 405


def test_a_garbled_session_is_treated_as_nothing_waiting(rosa: User) -> None:
    client = signed_in(rosa)
    session = client.session
    session["responder_contact_pending"] = {"channel": "sms", "attempts": "many"}
    session.save()
    assert client.get(PAGE).status_code == 200
    assert client.post(f"{PAGE}/confirm", {"code": "123456"}).status_code == 410


def test_a_waiting_number_that_no_longer_decrypts_is_asked_for_again(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    session = client.session
    # As after `vecinos rotatekey` retired the key it was encrypted with.
    session["responder_contact_pending"] = {
        **session["responder_contact_pending"],
        "sealed": "v1.0badc0de.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    }
    session.save()
    assert 'name="code"' not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}/confirm", {"code": code}).status_code == 410
    assert not ResponderContact.objects.exists()


# Privacy and language -----------------------------------------------------------------------


def test_the_number_waiting_for_its_code_is_kept_only_encrypted(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox)
    for session in Session.objects.all():
        decoded = json.dumps(session.get_decoded())
        assert "2135550177" not in decoded and "0177" not in decoded
        assert code not in decoded


def test_the_page_and_the_code_come_in_spanish(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(rosa)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in page
    assert "Where requests reach you" not in page
    assert "Send me a code" not in page

    ask_for_code(
        client, django_capture_on_commit_callbacks, console_outbox, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "código" in console_outbox[-1].text
    response = client.post(f"{PAGE}/confirm", {"code": "abc"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Enter the 6 digits" not in response.content.decode()


def test_a_changed_number_is_told_to_the_old_one_and_written_in_the_audit_log(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rosa.language = "es"
    rosa.save()
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    client = signed_in(rosa)
    code = ask_for_code(client, django_capture_on_commit_callbacks, console_outbox, "+12135550188")
    console_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{PAGE}/confirm", {"code": code})

    # Whoever got into Rosa's account cannot quietly take her dispatch requests.
    (notice,) = console_outbox
    assert notice.address == "+12135550177"
    assert "coordinador" in notice.text  # in her language
    assert "0188" not in notice.text  # never the new number
    events = AccountEvent.objects.filter(user=rosa).order_by("created_at", "id")
    assert [(e.type, e.actor_id, e.data) for e in events][-1] == (
        AccountEvent.Type.CONTACT_SET,
        rosa.pk,
        {"channel": "sms", "replaced": True},
    )


def test_the_first_contact_is_logged_and_tells_nobody(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        set_responder_contact(user=rosa, channel="email", address="rosa@example.org", actor=rosa)

    assert len(console_outbox) == 0
    event = AccountEvent.objects.get(user=rosa, type=AccountEvent.Type.CONTACT_SET)
    assert event.data == {"channel": "email", "replaced": False}


def test_removing_a_contact_is_logged_and_told_to_the_contacts_she_had(
    rosa: User, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_responder_contact(user=rosa, channel="sms", address="+12135550177", actor=rosa)
    set_responder_contact(user=rosa, channel="email", address="rosa@example.org", actor=rosa)

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(rosa).post(f"{PAGE}/remove", {"channel": "sms"})

    assert sorted(m.address for m in console_outbox) == ["+12135550177", "rosa@example.org"]
    event = AccountEvent.objects.filter(user=rosa).latest("created_at", "id")
    assert (event.type, event.data) == (AccountEvent.Type.CONTACT_REMOVED, {"channel": "sms"})
