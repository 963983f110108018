"""The seizure drill: the machine is taken with everything on it. Contacts, codes,
manage links and client addresses are seeded through the public paths of a running
``vecinos run`` (server and worker, real queue, loopback providers); then the database
(the SQLite file and its WAL, or a ``pg_dump``), the queue (its file and WAL, or
Redis), the data directory and every log are searched for each of them in plaintext or
in any reversible unkeyed form (hex digests of common hashes, whole or cut short,
base64). Nothing may be found.

Other features add what they keep about people by appending a seeder to ``SEEDERS``:
a function ``(stack, secrets) -> None`` that uses only public paths and adds what must
not be found to ``secrets``."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import requests

from tests.conftest import unavailable
from tests.proofs.conftest import Stack, wait_for
from tests.servers.twilio import twilio_signature

_numbers = itertools.count(1)


class Secrets:
    """What must not be found, each under a label saying where it came from."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, label: str, value: str) -> None:
        assert value, label
        self.items[label] = value


Seeder = Callable[[Stack, Secrets], None]


def _client(n: int) -> dict[str, str]:
    """A distinct client address (the stack trusts loopback as its proxy)."""
    return {"X-Forwarded-For": f"203.0.113.{n}"}


def _code(text: str) -> str:
    match = re.search(r"\b(\d{3})[ -]?(\d{3})\b", text)
    assert match, text
    return match.group(1) + match.group(2)


def _manage_token(text: str) -> str:
    match = re.search(r"/alerts/manage/([^\s\"'<>]+)", text)
    assert match, text
    return match.group(1)


def seed_sms_subscriber(stack: Stack, secrets: Secrets) -> None:
    n = next(_numbers)
    phone = f"+1213555{7000 + n:04d}"
    secrets.add(f"subscriber phone {n}", phone)
    secrets.add(f"subscriber client address {n}", f"203.0.113.{n}")
    answer = requests.post(
        stack.url + "/api/v1/subscriptions",
        json={"channel": "sms", "address": phone, "language": "es", "area": {"zip": "90033"}},
        headers=_client(n),
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    sms = wait_for(lambda: stack.twilio.to(phone), 60, "the confirmation code by SMS")
    code = _code(sms[0].body)
    secrets.add(f"confirmation code {n}", code)
    confirmed = requests.post(
        f"{stack.url}/api/v1/subscriptions/{answer.json()['id']}/confirm",
        json={"code": code},
        headers=_client(n),
        timeout=30,
    )
    assert confirmed.status_code == 200, confirmed.text
    # A manage link, asked for on the web page.
    session, token = stack.csrf_session("/alerts/manage")
    asked = session.post(
        stack.url + "/alerts/manage",
        data={"csrfmiddlewaretoken": token, "channel": "sms", "address": phone},
        headers={**_client(n), "Referer": stack.url + "/alerts/manage"},
        timeout=30,
    )
    assert asked.status_code == 200, asked.text[:500]
    link = wait_for(lambda: len(stack.twilio.to(phone)) >= 2 and stack.twilio.to(phone)[-1])
    secrets.add(f"manage link {n}", _manage_token(link.body))


def seed_email_subscriber(stack: Stack, secrets: Secrets) -> None:
    n = next(_numbers)
    email = f"vecina.{n}.drill@example.org"
    secrets.add(f"subscriber email {n}", email)
    secrets.add(f"subscriber client address {n}", f"203.0.113.{n}")
    answer = requests.post(
        stack.url + "/api/v1/subscriptions",
        json={"channel": "email", "address": email, "language": "en", "area": {"zip": "90033"}},
        headers=_client(n),
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    mail = wait_for(lambda: stack.smtp.to(email), 60, "the confirmation code by email")
    secrets.add(f"email code {n}", _code(mail[0].text))


def seed_reports(stack: Stack, secrets: Secrets) -> None:
    for _ in range(3):
        n = next(_numbers)
        secrets.add(f"reporter client address {n}", f"203.0.113.{n}")
        answer = requests.post(
            stack.url + "/api/v1/reports",
            json={"kind": "raid", "lat": 34.0403, "lng": -118.2093},
            headers=_client(n),
            timeout=30,
        )
        assert answer.status_code == 201, answer.text


def seed_sms_report(stack: Stack, secrets: Secrets) -> None:
    n = next(_numbers)
    phone = f"+1323555{8000 + n:04d}"
    secrets.add(f"reporter phone {n}", phone)
    params = {
        "MessageSid": f"SM{n:032d}",
        "From": phone,
        "To": "+13235550001",
        "Body": "REPORTE redada en Cesar Chavez y Soto",
    }
    signature = twilio_signature(stack.twilio.token, stack.url + "/sms/twilio", params)
    answer = requests.post(
        stack.url + "/sms/twilio",
        data=urlencode(params),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


SEEDERS: list[Seeder] = [
    seed_sms_subscriber,
    seed_email_subscriber,
    seed_reports,
    seed_sms_report,
]


def forms(value: str) -> Iterator[tuple[str, bytes]]:
    """``value`` as it could sit on disk without a key: itself (and without its '+'),
    hex digests of common hashes whole and cut to 8 and 16 characters, base64."""
    variants = {value, value.lstrip("+"), value.lower()}
    for variant in sorted(variants):
        yield "plain", variant.encode()
        yield "utf-16", variant.encode("utf-16-le")
        yield "base64", base64.b64encode(variant.encode()).rstrip(b"=")
        for name in ("md5", "sha1", "sha256", "sha512"):
            digest = hashlib.new(name, variant.encode())
            hexed = digest.hexdigest().encode()
            yield name, hexed[:16]
            yield name, base64.b64encode(digest.digest()).rstrip(b"=")[:16]


def files_of(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (path for path in sorted(root.rglob("*")) if path.is_file())


def findings(secrets: Secrets, paths: list[Path], extra: dict[str, bytes]) -> list[str]:
    blobs = {str(path): path.read_bytes() for path in paths}
    blobs.update(extra)
    found = []
    for label, value in secrets.items.items():
        for form, needle in forms(value):
            for where, blob in blobs.items():
                if needle in blob or needle.lower() in blob.lower():
                    found.append(f"{label} ({form}) in {where}")
    return found


def redis_dump(url: str) -> dict[str, bytes]:
    """Every key of the Redis database at ``url`` with its ``DUMP`` (the serialised
    value, as a seized RDB file would hold it) and, for a string, its value as is
    (a DUMP may hold a long string compressed), one blob per key."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        keys = list(client.scan_iter(count=1000))
        dumps = {key: (client.dump(key) or b"") for key in keys}
        for key in keys:
            if client.type(key) == b"string":
                dumps[key] += b"\n" + (client.get(key) or b"")
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {url}: {error}")
    return {f"redis {key!r}": key + b"\n" + dump for key, dump in dumps.items()}


def test_nothing_seeded_through_public_paths_is_found_on_the_seized_machine(
    stack: Stack,
) -> None:
    secrets = Secrets()
    for seeder in SEEDERS:
        seeder(stack, secrets)
    # Let the worker finish what it was given (codes, links), as it would before a raid.
    wait_for(lambda: b"Executing" not in stack.log.read_bytes()[-2000:] or True, 5, "the worker")
    extra: dict[str, bytes] = {}
    database_url = stack.env.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        if shutil.which("pg_dump") is None:
            unavailable("pg_dump is not installed")
        extra["pg_dump"] = subprocess.run(
            ["pg_dump", "--data-only", database_url], capture_output=True, check=True
        ).stdout
        assert b"reports_report" in extra["pg_dump"]  # the dump holds the tables
    if redis_url := stack.env.get("REDIS_URL", ""):
        dumped = redis_dump(redis_url)
        assert dumped, "the stack's Redis holds no key at all (queue and cache live there)"
        extra.update(dumped)
    found = findings(secrets, list(files_of(stack.data_dir, stack.log)), extra)
    assert len(secrets.items) >= 10
    assert not found, "found on the seized machine:\n" + "\n".join(sorted(set(found)))
