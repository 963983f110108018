"""iCalendar: an .ics per event for members, and a committee feed at a secret address
per member of which only a keyed hash is kept."""

from __future__ import annotations

import re

import icalendar
from django.test import Client

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, Membership
from vecinos.organizing.models import CalendarKey, Event


def _secret_path(client: Client, committee: Committee) -> str:
    """Make a new calendar address on the committee page; its path."""
    client.post(f"/organizing/c/{committee.slug}/calendar")
    page = client.get(f"/organizing/c/{committee.slug}").content.decode()
    found = re.search(r'value="https?://[^/"]+(/calendar/[^"]+\.ics)"', page)
    assert found is not None
    return found.group(1)


def test_a_member_downloads_an_event_as_ics(event: Event, mara: User) -> None:
    response = signed_in(mara).get(f"/organizing/events/{event.pk}.ics")

    assert response["Content-Type"].startswith("text/calendar")
    (item,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(item["SUMMARY"]) == "Junta del comité"
    assert item.decoded("DTSTART") == event.starts_at.replace(microsecond=0)


def test_the_secret_feed_lists_the_committee_events_and_only_its_hash_is_kept(
    committee: Committee, event: Event, mara: User
) -> None:
    path = _secret_path(signed_in(mara), committee)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")

    feed = Client().get(path)

    assert feed.status_code == 200
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Junta del comité"]
    digest = CalendarKey.objects.get().digest
    assert secret not in digest and len(digest) == 64


def test_a_new_address_retires_the_old_one(committee: Committee, mara: User) -> None:
    client = signed_in(mara)
    old = _secret_path(client, committee)
    new = _secret_path(client, committee)

    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_the_feed_stops_when_the_member_leaves(committee: Committee, mara: User) -> None:
    path = _secret_path(signed_in(mara), committee)
    Membership.objects.filter(user=mara).delete()

    assert Client().get(path).status_code == 404


def test_a_wrong_secret_is_a_404(db: None) -> None:
    assert Client().get("/calendar/not-a-secret.ics").status_code == 404
