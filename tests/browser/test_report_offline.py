"""A report written in a dead zone survives: the report page, once seen with signal,
opens again without it (the service worker's copy); a report sent without signal is
kept on the phone, photo included, and the page says "waiting for signal"; when the
signal returns it is sent by itself with its idempotency key, the page says "sent",
and exactly one report is stored (a resend with the same key answers the first:
tests/test_report_idempotency.py)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from vecinos.reports.models import Report

pytestmark = [pytest.mark.django_db(transaction=True)]

# A small real JPEG (8x8, grey): the photo travels through IndexedDB as a File.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/"
    "wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AVN//2Q=="
)


def test_a_report_written_offline_is_sent_once_when_the_signal_returns(
    browser: Any, live_server: Any, media_root: Any, fresh_cache: None, tmp_path: Any
) -> None:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, service_workers="allow"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url

    page.goto(f"{base}/report")
    # The service worker is installed and has kept the page and its files.
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready"
    )
    page.wait_for_timeout(1500)

    context.set_offline(True)
    page.reload()  # from the service worker's copy
    expect(page.locator("form.report-form")).to_be_visible()

    page.check("input[name=kind][value=raid]")
    page.fill("input[name=place]", "Cesar Chavez Ave & Soto St")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(JPEG)
    page.set_input_files("input[name=photo]", str(photo))
    page.click("button.report-submit")
    expect(page.locator("#report-queue-status")).to_contain_text("Waiting for signal")
    assert Report.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#report-queue-status")).to_contain_text("Sent", timeout=15000)
    page.wait_for_timeout(500)
    (report,) = Report.objects.all()
    assert report.place == "Cesar Chavez Ave & Soto St"
    assert report.photo  # the photo came along
    assert report.idempotency_hash

    # Another "online" later sends nothing more: the phone no longer keeps it.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)
    assert Report.objects.count() == 1
    assert errors == []
    context.close()
