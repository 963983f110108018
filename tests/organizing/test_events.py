"""A coordinator schedules an event; members are invited, answer, and are counted at
the door."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.organizing.conftest import schedule
from vecinos.accounts.models import User
from vecinos.committees.models import Committee
from vecinos.organizing import actions
from vecinos.organizing.models import Event, EventReminder, Invitation, OrganizingEvent, Rsvp


def test_a_coordinator_schedules_an_event_and_every_member_is_invited(
    committee: Committee, carmen: User
) -> None:
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/events",
        {
            "kind": "kyr_training",
            "title": "Conozca sus derechos",
            "place": "Mariachi Plaza",
            "language": "es",
            "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "30",
        },
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.kind, event.capacity, event.starts_at) == ("kyr_training", 30, start)
    assert set(event.invitations.values_list("user__username", flat=True)) == {
        "carmen",
        "mara",
        "rosa",
    }
    assert set(event.reminders.values_list("kind", "due_at")) == {
        ("day_before", start - timedelta(days=1)),
        ("two_hours", start - timedelta(hours=2)),
    }
    assert OrganizingEvent.objects.filter(type="event_created", actor=carmen).exists()


def test_an_event_with_bad_times_is_refused_naming_the_problem(
    committee: Committee, carmen: User
) -> None:
    response = signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/events",
        {"kind": "meeting", "title": "x", "place": "y", "language": "es", "starts_at": "soon"},
    )

    assert response.status_code == 422
    assert "give a date and time" in response.content.decode()
    assert not Event.objects.exists()


def test_a_member_answers_on_the_web(event: Event, mara: User) -> None:
    response = signed_in(mara).post(f"/organizing/events/{event.pk}/rsvp", {"rsvp": "yes"})

    invitation = Invitation.objects.get(event=event, user=mara)
    assert response.status_code == 302
    assert (invitation.rsvp, invitation.answered_via) == (Rsvp.YES, "web")


def test_a_full_event_takes_no_more_yes(committee: Committee, carmen: User, mara: User) -> None:
    small = schedule(committee, carmen, capacity=1)
    actions.answer_rsvp(event=small, user=carmen, answer="yes", actor=carmen)

    response = signed_in(mara).post(f"/organizing/events/{small.pk}/rsvp", {"rsvp": "yes"})

    assert response.status_code == 409
    assert "full" in response.content.decode()
    assert Invitation.objects.get(event=small, user=mara).rsvp == Rsvp.PENDING


def test_nobody_answers_for_someone_else(event: Event, carmen: User, mara: User) -> None:
    with pytest.raises(actions.Forbidden):
        actions.answer_rsvp(event=event, user=mara, answer="yes", actor=carmen)


def test_the_coordinator_takes_attendance_at_the_door(
    event: Event, carmen: User, mara: User
) -> None:
    client = signed_in(carmen)
    client.post(f"/organizing/events/{event.pk}/attendance", {"user": "mara", "present": "1"})

    assert Invitation.objects.get(event=event, user=mara).attended_at is not None
    page = client.get(f"/organizing/events/{event.pk}").content.decode()
    assert "mara is here; undo" in page

    client.post(f"/organizing/events/{event.pk}/attendance", {"user": "mara", "present": "0"})
    assert Invitation.objects.get(event=event, user=mara).attended_at is None


def test_attendance_is_taken_only_for_members(event: Event, carmen: User, olga: User) -> None:
    response = signed_in(carmen).post(
        f"/organizing/events/{event.pk}/attendance", {"user": "olga", "present": "1"}
    )

    assert response.status_code == 422
    assert not Invitation.objects.filter(user=olga).exists()


def test_a_cancelled_event_takes_no_answers(event: Event, carmen: User, mara: User) -> None:
    signed_in(carmen).post(f"/organizing/events/{event.pk}/cancel")

    response = signed_in(mara).post(f"/organizing/events/{event.pk}/rsvp", {"rsvp": "yes"})

    assert response.status_code == 409
    assert Event.objects.get().cancelled_at is not None


def test_an_event_starting_within_two_hours_gets_no_reminders(
    committee: Committee, carmen: User
) -> None:
    schedule(committee, carmen, in_hours=1)

    assert list(EventReminder.objects.values_list("kind", flat=True)) == []
