"""In the browser, a phone's full-size photo is shrunk before it is sent: a JPEG of at
most 2048 px replaces the chosen file, and the report arrives with it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from tests.test_report_large_photo import phone_photo
from vecinos.reports.models import Report

pytestmark = [pytest.mark.django_db(transaction=True)]

CHOSEN = "el => el.files.length ? [el.files[0].size, el.files[0].type, el.files[0].name] : null"


def test_a_large_photo_is_shrunk_before_it_is_sent(
    browser: Any, live_server: Any, media_root: Any, fresh_cache: None
) -> None:
    original = phone_photo(3000, 2250, 95)
    assert len(original) > 5 * 1024 * 1024
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/report")
        page.set_input_files(
            "#id_photo",
            files=[{"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": original}],
        )
        chosen = page.locator("#id_photo").evaluate(CHOSEN)
        deadline = time.monotonic() + 20
        while chosen[0] == len(original) and time.monotonic() < deadline:
            time.sleep(0.2)
            chosen = page.locator("#id_photo").evaluate(CHOSEN)
        page.check("input[name=kind][value=raid]")
        page.fill("input[name=place]", "Cesar Chavez Ave & Soto St")
        page.click("button.report-submit")
        page.wait_for_url("**/report/thanks**")
    finally:
        context.close()

    size, kind, name = chosen
    assert size < 2 * 1024 * 1024
    assert kind == "image/jpeg" and name == "IMG_0001.jpg"
    report = Report.objects.get()
    with default_storage.open(report.photo.name) as stored, Image.open(stored) as image:
        assert max(image.size) == 2048
