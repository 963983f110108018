"""A normal phone photo (bigger than 5 MB) does not throw the report away: the server
takes it, up to VECINOS_PHOTO_MAX_BYTES, and downsizes it; a photo over the limit
never costs the reporter their text."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.test_report_form import form_data
from vecinos.reports.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "media_root")]


def phone_photo(width: int, height: int, quality: int) -> bytes:
    """A camera-sized JPEG whose noise keeps it large, as a phone's full-size picture."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def test_a_photo_over_5_mb_is_kept_downsized() -> None:
    data = phone_photo(2600, 1950, 95)
    assert len(data) > 5 * 1024 * 1024

    response = Client().post(
        "/report",
        form_data(photo=SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")),
    )

    assert response.status_code in (302, 303)
    report = Report.objects.get()
    with default_storage.open(report.photo.name) as stored, Image.open(stored) as image:
        assert max(image.size) <= 2048


def test_a_request_over_the_limit_keeps_the_report_without_its_photo(settings: Any) -> None:
    settings.VECINOS_PHOTO_MAX_BYTES = 1024 * 1024
    data = phone_photo(300, 300, 95) + b"\x00" * (3 * 1024 * 1024 // 2)
    upload = SimpleUploadedFile("IMG_0003.jpg", data, content_type="image/jpeg")

    response = Client().post(
        "/report", form_data(photo=upload, description="Agents at the bus stop"), follow=True
    )

    report = Report.objects.get()
    assert report.description == "Agents at the bus stop"
    assert not report.photo
    assert "sent without its photo: the photo was larger than 1 MB" in response.content.decode()


def test_a_request_over_the_limit_with_a_problem_keeps_the_text(settings: Any) -> None:
    settings.VECINOS_PHOTO_MAX_BYTES = 1024 * 1024
    data = phone_photo(300, 300, 95) + b"\x00" * (3 * 1024 * 1024 // 2)
    upload = SimpleUploadedFile("IMG_0004.jpg", data, content_type="image/jpeg")

    response = Client().post(
        "/report", form_data(photo=upload, kind="bogus", description="Agents at the bus stop")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Agents at the bus stop" in page
    assert "The photo is larger than 1 MB." in page
    assert not Report.objects.exists()


def test_the_report_form_still_checks_its_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post("/report", form_data())

    assert response.status_code == 403
    assert not Report.objects.exists()
