"""The directory as CSV, for admins: export every organization, import a file that
creates or updates organizations by ``slug``.

An import is all or nothing: every row is checked first, and one bad row stops the
whole file with its line number and what is wrong (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vecinos.alerts.phrases import BOOKS as LANGUAGES
from vecinos.directory.models import Organization, Service

COLUMNS = [
    "slug",
    "name",
    "description",
    "services",
    "languages",
    "hours",
    "phone",
    "website",
    "zip_codes",
    "takes_new_cases",
    "last_checked",
]
REQUIRED = {"slug", "name", "last_checked"}
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
PHONE_RE = re.compile(r"^\+?[0-9(][0-9 ().\-]{5,38}$")
YES = {"yes", "true", "1", "y", "sí", "si"}
NO = {"no", "false", "0", "n", ""}


class ImportError_(ValueError):
    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {message}" for line, message in errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)


def export_csv(organizations: list[Organization]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in organizations:
        writer.writerow(
            [
                o.slug,
                o.name,
                o.description,
                ";".join(o.services),
                ";".join(o.languages),
                o.hours,
                o.phone,
                o.website,
                ";".join(o.zip_codes),
                "yes" if o.takes_new_cases else "no",
                o.last_checked.isoformat(),
            ]
        )
    return out.getvalue()


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _row(line: int, raw: dict[str, str]) -> dict[str, Any]:
    """One row's values, checked; raises ValueError with the message."""
    from vecinos.alerts.areas import AreaError, zip_area

    values: dict[str, Any] = {}
    for name in REQUIRED:
        if not (raw.get(name) or "").strip():
            raise ValueError(_("“%(column)s” is empty.") % {"column": name})
    slug = raw["slug"].strip()
    if slugify(slug) != slug or len(slug) > 80:
        raise ValueError(
            _("“%(slug)s” is not a valid slug (lowercase letters, digits, hyphens).")
            % {"slug": slug}
        )
    values["slug"] = slug
    values["name"] = raw["name"].strip()[:160]
    values["description"] = (raw.get("description") or "").strip()
    services = _list(raw.get("services") or "")
    unknown = [s for s in services if s not in Service.values]
    if unknown:
        raise ValueError(_("unknown service “%(value)s”.") % {"value": unknown[0]})
    values["services"] = services
    languages = _list(raw.get("languages") or "")
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown:
        raise ValueError(_("unknown language “%(value)s”.") % {"value": unknown[0]})
    values["languages"] = languages
    values["hours"] = (raw.get("hours") or "").strip()[:200]
    phone = (raw.get("phone") or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ValueError(_("“%(value)s” is not a phone number.") % {"value": phone})
    values["phone"] = phone
    website = (raw.get("website") or "").strip()
    if website:
        try:
            URLValidator(schemes=["https", "http"])(website)
        except ValidationError:
            raise ValueError(_("“%(value)s” is not a web address.") % {"value": website}) from None
    values["website"] = website
    zips = _list(raw.get("zip_codes") or "")
    cells: set[int] = set()
    for code in zips:
        try:
            cells |= zip_area(code).cells
        except AreaError:
            raise ValueError(
                _("“%(value)s” is not a ZIP code of the service area.") % {"value": code}
            ) from None
    values["zip_codes"] = zips
    values["area_cells"] = sorted(cells)
    flag = (raw.get("takes_new_cases") or "").strip().casefold()
    if flag not in YES | NO:
        raise ValueError(_("takes_new_cases must be yes or no, not “%(value)s”.") % {"value": flag})
    values["takes_new_cases"] = flag in YES
    try:
        values["last_checked"] = date.fromisoformat(raw["last_checked"].strip())
    except ValueError:
        raise ValueError(_("last_checked must be a date like 2026-01-31.")) from None
    return values


def parse_csv(data: bytes) -> list[Row]:
    """Every row checked; raises ``ImportError_`` listing each bad row by line."""
    if len(data) > MAX_BYTES:
        raise ImportError_([(0, _("The file is larger than 2 MB."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_([(0, _("The file is not UTF-8 text."))]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in sorted(REQUIRED) if name not in header]
    if missing:
        raise ImportError_([(1, _("missing column “%(column)s”.") % {"column": missing[0]})])
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportError_([(1, _("unknown column “%(column)s”.") % {"column": unknown[0]})])
    rows: list[Row] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append((line, _("more than %(max)s rows.") % {"max": MAX_ROWS}))
                break
            if None in raw:
                errors.append((line, _("more values than columns.")))
                continue
            try:
                values = _row(line, {k: v or "" for k, v in raw.items()})
            except ValueError as error:
                errors.append((line, str(error)))
                continue
            if values["slug"] in seen:
                errors.append(
                    (
                        line,
                        _("slug “%(slug)s” is also on line %(other)s.")
                        % {"slug": values["slug"], "other": seen[values["slug"]]},
                    )
                )
                continue
            seen[values["slug"]] = line
            rows.append(Row(line=line, values=values))
    except csv.Error as error:
        errors.append((reader.line_num, str(error)))
    if errors:
        raise ImportError_(errors)
    if not rows:
        raise ImportError_([(1, _("The file has no rows."))])
    return rows
