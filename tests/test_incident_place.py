"""A dispatcher locates an incident whose reports gave only words by picking a known
place — a ZIP code of the network, the public label of an earlier incident, a
committee area — typed into a plain form the server resolves (no JavaScript, no
geocoding service). Several matches give a short list to choose from; none, or text
no search can hold, a 400 naming the problem."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, MARIACHI_PLAZA, SANTEE_ALLEY, make_incident
from vecinos.accounts.models import User
from vecinos.alerts.actions import draft_alert
from vecinos.committees.models import Committee
from vecinos.core import areas, geo
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def wordy(db: None) -> Incident:
    """Confirmed on the ground, but no report gave a point."""
    return make_incident(at=None, status=IncidentStatus.CONFIRMED)


def place(client: Client, incident: Incident, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"/console/incidents/{incident.pk}/place", data)


def page(user: User, incident: Incident) -> str:
    return signed_in(user).get(f"/console/incidents/{incident.pk}").content.decode()


def assert_not_located(incident: Incident) -> None:
    incident.refresh_from_db()
    assert incident.lat is None and incident.needs_location
    assert not IncidentEvent.objects.filter(incident=incident, type="located").exists()


def test_the_page_offers_a_known_place_until_it_is_located(wordy: Incident, dani: User) -> None:
    html = page(dani, wordy)
    assert f'action="/console/incidents/{wordy.pk}/place"' in html
    assert 'name="place"' in html and 'data-suggest="/console/places"' in html
    assert "pick a known place" in html
    assert 'id="place-query"' not in page(dani, make_incident(status=IncidentStatus.CONFIRMED))


def test_a_zip_code_places_it_at_the_zip_codes_centre_and_an_alert_can_be_drafted(
    wordy: Incident, dani: User
) -> None:
    centroid = areas.find_zip("90033")
    assert centroid is not None

    response = place(signed_in(dani), wordy, place=" 90033 ")

    assert response.status_code == 302
    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng, wordy.needs_location) == (centroid.lat, centroid.lng, False)
    assert wordy.cell == geo.cell_for(centroid.lat, centroid.lng)
    event = IncidentEvent.objects.get(incident=wordy, type="located")
    assert (event.actor, event.data["place"]) == (dani, "ZIP 90033")
    assert wordy.public_label == "ZIP 90033"
    html = page(dani, wordy)
    assert "Placed on the map at “ZIP 90033”" in html
    assert "not on the map yet" not in html and "once the incident is confirmed" not in html
    assert 'name="place_label" type="text" maxlength' in html and 'value="ZIP 90033"' in html
    assert draft_alert(incident=wordy, actor=dani).cells


def test_the_label_of_an_earlier_incident_places_it_there_and_prefills_the_alert(
    wordy: Incident, ana: User
) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Mariachi Plaza")

    response = place(signed_in(ana), wordy, place="mariachi  PLAZA")

    assert response.status_code == 302
    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng) == MARIACHI_PLAZA
    assert wordy.public_label == "Mariachi Plaza"
    assert IncidentEvent.objects.filter(incident=wordy, type="labelled", actor=ana).exists()
    assert 'value="Mariachi Plaza"' in page(ana, wordy)


def test_a_public_label_already_written_is_kept(dani: User) -> None:
    incident = make_incident(at=None, status=IncidentStatus.CONFIRMED, public_label="1st St")

    assert place(signed_in(dani), incident, place="90033").status_code == 302

    incident.refresh_from_db()
    assert incident.lat is not None and incident.public_label == "1st St"
    assert not IncidentEvent.objects.filter(incident=incident, type="labelled").exists()


def test_a_committee_area_places_it_inside_the_area(wordy: Incident, dani: User) -> None:
    cells = sorted(geo.cells_within(*BOYLE_HEIGHTS, 3.0))
    Committee.objects.create(
        name="Comité Boyle Heights", slug="bh", kind="neighborhood",
        area_label="Boyle Heights East", area_cells=cells,
    )  # fmt: skip

    assert place(signed_in(dani), wordy, place="boyle heights east").status_code == 302

    wordy.refresh_from_db()
    assert wordy.cell in cells
    assert geo.distance_km(wordy.lat, wordy.lng, *BOYLE_HEIGHTS) < 0.8  # its middle, not an edge


def test_several_matches_give_a_list_to_choose_from(wordy: Incident, dani: User) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Soto St & 1st St")
    chosen = make_incident(at=SANTEE_ALLEY, public_label="Soto St & Cesar Chavez Ave")
    client = signed_in(dani)

    response = place(client, wordy, place="soto st")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Which place did you mean?" in html
    assert html.count('name="choice"') == 2
    assert f'value="incident:{chosen.pk.hex}"' in html
    assert_not_located(wordy)

    assert place(client, wordy, choice=f"incident:{chosen.pk.hex}").status_code == 302
    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng) == SANTEE_ALLEY
    assert wordy.public_label == "Soto St & Cesar Chavez Ave"


def test_the_exact_words_of_one_place_need_no_choice(wordy: Incident, dani: User) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Soto St")
    make_incident(at=SANTEE_ALLEY, public_label="Soto St & Cesar Chavez Ave")

    assert place(signed_in(dani), wordy, place="Soto St").status_code == 302
    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng) == MARIACHI_PLAZA


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Calle Inventada 123", "No known place matches “Calle Inventada 123”"),
        ("10001", "No known place matches"),  # a New York ZIP code: not the network's
        ("x", "at least two characters"),
        ("   ", "at least two characters"),
        ("a" * 101, "at most 100 characters"),
        ("Soto\x00St", "control characters"),
        ("Soto \x1b[31mSt", "control characters"),
        ("Soto\u202eSt\x7f", "control characters"),
    ],
)
def test_a_place_that_is_unknown_or_hostile_is_refused_naming_the_problem(
    text: str, problem: str, wordy: Incident, dani: User
) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Soto St")

    response = place(signed_in(dani), wordy, place=text)

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert_not_located(wordy)


@pytest.mark.parametrize(
    "choice", ["zip:10001", "zip:9003", "incident:zz", "incident:" + "0" * 32, "committee:99", "x"]
)
def test_a_forged_or_vanished_choice_is_refused(choice: str, wordy: Incident, dani: User) -> None:
    response = place(signed_in(dani), wordy, choice=choice)

    assert response.status_code == 400
    assert "no longer known" in response.content.decode()
    assert_not_located(wordy)


@pytest.mark.parametrize("who", ["rosa", "carmen", "mara", "olga"])
def test_only_dispatchers_pick_places(
    who: str, wordy: Incident, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(who))

    assert place(client, wordy, place="90033").status_code in {403, 404}
    assert client.get("/console/places", {"q": "900"}).status_code == 403
    assert_not_located(wordy)


def test_suggestions_while_typing(dani: User) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Soto St")
    make_incident(at=None, public_label="Soto St & 4th St")  # no point: not a known place
    client = signed_in(dani)

    labels = [p["label"] for p in client.get("/console/places", {"q": "soto"}).json()["places"]]
    zips = client.get("/console/places", {"q": "9003"}).json()["places"]

    assert labels == ["Soto St"]
    assert "ZIP 90033 (Los Angeles)" in [p["label"] for p in zips]
    assert all(p["kind"] == "zip" and p["label"].startswith("ZIP 9003") for p in zips)
    assert client.get("/console/places", {"q": "a" * 101}).status_code == 400
    assert client.get("/console/places", {"q": "So\x00to"}).status_code == 400


def test_a_suggested_zip_label_typed_back_resolves(wordy: Incident, dani: User) -> None:
    assert place(signed_in(dani), wordy, place="ZIP 90033 (Los Angeles)").status_code == 302
    wordy.refresh_from_db()
    assert wordy.public_label == "ZIP 90033"


def test_the_problem_is_named_in_spanish_too(wordy: Incident, dani: User) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{wordy.pk}/place",
        {"place": "Calle Inventada"},
        headers={"accept-language": "es"},
    )

    assert response.status_code == 400
    assert "Ningún lugar conocido coincide con «Calle Inventada»" in response.content.decode()
