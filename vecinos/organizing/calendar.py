"""iCalendar (RFC 5545) for committee events, made with the ``icalendar`` library: an
``.ics`` per event (for members) and a feed per committee at a secret address per
member (``CalendarKey``: only a keyed hash of the secret is kept)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from vecinos.committees.models import Committee
from vecinos.organizing.models import Event

PRODID = "-//Vecinos//Committee events//EN"


def _host() -> str:
    return settings.VECINOS_PUBLIC_URL.split("://", 1)[1].split("/", 1)[0]


def _event(event: Event) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"event-{event.pk}@{_host()}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("location", event.place)
    if event.description:
        item.add("description", event.description)
    item.add("url", settings.VECINOS_PUBLIC_URL + reverse("organizing:event", args=[event.pk]))
    if event.cancelled_at is not None:
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
    return item


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_event(event))
    return cal.to_ical()


def committee_calendar(committee: Committee) -> bytes:
    since = timezone.now() - timedelta(days=30)
    events = Event.objects.filter(committee=committee, ends_at__gte=since).order_by("starts_at")
    return calendar(events, name=committee.name)
