"""The dispatcher console: the live queue, an incident's page and its forms. Every
page works without JavaScript (plain forms, redirects, messages); htmx requests get
the incident's partial back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, SANTEE_ALLEY, make_incident, make_report, submit
from vecinos.accounts.models import User
from vecinos.reports import actions
from vecinos.reports.models import (
    Dispatch,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Kind,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


# Who may use it -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    incident = make_incident()
    for url in ["/console", "/console/queue", f"/console/incidents/{incident.pk}"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["rosa", "mara", "olga", "carmen"])
def test_only_dispatchers_and_admins_use_the_console(
    request: pytest.FixtureRequest, who: str
) -> None:
    incident = make_incident()
    client = signed_in(request.getfixturevalue(who))
    for url in ["/console", "/console/queue", f"/console/incidents/{incident.pk}"]:
        assert client.get(url).status_code == 403
    response = client.post(f"/console/incidents/{incident.pk}/close")
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


@pytest.mark.parametrize("who", ["dani", "ana"])
def test_dispatchers_and_admins_see_the_queue(request: pytest.FixtureRequest, who: str) -> None:
    response = signed_in(request.getfixturevalue(who)).get("/console")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_an_unknown_incident_is_a_404(dani: User) -> None:
    client = signed_in(dani)
    assert client.get("/console/incidents/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/console/incidents/not-a-uuid").status_code == 404


# The queue ------------------------------------------------------------------------------------


def test_the_queue_lists_open_incidents_with_what_a_dispatcher_needs(dani: User) -> None:
    located = submit(at=BOYLE_HEIGHTS, client_key="a").incident
    submit(at=BOYLE_HEIGHTS, client_key="b")
    unlocated = submit(at=None, kind=Kind.CHECKPOINT, place="near the school").incident
    closed = make_incident(status=IncidentStatus.CLOSED, kind=Kind.PATROL)

    html = signed_in(dani).get("/console").content.decode()

    assert located.pk.hex[:8] in html
    assert unlocated.pk.hex[:8] in html
    assert closed.pk.hex[:8] not in html
    assert "2 reports" in html and "2 sources" in html
    assert "needs a location" in html
    assert "confidence" in html
    assert "near the school" not in html  # reporter text stays on the incident page


def test_the_queue_sorts_by_confidence_and_age_without_javascript(dani: User) -> None:
    now = timezone.now()
    old_sure = make_incident(confidence=90, seen_at=now - timedelta(hours=2))
    new_unsure = make_incident(confidence=10, seen_at=now)
    middle = make_incident(confidence=50, seen_at=now - timedelta(hours=1))
    client = signed_in(dani)

    def order(url: str) -> list[Incident]:
        html = client.get(url).content.decode()
        return sorted([old_sure, new_unsure, middle], key=lambda i: html.index(i.pk.hex[:8]))

    assert order("/console?sort=confidence") == [old_sure, middle, new_unsure]
    assert order("/console?sort=age") == [old_sure, middle, new_unsure]
    assert order("/console") == [new_unsure, middle, old_sure]
    assert order("/console?sort=nonsense") == [new_unsure, middle, old_sure]
    html = client.get("/console").content.decode()
    assert 'href="?sort=confidence"' in html and 'href="?sort=age"' in html


def test_the_queue_partial_is_just_the_queue(dani: User) -> None:
    incident = make_incident()
    html = signed_in(dani).get("/console/queue?sort=age", headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="queue"')
    assert incident.pk.hex[:8] in html
    assert "<html" not in html
    assert 'data-live-src="/console/queue?sort=age"' in html


def test_the_queue_costs_the_same_few_queries_for_many_incidents(
    dani: User, django_assert_max_num_queries
) -> None:
    client = signed_in(dani)
    for _ in range(3):
        make_incident()
    with django_assert_max_num_queries(8):
        client.get("/console")
    for _ in range(40):
        make_incident(status=IncidentStatus.DISPATCHED)
    with django_assert_max_num_queries(8):
        response = client.get("/console")
    assert response.content.decode().count('class="card"') == 43


def test_the_console_loads_its_script_from_our_own_server(dani: User) -> None:
    html = signed_in(dani).get("/console").content.decode()
    assert '<script src="/static/reports/console.js"' in html
    assert 'data-stream="/console/stream"' in html
    assert "<script>" not in html


# The incident page ----------------------------------------------------------------------------


@pytest.fixture
def incident(media_root) -> Incident:
    report = submit(
        at=BOYLE_HEIGHTS,
        client_key="a",
        place="Cesar Chavez & Soto",
        description="Three vans, agents at the laundromat",
    )
    submit(at=BOYLE_HEIGHTS, client_key="b", description="Agents on Soto")
    return report.incident


def test_the_incident_page_shows_reports_timeline_map_and_forms(
    incident: Incident, dani: User
) -> None:
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode()
    assert "Three vans, agents at the laundromat" in html
    assert "Cesar Chavez &amp; Soto" in html
    assert "Opened" in html and "Report added" in html
    assert 'id="map"' in html and "data-tiles=" in html
    assert "/static/leaflet/leaflet.js" in html
    for action in ["dispatch", "verify", "merge", "label", "close"]:
        assert f"/console/incidents/{incident.pk}/{action}" in html
    assert "/split" in html
    assert "Centre of the reports" in html


def test_the_incident_page_costs_a_bounded_number_of_queries(
    incident: Incident, dani: User, rosa: User, django_assert_max_num_queries
) -> None:
    actions.set_availability(
        responder=rosa, available=True, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], actor=rosa
    )
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    for n in range(10):
        submit(at=BOYLE_HEIGHTS, client_key=f"more-{n}")
    client = signed_in(dani)
    # 14, one for the hotlines in the footer of every page (vecinos/directory), and
    # three for the organizing app's hooks: the dispatch rule on the nearby responders
    # and on the list to choose from, and the on-call panel.
    with django_assert_max_num_queries(18):
        response = client.get(f"/console/incidents/{incident.pk}")
    assert response.status_code == 200


def test_nearby_available_responders_are_offered_for_dispatch(
    incident: Incident, dani: User, rosa: User
) -> None:
    actions.set_availability(
        responder=rosa, available=True, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], actor=rosa
    )
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode()
    assert 'name="responders" value="rosa"' in html
    assert "0.0 km away" in html


def test_dispatching_from_a_plain_form_redirects_with_a_message(
    incident: Incident, dani: User, rosa: User
) -> None:
    client = signed_in(dani)
    response = client.post(
        f"/console/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}, follow=True
    )
    assert response.redirect_chain[-1] == (f"/console/incidents/{incident.pk}", 302)
    assert "Dispatched: rosa" in response.content.decode()
    assert Dispatch.objects.filter(incident=incident, responder=rosa).exists()


def test_dispatching_from_htmx_returns_the_incident_partial(
    incident: Incident, dani: User, rosa: User
) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="incident">')
    assert "Dispatched: rosa" in html
    assert "<html" not in html


def test_a_refused_action_says_why_with_and_without_javascript(
    incident: Incident, dani: User, mara: User
) -> None:
    client = signed_in(dani)
    html = client.post(
        f"/console/incidents/{incident.pk}/dispatch",
        {"responders": ["mara", "nobody"]},
        headers=HTMX,
    ).content.decode()
    assert "No such responder: nobody" in html
    assert 'role="alert"' in html
    response = client.post(
        f"/console/incidents/{incident.pk}/dispatch", {"responders": ["mara"]}, follow=True
    )
    assert "these are not: mara" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_recording_the_outcome_from_the_console(incident: Incident, dani: User) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{incident.pk}/verify",
        {"outcome": "confirmed", "notes": "Seen from across the street", "vehicles": "3"},
        follow=True,
    )
    assert "Outcome recorded." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    assert incident.verifications.get().vehicles == 3


def test_a_refused_transition_is_explained_in_the_console(incident: Incident, dani: User) -> None:
    client = signed_in(dani)
    client.post(f"/console/incidents/{incident.pk}/verify", {"outcome": "false"})
    html = client.post(
        f"/console/incidents/{incident.pk}/verify", {"outcome": "confirmed"}, headers=HTMX
    ).content.decode()
    assert "cannot be changed to Confirmed" in html
    html = client.post(
        f"/console/incidents/{incident.pk}/verify",
        {"outcome": "confirmed", "vehicles": "many"},
        headers=HTMX,
    ).content.decode()
    assert "whole numbers" in html


def test_labelling_closing_and_reopening_from_the_console(incident: Incident, dani: User) -> None:
    client = signed_in(dani)
    client.post(f"/console/incidents/{incident.pk}/label", {"public_label": "Soto St"})
    client.post(f"/console/incidents/{incident.pk}/close")
    incident.refresh_from_db()
    assert (incident.public_label, incident.status) == ("Soto St", IncidentStatus.CLOSED)
    html = client.get(f"/console/incidents/{incident.pk}").content.decode()
    assert f"/console/incidents/{incident.pk}/reopen" in html
    assert f"/console/incidents/{incident.pk}/dispatch" not in html
    client.post(f"/console/incidents/{incident.pk}/reopen")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_merging_from_the_console_goes_to_the_surviving_incident(dani: User) -> None:
    into = submit(at=BOYLE_HEIGHTS).incident
    source = submit(at=SANTEE_ALLEY).incident
    client = signed_in(dani)

    page = client.get(f"/console/incidents/{source.pk}").content.decode()
    assert f'<option value="{into.pk}">' in page  # offered as a nearby incident

    response = client.post(f"/console/incidents/{source.pk}/merge", {"into": str(into.pk)})
    assert response["Location"] == f"/console/incidents/{into.pk}"
    source.refresh_from_db()
    assert source.merged_into_id == into.pk

    other = submit(at=SANTEE_ALLEY, kind=Kind.PATROL).incident
    htmx = client.post(
        f"/console/incidents/{other.pk}/merge", {"into_id": str(into.pk)}, headers=HTMX
    )
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"] == f"/console/incidents/{into.pk}"


def test_merging_into_an_unknown_incident_says_so(incident: Incident, dani: User) -> None:
    html = (
        signed_in(dani)
        .post(f"/console/incidents/{incident.pk}/merge", {"into_id": "0000"}, headers=HTMX)
        .content.decode()
    )
    assert "There is no incident with the id 0000." in html
    html = (
        signed_in(dani)
        .post(f"/console/incidents/{incident.pk}/merge", {}, headers=HTMX)
        .content.decode()
    )
    assert "Choose the incident" in html


def test_splitting_a_report_from_the_console(incident: Incident, dani: User) -> None:
    report = incident.reports.order_by("observed_at").last()
    assert report is not None
    response = signed_in(dani).post(f"/console/reports/{report.pk}/split", follow=True)
    report.refresh_from_db()
    assert report.incident_id != incident.pk
    assert "moved to a new incident" in response.content.decode()
    assert incident.events.filter(type=IncidentEvent.Type.SPLIT).exists()


def test_the_live_partial_holds_the_state_and_timeline(incident: Incident, dani: User) -> None:
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}/live").content.decode()
    assert html.lstrip().startswith('<div id="live"')
    assert f'data-live-incident="{incident.pk}"' in html
    assert "Timeline" in html
    assert "Three vans" not in html  # the reports are not refreshed live


def test_get_is_not_allowed_on_actions(incident: Incident, dani: User) -> None:
    assert signed_in(dani).get(f"/console/incidents/{incident.pk}/close").status_code == 405


def test_a_page_without_a_location_says_so(dani: User) -> None:
    incident = make_incident(at=None)
    make_report(incident=incident, place="by the school")
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode()
    assert "No report gave a point on the map." in html
    assert 'id="map"' not in html


def test_the_timeline_names_responders_while_their_accounts_exist(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)
    client = signed_in(dani)
    html = client.get(f"/console/incidents/{incident.pk}/live").content.decode()
    assert "rosa dispatched" in html
    assert "rosa acknowledged and is on the way" in html

    rosa.delete()  # the timeline kept her id, not her name
    html = client.get(f"/console/incidents/{incident.pk}/live").content.decode()
    assert "rosa" not in html
    assert "a former responder dispatched" in html
