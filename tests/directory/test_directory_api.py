"""The directory's JSON API: the public search, one organization, the hotlines."""

from __future__ import annotations

import pytest
from django.test import Client

from vecinos.directory.models import Hotline, Organization

pytestmark = pytest.mark.django_db


def test_the_api_searches_like_the_page(directory: dict[str, Organization]) -> None:
    response = Client().get("/api/v1/legal-aid", {"zip": "90033", "language": "es"})
    assert response.status_code == 200
    body = response.json()
    assert [o["slug"] for o in body] == ["boyle-heights-law", "county-wide"]
    assert body[0]["takes_new_cases"] is True and body[0]["zip_codes"] == ["90033"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"zip": "12"}, "zip"), ({"language": "xx"}, "language"), ({"service": "tea"}, "service")],
)
def test_bad_filters_get_a_422_naming_the_field(
    directory: dict[str, Organization], params: dict[str, str], field: str
) -> None:
    response = Client().get("/api/v1/legal-aid", params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_one_organization_or_a_404(directory: dict[str, Organization]) -> None:
    assert Client().get("/api/v1/legal-aid/koreatown-clinic").json()["languages"] == ["en", "ko"]
    assert Client().get("/api/v1/legal-aid/nobody").status_code == 404


def test_the_hotlines_are_listed(settings: object, db: None) -> None:
    settings.VECINOS_HOTLINE = "(213) 555-0100"  # type: ignore[attr-defined]
    Hotline.objects.create(label="Legal", phone="(213) 555-0111")
    body = Client().get("/api/v1/hotlines").json()
    assert [h["phone"] for h in body] == ["(213) 555-0100", "(213) 555-0111"]
