"""Admins move the directory in and out as CSV. A bad row is reported by its line and
nothing of the file is imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.directory.models import DirectoryEvent, Organization

pytestmark = pytest.mark.django_db

HEADER = "slug,name,services,languages,phone,zip_codes,takes_new_cases,last_checked\n"
GOOD = "new-clinic,New Clinic,bond;daca,es;ko,(213) 555-0199,90033;90020,yes,2026-11-30\n"


def upload(client: Client, text: str) -> object:
    return client.post(
        "/legal-help/manage/import",
        {"file": SimpleUploadedFile("d.csv", text.encode(), content_type="text/csv")},
    )


def test_export_then_import_gives_back_the_same_directory(
    ana: User, directory: dict[str, Organization]
) -> None:
    client = signed_in(ana)
    exported = client.get("/legal-help/manage/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    before = list(Organization.objects.order_by("slug").values())
    response = upload(client, exported.content.decode())
    assert response.status_code == 302
    after = list(Organization.objects.order_by("slug").values())
    ignore = {"updated_at"}
    assert [{k: v for k, v in o.items() if k not in ignore} for o in after] == [
        {k: v for k, v in o.items() if k not in ignore} for o in before
    ]


def test_an_import_creates_organizations_with_their_area(ana: User) -> None:
    assert upload(signed_in(ana), HEADER + GOOD).status_code == 302
    clinic = Organization.objects.get(slug="new-clinic")
    assert clinic.services == ["bond", "daca"] and clinic.languages == ["es", "ko"]
    assert clinic.zip_codes == ["90033", "90020"] and len(clinic.area_cells) > 10
    assert DirectoryEvent.objects.filter(organization=clinic, actor=ana).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("bad-zip,X,bond,es,,99999,yes,2026-11-30", "Line 3: “99999” is not a ZIP code"),
        ("bad-lang,X,bond,xx,,,yes,2026-11-30", "Line 3: unknown language “xx”"),
        ("bad-service,X,lunch,es,,,yes,2026-11-30", "Line 3: unknown service “lunch”"),
        ("bad-date,X,bond,es,,,yes,yesterday", "Line 3: last_checked must be a date"),
        ("bad-phone,X,bond,es,call us,,yes,2026-11-30", "Line 3: “call us” is not a phone"),
        ("Bad Slug,X,bond,es,,,yes,2026-11-30", "Line 3: “Bad Slug” is not a valid slug"),
        (
            "new-clinic,Again,bond,es,,,yes,2026-11-30",
            "Line 3: slug “new-clinic” is also on line 2",
        ),
    ],
)
def test_one_bad_row_stops_the_whole_file_and_names_its_line(
    ana: User, row: str, message: str
) -> None:
    response = upload(signed_in(ana), HEADER + GOOD + row + "\n")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organization.objects.exists()  # not even the good first row


def test_a_file_that_is_not_csv_of_ours_is_refused_clearly(ana: User) -> None:
    client = signed_in(ana)
    response = upload(client, "who,what\nx,y\n")
    assert response.status_code == 400 and "missing column" in response.content.decode()
    binary = client.post(
        "/legal-help/manage/import",
        {"file": SimpleUploadedFile("d.csv", b"\xff\xfe\x00bad", content_type="text/csv")},
    )
    assert binary.status_code == 400 and "not UTF-8" in binary.content.decode()


@pytest.mark.parametrize("who", ["mara", "rosa", "carmen", "dani"])
def test_only_admins_import_and_export(who: str, request: pytest.FixtureRequest) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get("/legal-help/manage/export.csv").status_code == 404
    assert upload(client, HEADER + GOOD).status_code == 404
    assert not Organization.objects.exists()
