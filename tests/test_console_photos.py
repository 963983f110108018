"""Report photos are served by a permission-checked view, to the staff who may see
the incident, and never cached; nobody else learns that they exist."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_user, signed_in
from tests.factories import photo_bytes, submit
from vecinos.accounts.models import Role, User
from vecinos.reports import actions
from vecinos.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(media_root) -> Report:
    return submit(photo=photo_bytes(format="PNG", gps=False))


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    data = b"".join(response.streaming_content)
    response.close()
    return data


@pytest.mark.parametrize("who", ["dani", "ana"])
def test_dispatchers_see_the_photo_never_cached(
    report: Report, request: pytest.FixtureRequest, who: str
) -> None:
    response = signed_in(request.getfixturevalue(who)).get(f"/console/photos/{report.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert body(response).startswith(b"\x89PNG")


def test_the_responder_sent_to_the_incident_sees_it(report: Report, dani: User, rosa: User) -> None:
    client = signed_in(rosa)
    assert client.get(f"/console/photos/{report.pk}").status_code == 404
    actions.dispatch_responders(incident=report.incident, responders=[rosa], actor=dani)
    response = client.get(f"/console/photos/{report.pk}")
    assert response.status_code == 200
    body(response)


@pytest.mark.parametrize("who", ["mara", "olga", "carmen"])
def test_everyone_else_gets_a_404(report: Report, request: pytest.FixtureRequest, who: str) -> None:
    response = signed_in(request.getfixturevalue(who)).get(f"/console/photos/{report.pk}")
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(report: Report) -> None:
    response = Client().get(f"/console/photos/{report.pk}")
    assert response.status_code == 302


def test_a_report_without_a_photo_is_a_404(dani: User, db: None) -> None:
    report = submit()
    assert signed_in(dani).get(f"/console/photos/{report.pk}").status_code == 404


def test_photos_are_not_reachable_under_a_public_media_url(report: Report) -> None:
    assert report.photo.name
    assert Client().get(f"/media/{report.photo.name}").status_code == 404
    responder = make_user("ramon", Role.RESPONDER)
    assert signed_in(responder).get(f"/media/{report.photo.name}").status_code == 404
