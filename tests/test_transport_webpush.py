"""The web-push transport against a push service on loopback that decrypts the payload
like a browser (http_ece) and checks the VAPID JWT like a push service."""

from __future__ import annotations

import base64
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import free_port
from tests.servers.subscribers import make_alert, make_subscription
from tests.servers.webpush import WebPushServer
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus, SubscriptionStatus
from vecinos.delivery import outbox
from vecinos.delivery.transports import OutgoingMessage, TransportError
from vecinos.delivery.transports import webpush as transport_module
from vecinos.delivery.transports.webpush import WebPushTransport, vapid_public_key


def push(subscription: dict[str, Any], key: str = "d1", ttl: int = 600) -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        channel="webpush",
        address=subscription,
        subject="Alerta verificada",
        text="Redada confirmada cerca de Boyle Heights.",
        url="https://vecinos.example.org/alerts/1",
        ttl=ttl,
    )


def test_the_vapid_key_is_made_on_first_use_readable_by_its_owner_only(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    assert not (tmp_path / "vapid_private.pem").exists()
    public = vapid_public_key()

    key_file = tmp_path / "vapid_private.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point
    assert "=" not in public
    assert vapid_public_key() == public  # the same key every time after


def test_a_push_is_encrypted_for_the_browser_and_signed_with_vapid(push_server: Any) -> None:
    subscription = push_server.subscribe(vapid_public_key())
    WebPushTransport().send(push(subscription))

    [received] = push_server.to(subscription)
    assert received.payload == {
        "title": "Alerta verificada",
        "body": "Redada confirmada cerca de Boyle Heights.",
        "url": "https://vecinos.example.org/alerts/1",
        "tag": "d1",
    }
    assert received.claims["aud"] == push_server.origin
    assert str(received.claims["sub"]).startswith(("mailto:", "https://"))
    assert received.headers["urgency"] == "high"
    assert received.headers["ttl"] == "600"


def test_each_push_service_gets_its_own_audience_claim(push_server: Any) -> None:
    other = WebPushServer(free_port()).start()
    try:
        here = push_server.subscribe(vapid_public_key())
        there = other.subscribe(vapid_public_key())
        transport = WebPushTransport()
        for number in range(2):
            transport.send(push(here, key=f"d{number}a"))
            transport.send(push(there, key=f"d{number}b"))
        assert [p.claims["aud"] for p in push_server.to(here)] == [push_server.origin] * 2
        assert [p.claims["aud"] for p in other.to(there)] == [other.origin] * 2
        assert other.refused == [] and push_server.refused == []
    finally:
        other.stop()


def test_pushes_to_one_push_service_share_one_kept_alive_connection(push_server: Any) -> None:
    browsers = [push_server.subscribe(vapid_public_key()) for _ in range(4)]
    transport = WebPushTransport()
    for number, browser in enumerate(browsers):
        transport.send(push(browser, key=f"d{number}"))
    assert [len(push_server.to(browser)) for browser in browsers] == [1, 1, 1, 1]
    assert push_server.connections() == 1


def test_the_webpush_subject_setting_is_the_sub_claim(push_server: Any, settings: Any) -> None:
    settings.WEBPUSH_SUBJECT = "mailto:ops@vecinos.example.org"
    subscription = push_server.subscribe(vapid_public_key())
    WebPushTransport().send(push(subscription))
    assert push_server.to(subscription)[0].claims["sub"] == "mailto:ops@vecinos.example.org"


@pytest.mark.parametrize(("expire", "code"), [(True, "push_gone")])
def test_an_expired_subscription_is_a_permanent_failure(
    push_server: Any, expire: bool, code: str
) -> None:
    subscription = push_server.subscribe(vapid_public_key(), expired=expire)
    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(push(subscription))
    assert caught.value.permanent and caught.value.disable
    assert caught.value.code == code


def test_an_unknown_endpoint_is_a_permanent_failure(push_server: Any) -> None:
    subscription = push_server.subscribe(vapid_public_key())
    subscription["endpoint"] = f"{push_server.origin}/push/never-existed"
    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(push(subscription))
    assert (caught.value.permanent, caught.value.code) == (True, "push_gone")


def test_a_subscription_made_for_another_server_key_is_refused(push_server: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    another = Vapid()
    another.generate_keys()
    other_key = (
        base64.urlsafe_b64encode(
            another.public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        .decode()
        .rstrip("=")
    )
    subscription = push_server.subscribe(other_key)
    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(push(subscription))
    assert caught.value.permanent
    assert caught.value.code == "push_403"


def test_a_push_service_that_is_down_is_transient(push_server: Any) -> None:
    subscription = push_server.subscribe(vapid_public_key())
    subscription["endpoint"] = f"http://127.0.0.1:{free_port()}/push/x"
    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(push(subscription))
    assert (caught.value.permanent, caught.value.code) == (False, "push_unreachable")


def test_malformed_keys_are_a_permanent_failure(push_server: Any) -> None:
    subscription = push_server.subscribe(vapid_public_key())
    subscription["keys"] = {"p256dh": "AAAA", "auth": "AAAA"}
    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(push(subscription))
    assert caught.value.permanent


def test_a_long_running_worker_keeps_signing_tokens_the_push_service_accepts(
    push_server: Any,
) -> None:
    """Every message is signed anew: a worker running for days never sends a token the
    push service refuses as expired."""
    subscription = push_server.subscribe(vapid_public_key())
    transport = WebPushTransport()
    with time_machine.travel(time.time(), tick=False) as clock:
        transport.send(push(subscription, key="d1"))
        clock.shift(13 * 3600)  # past the first token's expiry
        transport.send(push(subscription, key="d2"))
    first, second = push_server.to(subscription)
    assert push_server.refused == []
    assert second.claims["exp"] == first.claims["exp"] + 13 * 3600  # type: ignore[operator]
    assert second.claims["aud"] == push_server.origin


def test_the_claims_are_fresh_for_every_message(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    dicts: list[int] = []

    def fake_webpush(**kwargs: Any) -> str:
        seen.append(dict(kwargs["vapid_claims"]))
        dicts.append(id(kwargs["vapid_claims"]))
        # pywebpush writes into the dict it is given; a shared dict would keep this.
        kwargs["vapid_claims"]["aud"] = "https://poisoned.example"
        return ""

    monkeypatch.setattr(transport_module, "webpush", fake_webpush)
    browser = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = browser.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    keys = {"p256dh": base64.urlsafe_b64encode(point).decode(), "auth": "c2VjcmV0c2VjcmV0MTIzNA"}
    sub = {"endpoint": "https://push.example.net/x", "keys": keys}
    WebPushTransport().send(push(sub))
    WebPushTransport().send(push(sub))
    assert dicts[0] != dicts[1]
    assert seen[1]["aud"] == "https://push.example.net"


@pytest.mark.django_db
def test_alert_pushes_go_out_through_the_workers_and_a_gone_browser_is_disabled(
    push_server: Any,
) -> None:
    browser = push_server.subscribe(vapid_public_key())
    gone = push_server.subscribe(vapid_public_key(), expired=True)
    reached = make_subscription(channel="webpush", contact=browser, language="es")
    dropped = make_subscription(channel="webpush", contact=gone)
    alert = make_alert()
    fan_out(alert=alert)

    outbox.drain(channel="webpush")

    [received] = push_server.to(browser)
    assert received.payload["tag"] == f"d{Delivery.objects.get(subscription=reached).pk}"
    assert Delivery.objects.get(subscription=reached).status == DeliveryStatus.SENT
    failed = Delivery.objects.get(subscription=dropped)
    assert (failed.status, failed.error) == (DeliveryStatus.FAILED, "push_gone")
    dropped.refresh_from_db()
    assert dropped.status == SubscriptionStatus.DISABLED


def test_workers_starting_together_all_get_the_same_complete_key(tmp_path: Path) -> None:
    """Several worker processes sending their first push at once: one key file is
    made, and no process reads it half-written."""
    import subprocess
    import sys

    from tests.conftest import process_env

    script = (
        "import django; django.setup();"
        "from vecinos.delivery.transports.webpush import vapid_public_key;"
        "print(vapid_public_key())"
    )
    env = process_env(tmp_path, DJANGO_SETTINGS_MODULE="vecinos.settings")
    processes = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(keys) == 1 and len(keys.pop()) == 87
    assert [path.name for path in tmp_path.glob("*vapid*")] == ["vapid_private.pem"]
