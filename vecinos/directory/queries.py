"""Reads of the directory. Other apps (detention support's referrals, the alert pages)
use these functions rather than the models.

- ``search(zip_code=, language=, service=)``: organizations for a place, a language
  and a kind of help; those that take new cases first.
- ``organizations_for_cells(cells)``: organizations that serve any of those cells.
- ``hotlines_for(committees=)`` / ``network_hotlines()``: numbers to call.
- ``stale_organizations()``: entries nobody checked in ``STALE_AFTER_DAYS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from vecinos.committees.models import Committee
from vecinos.directory.models import Hotline, Organization

STALE_AFTER_DAYS = 90


def _serves(organization: Organization, cells: frozenset[int]) -> bool:
    return not organization.area_cells or not cells.isdisjoint(organization.area_cells)


def organizations_for_cells(cells: Iterable[int]) -> list[Organization]:
    """Organizations whose area meets ``cells`` (or that serve everywhere), those taking
    new cases first. The directory is small (hundreds of rows): the match is done here
    rather than with an index."""
    wanted = frozenset(cells)
    found = [o for o in Organization.objects.all() if _serves(o, wanted)]
    return sorted(found, key=lambda o: (not o.takes_new_cases, o.name.casefold()))


def search(*, zip_code: str = "", language: str = "", service: str = "") -> list[Organization]:
    """The public search. ``zip_code`` must already be valid (the form checks it)."""
    organizations: list[Organization]
    if zip_code:
        from vecinos.alerts.areas import zip_area

        organizations = organizations_for_cells(zip_area(zip_code).cells)
    else:
        organizations = sorted(
            Organization.objects.all(), key=lambda o: (not o.takes_new_cases, o.name.casefold())
        )
    if language:
        organizations = [o for o in organizations if language in o.languages]
    if service:
        organizations = [o for o in organizations if service in o.services]
    return organizations


def get_organization(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def stale_before(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=STALE_AFTER_DAYS)


def stale_organizations(today: date | None = None) -> list[Organization]:
    return list(
        Organization.objects.filter(last_checked__lt=stale_before(today)).order_by(
            "last_checked", "name"
        )
    )


@dataclass(frozen=True)
class Number:
    label: str
    phone: str
    hours: str
    committee: str  # the committee's name, "" for the network's

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


def network_hotlines() -> list[Number]:
    """The network's numbers: ``VECINOS_HOTLINE`` first, then the directory's hotlines
    that belong to no committee."""
    numbers = []
    configured = getattr(settings, "VECINOS_HOTLINE", "")
    if configured:
        numbers.append(
            Number(
                label=str(getattr(settings, "VECINOS_HOTLINE_LABEL", "")),
                phone=configured,
                hours="",
                committee="",
            )
        )
    numbers += [
        Number(label=h.label, phone=h.phone, hours=h.hours, committee="")
        for h in Hotline.objects.filter(committee__isnull=True).order_by("position", "label")
        if h.phone != configured
    ]
    return numbers


def committee_hotlines(committees: Iterable[Committee] | None = None) -> list[Number]:
    """Per-committee numbers: of ``committees``, or of every committee. A committee's
    own ``hotline`` field (where the committees app has one) comes first."""
    query = Hotline.objects.filter(committee__isnull=False).select_related("committee")
    chosen = None if committees is None else list(committees)
    if chosen is not None:
        query = query.filter(committee__in=chosen)
    numbers = []
    for committee in chosen if chosen is not None else Committee.objects.all():
        own = getattr(committee, "hotline", "")
        if isinstance(own, str) and own:
            numbers.append(Number(label="", phone=own, hours="", committee=committee.name))
    numbers += [
        Number(label=h.label, phone=h.phone, hours=h.hours, committee=h.committee.name)
        for h in query.order_by("committee__name", "position")
        if h.committee is not None
    ]
    return numbers


def committees_for_cells(cells: Iterable[int]) -> list[Committee]:
    wanted = frozenset(cells)
    return [c for c in Committee.objects.all() if not wanted.isdisjoint(c.area_cells or [])]


def hotlines_for_cells(cells: Iterable[int]) -> list[Number]:
    """The numbers to show beside an alert: the network's, then those of the committees
    whose area meets the alert's."""
    return network_hotlines() + committee_hotlines(committees_for_cells(cells))
