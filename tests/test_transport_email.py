"""The email transport against an SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus, SubscriptionStatus
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
