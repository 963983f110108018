"""Shared fixtures: the named people of the test suite.

- ``rosa``: responder
- ``dani``: dispatcher (with a TOTP authenticator, so MFA is satisfied)
- ``diego``: a second dispatcher (for two-person rules)
- ``carmen``: coordinator of the Boyle Heights committee
- ``olga``: outsider: coordinator of another committee
- ``ana``: admin
- ``mara``: member
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.test import Client
from pytest_django import Settings

from vecinos.accounts.models import Role, User

PASSWORD = "correct horse battery staple"


def make_user(username: str, role: str, **extra: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    return user


def give_totp(user: User) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXP")


@pytest.fixture
def rosa(db: None) -> User:
    return make_user("rosa", Role.RESPONDER)


@pytest.fixture
def dani(db: None) -> User:
    user = make_user("dani", Role.DISPATCHER)
    give_totp(user)
    return user


@pytest.fixture
def diego(db: None) -> User:
    user = make_user("diego", Role.DISPATCHER)
    give_totp(user)
    return user


@pytest.fixture
def carmen(db: None) -> User:
    user = make_user("carmen", Role.COORDINATOR)
    give_totp(user)
    return user


@pytest.fixture
def olga(db: None) -> User:
    user = make_user("olga", Role.COORDINATOR)
    give_totp(user)
    return user


@pytest.fixture
def ana(db: None) -> User:
    user = make_user("ana", Role.ADMIN)
    give_totp(user)
    return user


@pytest.fixture
def mara(db: None) -> User:
    return make_user("mara", Role.MEMBER)


def signed_in(user: User) -> Client:
    """A browser session for ``user`` that has passed both factors."""
    client = Client()
    client.force_login(user)
    return client


# Accounts ---------------------------------------------------------------------------------
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the secret give_totp() installs


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The authenticator app's current code for ``secret`` (freeze the clock around it)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def fresh_cache() -> None:
    """An empty cache: allauth keeps rate-limit counters and used TOTP codes there."""
    from django.core.cache import cache

    cache.clear()


# Processes: tests that start `vecinos serve`, `vecinos worker`, `vecinos run`, `make demo` ----
def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unavailable(message: str) -> NoReturn:
    """Something a test needs is missing from this machine: a failure in CI (CI=true),
    where ``make test`` installs or starts everything, a skip on a laptop."""
    import os

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"needed in CI: {message}")
    pytest.skip(message)


def reachable_redis(url: str) -> str:
    """``url``, once its Redis answers a ping (else ``unavailable``)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {url}: {error}")
    return url


def process_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process a test starts: its own data directory, SQLite and
    the embedded queue whatever this run uses (a subprocess cannot see the test
    database), and none of this run's VECINOS_* or Django settings."""
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VECINOS_", "DJANGO_", "PYTEST_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(VECINOS_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def closing_connections[**P, T](work: Callable[P, T]) -> Callable[P, T]:
    """``work`` for a thread of a test: its database connections are closed when it
    returns, as Django closes a request's, so that a thread that has ended leaves no
    connection of the pool lent (the test database could not be dropped)."""

    @functools.wraps(work)
    def closing(*args: P.args, **kwargs: P.kwargs) -> T:
        from django.db import connections

        try:
            return work(*args, **kwargs)
        finally:
            connections.close_all()

    return closing


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """pytest-django's test database, whose teardown drops it: the report writer thread
    is stopped first, so that its connection does not keep the database in use."""
    yield
    from vecinos.reports import writer

    writer.stop()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, made once per run."""
    import subprocess
    import sys

    directory = tmp_path_factory.mktemp("migrated")
    subprocess.run(
        [sys.executable, "-m", "vecinos", "migrate", "--no-input", "-v", "0"],
        env=process_env(directory),
        check=True,
        timeout=180,
    )
    return directory


@pytest.fixture
def migrated_data_dir(migrated_template: Path, tmp_path: Path) -> Path:
    """A copy of the migrated data directory, for one test's processes."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(migrated_template, target)
    return target


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Django's real hasher takes half a second a password by design; the suite makes
    hundreds of users. MD5 here only, never in settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Reports ----------------------------------------------------------------------------------
@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    """MEDIA_ROOT in a fresh directory of this test (report photos land there)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# Delivery: the console outbox and real servers on loopback ---------------------------------
@pytest.fixture
def console_outbox() -> Iterator[Any]:
    """What the console transport 'sent' during the test (a deque of console.Sent)."""
    from vecinos.delivery.transports import console

    console.clear()
    yield console.outbox
    console.clear()


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[Any]:
    """A loopback SMTP server (aiosmtpd); email goes there instead of the console."""
    from tests.servers.smtp import SMTPServer

    server = SMTPServer(free_port()).start()
    settings.MAILERS = server.mailer_settings()
    settings.DELIVERY_EMAIL_ENABLED = True
    settings.DELIVERY_CONSOLE_ONLY = False
    yield server
    server.stop()


@pytest.fixture
def twilio_server(settings: Settings) -> Iterator[Any]:
    """A loopback Twilio-compatible API; SMS goes there, two senders, no pacing to
    speak of (tests of the rate set SMS_RATE themselves)."""
    from tests.servers.twilio import TwilioServer
    from vecinos.delivery import ratelimit

    # The same auth token as the inbound webhooks (twilio_webhook): one Twilio account.
    server = TwilioServer(free_port(), token=TWILIO_TEST_TOKEN).start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    settings.TWILIO_FROM = ["+13235550001", "+13235550002"]
    settings.SMS_RATE = 1000.0
    settings.DELIVERY_CONSOLE_ONLY = False
    ratelimit.limiter().reset()
    yield server
    server.stop()
    ratelimit.limiter().reset()


@pytest.fixture
def push_server(settings: Settings) -> Iterator[Any]:
    """A loopback Web Push service that decrypts like a browser and checks VAPID."""
    from tests.servers.webpush import WebPushServer

    server = WebPushServer(free_port()).start()
    settings.DELIVERY_CONSOLE_ONLY = False
    yield server
    server.stop()


# Subscriptions and inbound SMS ------------------------------------------------------------
TWILIO_TEST_TOKEN = "twilio-test-auth-token"
PUBLIC_URL = "https://vecinos.example.org"


class SignedTwilio:
    """Posts to the Twilio webhooks as Twilio does: form parameters and an
    X-Twilio-Signature over the public URL and the sorted parameters."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def signature(self, path: str, params: dict[str, str], token: str = TWILIO_TEST_TOKEN) -> str:
        from vecinos.delivery.inbound import compute_signature

        return compute_signature(PUBLIC_URL + path, {k: [v] for k, v in params.items()}, token)

    def post(self, path: str, params: dict[str, str], *, signature: str | None = None) -> Any:
        given = self.signature(path, params) if signature is None else signature
        from urllib.parse import urlencode

        headers = {"X-Twilio-Signature": given} if given else {}
        return self.client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    def text(self, body: str, sender: str = "+12135550100") -> Any:
        """An inbound SMS from ``sender``; returns the response."""
        # Every message Twilio sends has its own id (a replay repeats one).
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+13235550001"}
        params["Body"] = body
        return self.post("/sms/twilio", params)

    def reply(self, body: str, sender: str = "+12135550100") -> str:
        """The text of the TwiML reply to an inbound SMS ('' when there is none)."""
        import xml.etree.ElementTree as ET

        response = self.text(body, sender)
        assert response.status_code == 200, response.content
        message = ET.fromstring(response.content).find("Message")  # noqa: S314 - our own reply
        return "" if message is None else (message.text or "")


@pytest.fixture
def twilio_webhook(settings: Settings, fresh_cache: None) -> SignedTwilio:
    """Webhooks signed with a known auth token, behind a known public URL."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TEST_TOKEN
    settings.VECINOS_PUBLIC_URL = PUBLIC_URL
    settings.VECINOS_PUBLIC_ORIGIN = PUBLIC_URL
    return SignedTwilio(Client())


# Alerts -----------------------------------------------------------------------------------
ALERT_PLACE = "Cesar Chavez Ave & Soto St"


@pytest.fixture
def confirmed_incident(db: None) -> Any:
    """A raid at Cesar Chavez Ave & Soto St, confirmed on the ground and labelled for
    the public: what a dispatcher drafts an alert from."""
    from tests.factories import make_incident
    from vecinos.reports.models import IncidentStatus

    return make_incident(status=IncidentStatus.CONFIRMED, public_label=ALERT_PLACE)


# API --------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def generous_api_rate(settings: Settings) -> None:
    """Every test client comes from 127.0.0.1, one client for VECINOS_API_RATE: the
    suite as a whole would meet the limit. Tests of the limit set it themselves."""
    settings.VECINOS_API_RATE = (1_000_000, 60)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Every test starts with an empty cache: rate-limit counters and used TOTP codes live
    there, and with REDIS_URL (CI's second pass) it would outlive the test process."""
    from django.core.cache import cache

    cache.clear()


def cache_contents() -> Iterator[tuple[str, str]]:
    """Every (key, value) in the default cache as text: the local-memory cache of the
    first CI pass, or the Redis database of the second."""
    import pickle

    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(None)
        for key in client.scan_iter():
            value = client.get(key)
            yield (
                key.decode("latin-1"),
                value.decode("latin-1") if isinstance(value, bytes) else repr(value),
            )
        return
    for key, value in list(cache._cache.items()):  # type: ignore[attr-defined]
        try:
            text = repr(pickle.loads(value))  # noqa: S301 - our own cache, in a test
        except Exception:
            text = value.decode("latin-1") if isinstance(value, bytes) else repr(value)
        yield str(key), text
