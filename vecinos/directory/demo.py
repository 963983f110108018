"""The demo directory: Los Angeles legal-aid organizations under their real public names,
with made-up details (555 numbers, approximate areas and hours), each marked as demo
data, plus the network's and two committees' hotlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from vecinos.alerts.areas import zip_area
from vecinos.directory.models import Hotline, Organization

DEMO_NOTE = " (Demo entry: the number, hours and area are made up.)"

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "slug": "chirla",
        "name": "CHIRLA (Coalition for Humane Immigrant Rights)",
        "description": "Know-your-rights trainings, a rapid-response hotline, DACA renewals.",
        "services": ["trainings", "hotline", "daca"],
        "languages": ["en", "es", "ko", "tl"],
        "hours": "Mon-Fri 9:00-17:00",
        "phone": "(213) 555-0131",
        "zip_codes": ["90057", "90017", "90026"],
        "takes_new_cases": True,
        "checked_days_ago": 12,
    },
    {
        "slug": "immdef",
        "name": "Immigrant Defenders Law Center (ImmDef)",
        "description": "Removal defense for people in detention and for children.",
        "services": ["removal_defense", "bond", "asylum"],
        "languages": ["en", "es"],
        "hours": "Mon-Fri 8:30-17:30",
        "phone": "(213) 555-0132",
        "zip_codes": ["90012", "90033", "90063"],
        "takes_new_cases": True,
        "checked_days_ago": 30,
    },
    {
        "slug": "carecen-la",
        "name": "CARECEN Los Angeles",
        "description": "Immigration legal services and community education in Pico-Union.",
        "services": ["daca", "asylum", "trainings"],
        "languages": ["en", "es"],
        "hours": "Mon-Thu 9:00-18:00",
        "phone": "(213) 555-0133",
        "zip_codes": ["90006", "90015", "90019"],
        "takes_new_cases": False,
        "checked_days_ago": 45,
    },
    {
        "slug": "public-counsel",
        "name": "Public Counsel",
        "description": "Pro bono lawyers: asylum, children's cases, family petitions.",
        "services": ["asylum", "removal_defense"],
        "languages": ["en", "es", "hy", "fa", "ru"],
        "hours": "Mon-Fri 9:00-17:00",
        "phone": "(213) 555-0134",
        "zip_codes": [],  # the whole county
        "takes_new_cases": True,
        "checked_days_ago": 60,
    },
    {
        "slug": "esperanza",
        "name": "Esperanza Immigrant Rights Project",
        "description": "Representation of detained adults and unaccompanied children.",
        "services": ["removal_defense", "bond"],
        "languages": ["en", "es", "zh-hans", "vi"],
        "hours": "Tue-Sat 9:00-16:00",
        "phone": "(213) 555-0135",
        "zip_codes": ["90057", "90020", "90004"],
        "takes_new_cases": True,
        "checked_days_ago": 120,  # overdue: the admins' page flags it
    },
    {
        "slug": "long-beach-clinic",
        "name": "Long Beach community legal clinic (demo)",
        "description": "A monthly clinic with Khmer and Tagalog interpreters.",
        "services": ["trainings", "daca"],
        "languages": ["en", "km", "tl"],
        "hours": "First Saturday of the month, 10:00-14:00",
        "phone": "(562) 555-0136",
        "zip_codes": ["90813", "90804"],
        "takes_new_cases": True,
        "checked_days_ago": 20,
    },
]

HOTLINES: list[dict[str, str | None]] = [
    {
        "label": "Vecinos LA rapid response",
        "phone": "(213) 555-0100",
        "hours": "24/7",
        "committee": None,
    },
    {"label": "", "phone": "(323) 555-0110", "hours": "24/7", "committee": "boyle-heights"},
    {
        "label": "",
        "phone": "(213) 555-0120",
        "hours": "6:00-22:00",
        "committee": "garment-workers-downtown",
    },
]


def load(*, now: datetime, people: dict[str, Any], committees: dict[str, Any]) -> dict[str, int]:
    today = now.date()
    made = 0
    for spec in ORGANIZATIONS:
        values = dict(spec)
        days = values.pop("checked_days_ago")
        cells: set[int] = set()
        for code in values["zip_codes"]:
            cells |= zip_area(code).cells
        Organization.objects.update_or_create(
            slug=values.pop("slug"),
            defaults={
                **values,
                "description": values["description"] + DEMO_NOTE,
                "area_cells": sorted(cells),
                "last_checked": today - timedelta(days=days),
                "is_demo": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        made += 1
    for position, line in enumerate(HOTLINES):
        committee = committees.get(str(line["committee"])) if line["committee"] else None
        if line["committee"] and committee is None:
            continue
        label = str(line["label"] or "")
        Hotline.objects.create(
            label=label,
            phone=str(line["phone"]),
            hours=str(line["hours"]),
            committee=committee,
            position=position,
            is_demo=True,
        )
    return {"legal-aid organizations": made, "hotlines": len(HOTLINES)}
