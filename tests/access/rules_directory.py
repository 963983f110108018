"""Access rules of the legal-aid directory (vecinos/directory/urls.py and its API
operations): public search; the CSV import and export and the checks for admins."""

from __future__ import annotations

from datetime import date

from tests.access.matrix import EVERYONE, Rule, World
from vecinos.directory.models import Organization

ADMINS = {"ana"}
CSV = b"slug,name,last_checked\nnew-clinic,New clinic,2026-11-01\n"


def setup(world: World) -> None:
    world.organization = Organization.objects.create(
        slug="clinic", name="Clinic", last_checked=date(2026, 1, 1), languages=["es"]
    )


RULES = [
    Rule("directory_search", allowed=EVERYONE),
    Rule("directory_manage", allowed=ADMINS),
    Rule("directory_export", allowed=ADMINS),
    Rule("directory_import", allowed=ADMINS),
    Rule(
        "directory_import",
        method="POST",
        data=lambda w: {"file": _upload()},
        allowed=ADMINS,
    ),
    Rule(
        "directory_checked",
        method="POST",
        kwargs=lambda w: {"slug": w.organization.slug},
        allowed=ADMINS,
    ),
    Rule("api:legal_aid", allowed=EVERYONE),
    Rule("api:legal_aid_one", kwargs=lambda w: {"slug": "clinic"}, allowed=EVERYONE),
    Rule("api:hotlines", allowed=EVERYONE),
]


def _upload() -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("directory.csv", CSV, content_type="text/csv")
