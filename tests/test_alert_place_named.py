"""Every alert says where. Every language's SMS, for every kind of alert and incident,
with and without a note, in test mode or not, names the public place label whenever
any of its forms that names it fits one segment; with a short public address that is
always (test-mode messages, which carry a TEST mark, excepted). And the draft form
asks for the label (prefilled from the incident's), refusing a blank one unless the
dispatcher chooses "no place"."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.models import Alert
from vecinos.alerts.phrases import ALERT_KINDS, BOOKS, INCIDENT_KINDS
from vecinos.reports.models import Incident, IncidentStatus

PLACES = ["Soto St & 1st", "Boyle Heights", "Cesar Chavez Ave & Soto St", "MacArthur Park"]
SHORT_LINK = "https://vecinos.la/a/abcdefgh"
LONG_LINK = "https://vecinos.example.org/a/abcdefgh"
assert len(LONG_LINK) == messages.TINY_LINK_BUDGET
CASES = list(
    itertools.product(BOOKS, ALERT_KINDS, INCIDENT_KINDS, ["", "Abogados en camino"], [False, True])
)


def fields(language: str, kind: str, incident: str, note: str, test: bool, place: str) -> object:
    return messages.Fields(
        book=BOOKS[language],
        alert_kind=kind,
        incident_kind=incident,
        time="10:40",
        place=place,
        note=note,
        test=test,
    )


def names(text: str, place: str) -> bool:
    """The label, or a cut of it that keeps its first word or first 6 characters."""
    return any(
        part in text or part in messages.fold_to_gsm(text)
        for part in (place.split(" ")[0], place[:6])
    )


@pytest.mark.parametrize("place", PLACES)
def test_with_a_short_link_every_sms_names_the_place_in_one_segment(place: str) -> None:
    missing = []
    # Test-mode messages (console only) carry a TEST mark and may lose the place.
    for language, kind, incident, note, test in [c for c in CASES if not c[4]]:
        f = fields(language, kind, incident, note, test, place)
        text = messages.sms_text(f, SHORT_LINK)  # type: ignore[arg-type]
        if not names(text, place) or messages.segments(text) != 1:
            missing.append((language, kind, incident, bool(note), test, text))
    assert missing == []


@pytest.mark.parametrize("link", [SHORT_LINK, LONG_LINK])
@pytest.mark.parametrize("place", PLACES)
def test_a_form_naming_the_place_is_chosen_whenever_one_fits(place: str, link: str) -> None:
    for language, kind, incident, note, test in CASES:
        f = fields(language, kind, incident, note, test, place)
        forms = messages.sms_candidates(f, link)  # type: ignore[arg-type]
        fits = any(named and messages.segments(text) == 1 for text, named in forms)
        fits = fits or any(
            named and messages.segments(messages.fold_to_gsm(text)) == 1
            for text, named in forms
            if BOOKS[language].fold
        )
        chosen = messages.sms_text(f, link)  # type: ignore[arg-type]
        if any(messages.segments(text) == 1 for text, _named in forms):
            assert messages.segments(chosen) == 1
        if fits:
            assert names(chosen, place), (language, kind, incident, chosen)


def test_every_form_keeps_the_link_and_the_way_out() -> None:
    for language, kind, incident, note, test in CASES:
        book = BOOKS[language]
        for text, _named in messages.sms_candidates(
            fields(language, kind, incident, note, test, PLACES[2]),  # type: ignore[arg-type]
            SHORT_LINK,
        ):
            assert SHORT_LINK in text and book.keyword in text


# The draft form ------------------------------------------------------------------------


@pytest.fixture
def unlabelled(db: None) -> Incident:
    return make_incident(status=IncidentStatus.CONFIRMED, public_label="")


def draft(client: Client, incident: Incident, **data: str) -> Any:
    return client.post(f"/console/incidents/{incident.pk}/alerts", {"radius_km": "2", **data})


@pytest.mark.django_db
def test_the_draft_form_asks_for_the_place_prefilled_from_the_incident(
    confirmed_incident: Incident, dani: User
) -> None:
    html = signed_in(dani).get(f"/console/incidents/{confirmed_incident.pk}").content.decode()
    assert 'name="place_label"' in html
    assert f'value="{confirmed_incident.public_label}"' in html.replace("&amp;", "&")
    assert 'name="no_place"' in html


@pytest.mark.django_db
def test_a_blank_place_is_refused_naming_it(unlabelled: Incident, dani: User) -> None:
    client = signed_in(dani)
    answer = draft(client, unlabelled, place_label="  ")
    assert not Alert.objects.exists()
    assert answer.status_code == 422
    assert "Write where it is for the public" in answer.content.decode()


@pytest.mark.django_db
def test_the_place_written_in_the_draft_form_is_what_every_message_names(
    unlabelled: Incident, dani: User
) -> None:
    draft(signed_in(dani), unlabelled, place_label="Soto St & 1st")
    alert = Alert.objects.get()
    assert alert.place_label == "Soto St & 1st"
    for preview in messages.sms_previews(alert):
        assert "Soto" in preview.text, preview


@pytest.mark.django_db
def test_no_place_is_a_choice_and_says_in_your_area(unlabelled: Incident, dani: User) -> None:
    draft(signed_in(dani), unlabelled, place_label="", no_place="1")
    alert = Alert.objects.get()
    assert alert.place_label == ""
    assert "in your area" in messages.render_message(alert, language="en", channel="web").text
