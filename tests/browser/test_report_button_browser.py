"""On the home page "Report what you see" looks like a button: filled, unlike the
outlined links beside it."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.django_db(transaction=True)]

STYLE = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"


def test_report_what_you_see_is_filled_unlike_the_other_links(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        report = page.locator(".actions a", has_text="Report what you see")
        other = page.locator(".actions a", has_text="Current alerts")
        report_background, report_text = report.evaluate(STYLE)
        other_background, _other_text = other.evaluate(STYLE)
    finally:
        context.close()

    assert report_background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert report_background != other_background
    assert report_text == "rgb(255, 255, 255)"
