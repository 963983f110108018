"""The public search, by ZIP code, language and kind of help, works as a plain form."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vecinos.directory import queries
from vecinos.directory.models import Organization

pytestmark = pytest.mark.django_db


def names(response: object) -> list[str]:
    return [o.slug for o in response.context["results"]]  # type: ignore[attr-defined]


def test_a_zip_code_finds_those_serving_it_and_those_serving_everywhere(
    directory: dict[str, Organization],
) -> None:
    response = Client().get("/legal-help/", {"zip": "90033"})
    assert response.status_code == 200
    assert names(response) == ["boyle-heights-law", "county-wide"]  # taking cases first


def test_language_and_service_narrow_the_search(directory: dict[str, Organization]) -> None:
    assert names(Client().get("/legal-help/", {"language": "ko"})) == ["koreatown-clinic"]
    assert names(Client().get("/legal-help/", {"service": "asylum"})) == ["county-wide"]
    both = Client().get("/legal-help/", {"zip": "90020", "language": "km"})
    assert names(both) == ["county-wide"]


def test_the_page_shows_phone_hours_languages_and_whether_they_take_cases(
    directory: dict[str, Organization],
) -> None:
    html = Client().get("/legal-help/", {"zip": "90033"}).content.decode()
    assert "(213) 555-0150" in html and "Taking new cases" in html
    assert ("Not taking new cases now" in html and "ភាសាខ្មែរ" in html) or "ខ្មែរ" in html


def test_a_bad_zip_code_is_a_400_that_says_so(directory: dict[str, Organization]) -> None:
    response = Client().get("/legal-help/", {"zip": "9003"})
    assert response.status_code == 400
    assert "Enter a five-digit ZIP code." in response.content.decode()
    response = Client().get("/legal-help/", {"language": "xx"})
    assert response.status_code == 400


def test_the_search_needs_no_javascript(directory: dict[str, Organization]) -> None:
    html = Client().get("/legal-help/").content.decode()
    assert '<form method="get" action="/legal-help/"' in html
    assert "<script" not in html


def test_the_search_reads_the_directory_in_one_query(
    directory: dict[str, Organization],
) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = queries.search(zip_code="90033", language="es")
    assert len(found) == 2 and len(captured) == 1


def test_organizations_for_an_area_is_what_other_apps_use(
    directory: dict[str, Organization],
) -> None:
    from vecinos.alerts.areas import zip_area

    found = queries.organizations_for_cells(zip_area("90020").cells)
    assert [o.slug for o in found] == ["koreatown-clinic", "county-wide"]
