"""The demo's detention support: the Los Angeles area's facilities (public information)
and two cases clearly marked as demo, worked by the demo case worker ``lucia``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from vecinos.cases import actions
from vecinos.cases.models import CaseSource, Facility, FacilityKind, HearingKind, LocatorResult

VISITING = (
    "Check the facility's page and the online detainee locator before going: visiting "
    "hours change. Bring a government photo ID; legal visits need the attorney's bar card."
)

FACILITIES = [
    ("Adelanto ICE Processing Center", FacilityKind.PROCESSING_CENTER,
     "10250 Rancho Road, Adelanto, CA 92301"),
    ("Desert View Annex", FacilityKind.PROCESSING_CENTER,
     "10450 Rancho Road, Adelanto, CA 92301"),
    ("Los Angeles ICE Field Office (holding rooms)", FacilityKind.FIELD_OFFICE,
     "300 N Los Angeles St, Room B-18, Los Angeles, CA 90012"),
    ("Theo Lacy Facility", FacilityKind.JAIL, "501 The City Drive South, Orange, CA 92868"),
]  # fmt: skip


def load(*, now: datetime, people: dict[str, Any], committees: dict[str, Any]) -> dict[str, int]:
    facilities = [
        Facility.objects.create(
            name=name, kind=kind, address=address, visiting_rules=VISITING, is_demo=True
        )
        for name, kind, address in FACILITIES
    ]
    worker = people.get("lucia")
    cases = 0
    if worker is not None:
        case = actions.open_case(
            source=CaseSource.HOTLINE,
            facts={
                "person_name": "DEMO Juan Ejemplo",
                "a_number": "A000000001",
                "person_language": "es",
                "taken_at": now - timedelta(hours=30),
                "taken_place": "DEMO: car wash on Whittier Blvd",
                "family_name": "DEMO María Ejemplo",
                "family_contact": "+12135550199",
                "family_channel": "sms",
                "family_language": "es",
                "family_updates": True,
                "dependents": "DEMO: two children, 6 and 9, with their aunt tonight",
            },
            actor=worker,
            committee=committees.get("boyle-heights"),
            is_demo=True,
        )
        actions.record_locator_check(
            case=case, result=LocatorResult.FOUND, facility=facilities[0], actor=worker
        )
        actions.refer_case(case=case, organization="DEMO Legal Aid of East LA", actor=worker)
        actions.add_hearing(
            case=case,
            kind=HearingKind.HEARING,
            at=now + timedelta(days=8),
            place="Adelanto Immigration Court",
            actor=worker,
        )
        cases += 1
    actions.open_case(
        source=CaseSource.PUBLIC,
        facts={
            "person_name": "DEMO Rosa Ejemplo",
            "taken_place": "DEMO: outside the Home Depot on Atlantic Blvd",
            "family_contact": "demo-family@example.org",
            "family_channel": "email",
            "family_language": "es",
            "family_updates": True,
        },
        actor=None,
        is_demo=True,
    )
    cases += 1
    return {"facilities": len(facilities), "cases": cases}
