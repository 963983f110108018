"""Merging two incidents into one and moving a report out into a new incident: the
reports move, the counts and centroid follow, and both timelines say what happened."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.factories import BOYLE_HEIGHTS, SANTEE_ALLEY, make_incident, moved, submit
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.core import geo
from vecinos.reports import actions
from vecinos.reports.models import (
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Kind,
)

pytestmark = pytest.mark.django_db


def two_incidents() -> tuple[Incident, Incident]:
    """A raid seen twice at Boyle Heights, and the same raid reported from Mariachi
    Plaza, 1.2 km away, by someone else: two incidents for one event."""
    first = submit(at=BOYLE_HEIGHTS, client_key="a", agencies=["ice"]).incident
    submit(at=BOYLE_HEIGHTS, client_key="b")
    second = submit(at=SANTEE_ALLEY, client_key="c", agencies=["cbp"]).incident
    assert first.pk != second.pk
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second


def test_merging_moves_the_reports_and_recomputes_the_incident(dani: User) -> None:
    into, source = two_incidents()

    merged = actions.merge_incidents(source=source, into=into, actor=dani)

    assert merged.pk == into.pk
    into.refresh_from_db()
    source.refresh_from_db()
    assert into.reports.count() == 3
    assert into.report_count == 3
    assert into.source_count == 3
    assert into.agencies == ["cbp", "ice"]
    expected_lng = (2 * BOYLE_HEIGHTS[1] + SANTEE_ALLEY[1]) / 3
    assert into.lng == pytest.approx(expected_lng)
    assert into.cell == geo.cell_for(into.lat, into.lng)  # type: ignore[arg-type]
    assert source.reports.count() == 0
    assert source.merged_into == into
    assert source.status == IncidentStatus.CLOSED
    assert source.closed_at is not None


def test_both_timelines_record_the_merge(dani: User) -> None:
    into, source = two_incidents()
    previous = source.status
    actions.merge_incidents(source=source, into=into, actor=dani)

    on_source = source.events.get(type=IncidentEvent.Type.MERGED)
    on_into = into.events.get(type=IncidentEvent.Type.MERGED)
    assert on_source.data == {"into": str(into.pk), "reports": 1, "previous": previous}
    assert on_into.data == {"source": str(source.pk), "reports": 1, "dispatches": 0}
    assert on_source.actor == on_into.actor == dani


def test_live_dispatches_follow_the_reports(dani: User, rosa: User) -> None:
    into, source = two_incidents()
    actions.dispatch_responders(incident=source, responders=[rosa], actor=dani)

    actions.merge_incidents(source=source, into=into, actor=dani)

    dispatch = Dispatch.objects.get(responder=rosa)
    assert dispatch.incident_id == into.pk
    assert dispatch.status == DispatchStatus.REQUESTED
    into.refresh_from_db()
    assert into.status == IncidentStatus.DISPATCHED


def test_a_responder_sent_to_both_keeps_one_live_request(dani: User, rosa: User) -> None:
    into, source = two_incidents()
    actions.dispatch_responders(incident=source, responders=[rosa], actor=dani)
    actions.dispatch_responders(incident=into, responders=[rosa], actor=dani)

    actions.merge_incidents(source=source, into=into, actor=dani)

    assert Dispatch.objects.get(incident=into, responder=rosa).status == DispatchStatus.REQUESTED
    assert Dispatch.objects.get(incident=source, responder=rosa).status == DispatchStatus.EXPIRED


def test_earlier_merges_point_at_the_final_incident(dani: User) -> None:
    a = make_incident()
    b = make_incident()
    c = make_incident()
    actions.merge_incidents(source=a, into=b, actor=dani)
    actions.merge_incidents(source=b, into=c, actor=dani)
    a.refresh_from_db()
    assert a.merged_into_id == c.pk


def test_an_incident_cannot_be_merged_into_itself(dani: User) -> None:
    incident = make_incident()
    with pytest.raises(actions.InvalidInput) as refused:
        actions.merge_incidents(source=incident, into=incident, actor=dani)
    assert "into itself" in str(refused.value.message)


@pytest.mark.parametrize("closed", ["source", "into"])
def test_closed_incidents_are_not_merged(dani: User, closed: str) -> None:
    incidents = {"source": make_incident(), "into": make_incident()}
    actions.close_incident(incident=incidents[closed], actor=dani)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.merge_incidents(source=incidents["source"], into=incidents["into"], actor=dani)
    assert "reopen it before merging" in str(refused.value.message)


@pytest.mark.parametrize("who", ["rosa", "mara", "olga"])
def test_only_dispatchers_merge(request: pytest.FixtureRequest, who: str) -> None:
    into, source = two_incidents()
    with pytest.raises(Forbidden):
        actions.merge_incidents(source=source, into=into, actor=request.getfixturevalue(who))
    assert source.reports.count() == 1


# Split --------------------------------------------------------------------------------------


def test_a_report_moved_out_opens_a_new_incident(dani: User) -> None:
    first = submit(at=BOYLE_HEIGHTS, client_key="a", kind=Kind.RAID)
    nearby = moved(*BOYLE_HEIGHTS, north_m=300)
    stray = submit(at=nearby, client_key="b", kind=Kind.ARREST)
    incident = first.incident
    assert stray.incident_id == incident.pk  # clustered together (raid + arrest)

    new = actions.split_report(report=stray, actor=dani)

    stray.refresh_from_db()
    incident.refresh_from_db()
    assert stray.incident_id == new.pk
    assert new.kind == Kind.ARREST
    assert new.status == IncidentStatus.NEW
    assert (new.report_count, new.source_count) == (1, 1)
    assert (new.lat, new.lng) == pytest.approx(nearby)
    assert new.cell == geo.cell_for(*nearby)
    assert (incident.report_count, incident.source_count) == (1, 1)
    assert (incident.lat, incident.lng) == pytest.approx(BOYLE_HEIGHTS)

    split = incident.events.get(type=IncidentEvent.Type.SPLIT)
    assert split.data == {"report": str(stray.pk), "to": str(new.pk)}
    opened = new.events.get(type=IncidentEvent.Type.OPENED)
    assert opened.data == {"report": str(stray.pk), "split_from": str(incident.pk)}
    assert split.actor == opened.actor == dani


def test_the_only_report_cannot_be_split_off(dani: User) -> None:
    report = submit()
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.split_report(report=report, actor=dani)
    assert "only report" in str(refused.value.message)


def test_reports_of_a_closed_incident_are_not_split(dani: User) -> None:
    report = submit(client_key="a")
    submit(client_key="b")
    actions.close_incident(incident=report.incident, actor=dani)
    with pytest.raises(actions.InvalidTransition):
        actions.split_report(report=report, actor=dani)


def test_only_dispatchers_split(db: None) -> None:
    report = submit(client_key="a")
    submit(client_key="b")
    for role in (Role.RESPONDER, Role.MEMBER, Role.COORDINATOR):
        with pytest.raises(Forbidden):
            actions.split_report(report=report, actor=make_user(f"someone-{role}", role))
