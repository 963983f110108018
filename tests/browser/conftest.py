"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

The pages are served by pytest-django's ``live_server`` (a threaded server in this
process, on the test database), so a dispatcher's Server-Sent-Events stream and a
reporter's form submission meet in one process, as under the embedded `vecinos serve`.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import pytest

from tests.conftest import unavailable

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# beside one unless told that this test process knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("VECINOS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        unavailable(f"Debian's chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # While Playwright's event loop runs in this thread, Django keeps this thread's
    # database connections apart from those it had before (asgiref's Local stores them
    # per context when a loop is running). So the connections of each side are closed
    # on its side: those from before now, those from the browser tests' time before
    # the loop stops. Otherwise one stays open and, on PostgreSQL, the test database
    # cannot be dropped at the end of the run.
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A page on a small phone: 360 px wide, touch, no stored state."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-US"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def totp_now(secret: str = "JBSWY3DPEHPK3PXP") -> str:  # noqa: S107 - the test users' secret
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page: object, base_url: str, username: str, password: str, *, totp: bool) -> None:
    """Sign in through the real pages, with the second factor when the role needs it."""
    page.goto(f"{base_url}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("input[name=login]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("form button[type=submit]:not(.language button)")  # type: ignore[attr-defined]
    if totp:
        page.fill("input[name=code]", totp_now())  # type: ignore[attr-defined]
        # Not the header's language switcher, which comes first on every page.
        page.click("form button[type=submit]:not(.language button)")  # type: ignore[attr-defined]
