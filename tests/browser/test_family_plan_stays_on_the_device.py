"""The family plan in Chromium: a family fills it with details that must never leave
the phone (unique markers here), saves it locked with a passphrase, reloads, opens it
again; and no request (URL or body), no server log line, no database row and no file
under the data directory ever carries any of those details."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True)]

FIELDS = [
    "contact1",
    "contact2",
    "lawyer",
    "pickup",
    "schools",
    "medication",
    "documents",
    "attorney",
    "anumber",
]


def everything_in_the_database() -> str:
    rows = []
    for model in apps.get_models():
        rows.append(serializers.serialize("json", model._default_manager.all()))
    return "\n".join(rows)


def everything_under(directory: Path) -> list[tuple[Path, bytes]]:
    return [(path, path.read_bytes()) for path in directory.rglob("*") if path.is_file()]


def test_the_plan_is_kept_encrypted_on_the_device_and_never_sent(
    browser: Any, live_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    markers = {name: f"MARK{uuid.uuid4().hex[:12]}" for name in FIELDS}
    passphrase = f"pass-{uuid.uuid4().hex[:8]}"
    requests: list[tuple[str, str]] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("request", lambda r: requests.append((r.url, r.post_data or "")))
    try:
        page.goto(f"{live_server.url}/rights/plan")
        for name, marker in markers.items():
            page.fill(f"[data-field={name}]", f"{name}: {marker}")
        page.fill("#plan-passphrase", passphrase)
        page.click("#plan-save")
        expect(page.locator("#plan-status")).to_have_text(
            "Saved on this device, locked with your passphrase."
        )
        stored = page.evaluate("localStorage.getItem('vecinos-family-plan')")

        page.reload()
        for name in FIELDS:
            expect(page.locator(f"[data-field={name}]")).to_have_value("")
        page.fill("#plan-passphrase", "not the passphrase")
        page.click("#plan-open")
        expect(page.locator("#plan-status")).to_have_text(
            "That passphrase does not open the saved plan."
        )
        page.fill("#plan-passphrase", passphrase)
        page.click("#plan-open")
        expect(page.locator("#plan-status")).to_have_text("Your saved plan is open.")
        for name, marker in markers.items():
            expect(page.locator(f"[data-field={name}]")).to_have_value(f"{name}: {marker}")
        page.click("#plan-erase")
        erased = page.evaluate("localStorage.getItem('vecinos-family-plan')")
    finally:
        context.close()

    # On the device: only ciphertext, and gone once erased.
    assert stored and '"data"' in stored
    assert not any(marker in stored for marker in markers.values())
    assert passphrase not in stored
    assert erased is None
    # Nothing sent: not in any URL, not in any body.
    assert requests, "the page was loaded through the browser"
    secrets = [*markers.values(), passphrase]
    for url, body in requests:
        assert url.startswith(live_server.url)
        assert not any(s in url or s in body for s in secrets), url
    # Nothing logged, nothing stored on the server.
    assert not any(s in caplog.text for s in secrets)
    database = everything_in_the_database()
    assert not any(s in database for s in secrets)
    for path, content in everything_under(Path(settings.DATA_DIR)):
        assert not any(s.encode() in content for s in secrets), path
