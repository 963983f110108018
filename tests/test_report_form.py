"""The public report form at /report: anyone can report without an account and
without JavaScript, in English or Spanish, and learns what happens next and what is
stored."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, photo_bytes
from vecinos.reports.models import Channel, Incident, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "media_root")]


def local(when: Any = None) -> str:
    return timezone.localtime(when or timezone.now()).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "raid",
        "place": "Cesar Chavez Ave & Soto St",
        "lat": "",
        "lng": "",
        "observed_at": local(),
        "agencies": ["ice", "police"],
        "vehicles": "2",
        "officers": "6",
        "description": "Agents at the bakery door.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_asks_what_where_when_and_who_without_an_account() -> None:
    response = Client().get("/report")

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("kind", "place", "lat", "lng", "observed_at", "agencies", "vehicles"):
        assert f'name="{name}"' in html
    for name in ("officers", "description", "photo"):
        assert f'name="{name}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="datetime-local"' in html
    assert 'type="hidden" name="lat"' in html


def test_the_when_field_defaults_to_now() -> None:
    html = Client().get("/report").content.decode()

    value = re.search(r'name="observed_at" value="([^"]+)"', html)
    assert value is not None
    assert value.group(1) == local()


def test_the_form_says_what_happens_next_and_what_is_stored() -> None:
    html = Client().get("/report").content.decode()

    assert "Nothing is published before that" in html
    assert "IP address" in html
    assert "never ask your name" in html
    assert "Hidden data in your photo" in html
    assert "deleted after 14 days" in html
    assert "never published as you wrote it" in html


def test_the_form_loads_the_map_only_from_this_site_and_no_inline_script() -> None:
    response = Client().get("/report")
    html = response.content.decode()

    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts)
    assert "/static/leaflet/leaflet.js" in html
    assert "/static/reports/report.js" in html
    assert "style=" not in html
    assert "https://" not in re.sub(r'data-tile-url="[^"]*"', "", html)


def test_the_map_picker_is_hidden_without_javascript() -> None:
    html = Client().get("/report").content.decode()

    slot = re.search(r'<div id="report-map-slot"[^>]*>', html)
    assert slot is not None and " hidden" in slot.group(0)


def test_the_home_page_links_to_the_form() -> None:
    html = Client().get("/").content.decode()

    assert 'href="/report"' in html
    assert "Report what you see" in html


def test_a_report_with_only_a_place_is_accepted_and_needs_a_location() -> None:
    response = Client().post("/report", form_data())

    assert response.status_code == 303
    assert response["Location"] == "/report/thanks"
    report = Report.objects.get()
    assert report.channel == Channel.WEB
    assert (report.lat, report.lng) == (None, None)
    assert report.place == "Cesar Chavez Ave & Soto St"
    assert report.agencies == ["ice", "police"]
    assert (report.vehicles, report.officers) == (2, 6)
    assert report.language == "en"
    assert report.incident.needs_location


def test_a_report_with_a_map_point_is_clustered() -> None:
    Client(REMOTE_ADDR="10.1.1.1").post(
        "/report", form_data(lat=str(BOYLE_HEIGHTS[0]), lng=str(BOYLE_HEIGHTS[1]))
    )
    Client(REMOTE_ADDR="10.1.1.2").post(
        "/report", form_data(lat="34.0410", lng="-118.2090", place="")
    )

    incident = Incident.objects.get()
    assert (incident.report_count, incident.source_count) == (2, 2)
    assert not incident.needs_location


def test_the_thank_you_page_says_what_happens_next_and_leaks_nothing() -> None:
    client = Client()
    response = client.post("/report", form_data(), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your report was received" in html
    assert "A trained responder" in html
    report = Report.objects.get()
    assert str(report.id) not in html
    assert str(report.incident_id) not in html
    assert report.id.hex not in html
    assert "bakery" not in html


def test_a_photo_sent_with_the_form_is_stored_without_metadata(media_root: Path) -> None:
    upload = SimpleUploadedFile("IMG_0001.jpg", photo_bytes(), content_type="image/jpeg")

    response = Client().post("/report", form_data(photo=upload))

    assert response.status_code == 303
    stored = (media_root / Report.objects.get().photo.name).read_bytes()
    assert b"GPS" not in stored and b"Vecinos Test Phone" not in stored


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_photo_field() -> None:
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a jpeg", content_type="image/jpeg")

    response = Client().post("/report", form_data(photo=upload))

    assert response.status_code == 400
    assert "must be a JPEG, PNG or WebP image" in response.content.decode()
    assert not Report.objects.exists()


def test_a_request_bigger_than_a_photo_can_be_is_refused_with_413(settings: Any) -> None:
    settings.VECINOS_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024), content_type="image/jpeg")

    response = Client().post("/report", form_data(photo=upload))

    assert response.status_code == 413
    assert "at most 2 MB" in response.content.decode()
    assert not Report.objects.exists()


def test_without_a_place_or_a_point_the_form_asks_where() -> None:
    response = Client().post("/report", form_data(place=""))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tell us where" in html
    # The message sits with the place field, before the next field.
    assert html.index("Tell us where") < html.index('name="observed_at"')
    assert not Report.objects.exists()


def test_invalid_answers_are_shown_next_to_their_fields_and_kept() -> None:
    response = Client().post(
        "/report",
        form_data(kind="riot", vehicles="-4", description="Still here", agencies=["nsa"]),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="errorlist') >= 3
    assert "Some answers need a second look" in html
    assert "Still here" in html  # what was typed is not lost
    assert not Report.objects.exists()


def test_an_empty_time_means_now() -> None:
    response = Client().post("/report", form_data(observed_at=""))

    assert response.status_code == 303
    assert abs(Report.objects.get().observed_at - timezone.now()) < timedelta(minutes=1)


def test_a_time_more_than_a_day_ago_is_refused() -> None:
    response = Client().post(
        "/report", form_data(observed_at=local(timezone.now() - timedelta(hours=25)))
    )

    assert response.status_code == 400
    assert "last 24 hours" in response.content.decode()


def test_a_time_in_the_future_is_refused() -> None:
    response = Client().post(
        "/report", form_data(observed_at=local(timezone.now() + timedelta(hours=1)))
    )

    assert response.status_code == 400
    assert "in the future" in response.content.decode()


def test_a_tampered_map_point_is_refused_not_a_500() -> None:
    response = Client().post("/report", form_data(lat="nan", lng="inf"))

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_point_without_its_other_half_is_ignored_and_the_place_used() -> None:
    response = Client().post("/report", form_data(lat="34.04"))

    assert response.status_code == 303
    assert Report.objects.get().lat is None


def test_the_form_needs_a_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post("/report", form_data())

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_the_form_with_its_csrf_token_works_in_a_real_browser_flow() -> None:
    client = Client(enforce_csrf_checks=True)
    html = client.get("/report").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None

    response = client.post("/report", form_data(csrfmiddlewaretoken=token.group(1)))

    assert response.status_code == 303


# Spanish ---------------------------------------------------------------------------------------


def test_the_form_is_served_in_spanish_to_a_spanish_browser() -> None:
    response = Client().get("/report", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")

    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_the_language_cookie_chooses_spanish() -> None:
    client = Client()
    client.cookies["django_language"] = "es"

    response = client.get("/report")

    assert '<html lang="es"' in response.content.decode()


def test_errors_are_explained_in_spanish() -> None:
    response = Client().post("/report", form_data(kind=""), HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 400
    assert "Este campo es obligatorio" in response.content.decode()


def test_a_spanish_report_records_its_language() -> None:
    Client().post("/report", form_data(), HTTP_ACCEPT_LANGUAGE="es")

    assert Report.objects.get().language == "es"


def test_a_report_the_writer_could_not_store_in_time_asks_to_send_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vecinos.reports import writer

    def too_slow(report: Any) -> Report:
        raise writer.WriterBusy

    monkeypatch.setattr(writer, "submit_report", too_slow)

    response = Client().post("/report", form_data())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "send it again" in response.content.decode()
