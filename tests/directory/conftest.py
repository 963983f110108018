from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from vecinos.alerts.areas import zip_area
from vecinos.directory.models import Organization


def organization(
    slug: str, *, zips: list[str], checked_days_ago: int = 10, **extra: object
) -> Organization:
    cells: set[int] = set()
    for code in zips:
        cells |= zip_area(code).cells
    values: dict[str, object] = {
        "name": slug.replace("-", " ").title(),
        "services": ["removal_defense"],
        "languages": ["en", "es"],
        "phone": "(213) 555-0150",
        "zip_codes": zips,
        "area_cells": sorted(cells),
        "last_checked": timezone.localdate() - timedelta(days=checked_days_ago),
        **extra,
    }
    return Organization.objects.create(slug=slug, **values)


@pytest.fixture
def directory(db: None) -> dict[str, Organization]:
    return {
        "boyle": organization(
            "boyle-heights-law", zips=["90033"], languages=["en", "es"], services=["bond"]
        ),
        "korean": organization(
            "koreatown-clinic", zips=["90020"], languages=["en", "ko"], services=["daca"]
        ),
        "county": organization(
            "county-wide",
            zips=[],
            languages=["es", "km"],
            services=["asylum"],
            takes_new_cases=False,
            last_checked=date(2026, 1, 1),
        ),
    }
