"""The email transport against an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts import links
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.messages import LANGUAGES, render_message
from vecinos.alerts.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from vecinos.delivery import outbox
from vecinos.delivery.transports import OutgoingMessage, Receipt, TransportError
from vecinos.delivery.transports.email import EmailTransport


def email(to: str, key: str = "d1", **fields: Any) -> OutgoingMessage:
    values: dict[str, Any] = {
        "subject": "Alerta verificada",
        "text": "Redada confirmada cerca de Boyle Heights.",
        "html": "<p>Redada confirmada cerca de <b>Boyle Heights</b>.</p>",
        "unsubscribe_url": "https://vecinos.example.org/alerts/unsubscribe/abc",
    }
    values.update(fields)
    return OutgoingMessage(key=key, channel="email", address=to, **values)


def test_an_email_carries_text_html_and_one_click_unsubscribe_headers(smtp_server: Any) -> None:
    transport = EmailTransport()
    transport.send(email("ana@example.org"))
    transport.close()

    [received] = smtp_server.received
    assert received.to == "ana@example.org"
    assert received.message["Subject"] == "Alerta verificada"
    assert "Redada confirmada" in received.text
    assert "<b>Boyle Heights</b>" in received.html
    assert (
        received.message["List-Unsubscribe"]
        == "<https://vecinos.example.org/alerts/unsubscribe/abc>"
    )
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message["Auto-Submitted"] == "auto-generated"


def test_every_attempt_of_one_delivery_has_the_same_message_id(smtp_server: Any) -> None:
    transport = EmailTransport()
    transport.send(email("ana@example.org", key="d7"))
    transport.send(email("ana@example.org", key="d7"))
    transport.close()
    first, second = smtp_server.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message["Message-ID"].startswith("<d7@")


def test_a_batch_shares_one_smtp_connection(smtp_server: Any) -> None:
    transport = EmailTransport()
    outcomes = transport.send_batch(
        [email(f"person{number}@example.org", key=f"d{number}") for number in range(5)]
    )
    transport.close()
    assert all(isinstance(outcome, Receipt) for outcome in outcomes)
    assert len(smtp_server.received) == 5
    assert smtp_server.connections() == 1


def test_a_hard_bounce_fails_only_its_own_message(smtp_server: Any) -> None:
    smtp_server.refuse["gone@example.org"] = 550
    transport = EmailTransport()
    outcomes = transport.send_batch(
        [
            email("before@example.org", key="d1"),
            email("gone@example.org", key="d2"),
            email("after@example.org", key="d3"),
        ]
    )
    transport.close()
    assert isinstance(outcomes[0], Receipt) and isinstance(outcomes[2], Receipt)
    refused = outcomes[1]
    assert isinstance(refused, TransportError)
    assert refused.permanent and refused.disable
    assert refused.code == "smtp_rcpt_550"
    assert [item.to for item in smtp_server.received] == ["before@example.org", "after@example.org"]


def test_a_temporary_refusal_is_transient(smtp_server: Any) -> None:
    smtp_server.refuse["busy@example.org"] = 450
    with pytest.raises(TransportError) as caught:
        EmailTransport().send(email("busy@example.org"))
    assert not caught.value.permanent
    assert caught.value.code == "smtp_rcpt_450"


def test_an_unreachable_smtp_server_is_transient_for_the_whole_batch(settings: Any) -> None:
    from tests.conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    outcomes = EmailTransport().send_batch([email("a@example.org"), email("b@example.org")])
    assert all(
        isinstance(outcome, TransportError) and not outcome.permanent for outcome in outcomes
    )


@pytest.mark.django_db
def test_alert_emails_go_out_through_the_workers_and_a_bounce_disables_the_subscription(
    smtp_server: Any,
) -> None:
    smtp_server.refuse["gone@example.org"] = 550
    people = [make_subscription(channel="email", contact=f"p{n}@example.org") for n in range(3)]
    gone = make_subscription(channel="email", contact="gone@example.org")
    alert = make_alert()
    fan_out(alert=alert)

    outbox.drain(channel="email")

    assert sorted(item.to for item in smtp_server.received) == sorted(p.contact for p in people)
    assert smtp_server.connections() == 1
    for received in smtp_server.received:
        assert received.message["List-Unsubscribe"].startswith("<http")
    bounced = Delivery.objects.get(alert=alert, subscription=gone)
    assert (bounced.status, bounced.error) == (DeliveryStatus.FAILED, "smtp_rcpt_550")
    gone.refresh_from_db()
    assert gone.status == SubscriptionStatus.DISABLED
    assert Delivery.objects.filter(alert=alert, status=DeliveryStatus.SENT).count() == 3


def test_the_unsubscribe_header_goes_on_the_wire_as_one_url_in_angle_brackets(
    smtp_server: Any,
) -> None:
    """RFC 2369: mail clients read ``<URL>`` there, not RFC 2047 encoded words, however
    long the signed link is."""
    url = "https://vecinos.example.org/alerts/unsubscribe/" + "Ijk4NzY1" * 12 + ":1xXXrc:sig"
    transport = EmailTransport()
    transport.send(email("ana@example.org", unsubscribe_url=url))
    transport.close()
    [received] = smtp_server.received
    assert received.raw_header("List-Unsubscribe") == f"<{url}>"
    assert received.raw_header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_an_address_the_smtp_server_cannot_be_given_fails_only_its_own_message(
    smtp_server: Any,
) -> None:
    transport = EmailTransport()
    outcomes = transport.send_batch(
        [
            email("before@example.org", key="d1"),
            email("josé@example.org", key="d2"),  # a non-ASCII local part needs SMTPUTF8
            email("after@example.org", key="d3"),
        ]
    )
    transport.close()
    refused = outcomes[1]
    assert isinstance(refused, TransportError)
    assert (refused.permanent, refused.code) == (True, "invalid_email")
    assert [item.to for item in smtp_server.received] == ["before@example.org", "after@example.org"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback
def test_the_smtp_login_from_the_settings_is_used(settings: Any) -> None:
    from tests.conftest import free_port
    from tests.servers.smtp import SMTPServer

    server = SMTPServer(free_port(), credentials=("vecinos", "s3cret")).start()
    try:
        settings.MAILERS = server.mailer_settings()
        transport = EmailTransport()
        outcomes = transport.send_batch([email("a@example.org"), email("b@example.org")])
        transport.close()
        assert all(isinstance(outcome, Receipt) for outcome in outcomes)
        assert server.logins == ["vecinos"]

        settings.MAILERS = server.mailer_settings(password="not-the-password")
        [refused] = EmailTransport().send_batch([email("c@example.org")])
        assert isinstance(refused, TransportError) and not refused.permanent
        assert [item.to for item in server.received] == ["a@example.org", "b@example.org"]
    finally:
        server.stop()


@pytest.mark.django_db
def test_every_language_arrives_as_rendered_with_each_subscribers_own_link(
    smtp_server: Any,
) -> None:
    people = {code: make_subscription(channel="email", language=code) for code, _name in LANGUAGES}
    alert = make_alert(note="Eviten la zona · 注意 & <b>")
    fan_out(alert=alert)

    with time_machine.travel(timezone.now(), tick=False):  # links carry a timestamp
        outbox.drain(channel="email")
        for code, person in people.items():
            [received] = smtp_server.to(person.contact)
            expected = render_message(alert, language=code, channel="email", subscription=person)
            link = links.unsubscribe_url(person)
            assert received.message["Subject"] == expected.subject
            assert received.text.replace("\r\n", "\n") == expected.text
            assert received.html.replace("\r\n", "\n") == expected.html
            assert received.raw_header("List-Unsubscribe") == f"<{link}>"
            assert link in received.text

    # One click on Ana's link stops Ana's subscription, nobody else's.
    ana = people["es"]
    [received] = smtp_server.to(ana.contact)
    path = urlsplit(received.raw_header("List-Unsubscribe").strip("<>")).path
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert set(
        Subscription.objects.exclude(status=SubscriptionStatus.ACTIVE).values_list("id", flat=True)
    ) == {ana.pk}
