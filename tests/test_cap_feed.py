"""The CAP 1.2 feed: an Atom feed of CAP documents that validate against the OASIS
schema, msgType Alert / Update / Cancel, one info block per language, the area as a
circle and a polygon. Test alerts and drafts are never in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.models import Alert, AlertKind
from vecinos.alerts.phrases import BOOKS
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"cap": CAP, "atom": ATOM}
# The OASIS schema, kept in the repository (tests/standards/README.md says where from).
SCHEMA_PATH = Path(__file__).resolve().parent / "standards" / "CAP-v1.2.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def parse(content: bytes) -> Any:
    return etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))


def cap_of(alert: Alert) -> Any:
    response = Client().get(f"/feeds/alerts/{alert.pk}.cap")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    return parse(response.content)


def text(document: Any, path: str) -> str:
    return str(document.findtext(path, namespaces=NS))


@pytest.fixture
def alert(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    make_subscription()
    draft = draft_alert(incident=confirmed_incident, note="Lawyers on the way", actor=dani)
    return approve_alert(alert=draft, actor=diego)


def test_an_alert_is_a_valid_cap_1_2_document(alert: Alert, schema: etree.XMLSchema) -> None:
    document = cap_of(alert)
    schema.assertValid(document)
    assert text(document, "cap:identifier") == f"urn:uuid:{alert.pk}"
    assert text(document, "cap:status") == "Actual"
    assert text(document, "cap:msgType") == "Alert"
    assert text(document, "cap:scope") == "Public"
    assert document.find("cap:references", NS) is None


def test_there_is_one_info_block_per_language(alert: Alert) -> None:
    document = cap_of(alert)
    languages = [
        info.findtext("cap:language", namespaces=NS) for info in document.iterfind("cap:info", NS)
    ]
    assert languages == [book.cap for book in BOOKS.values()]
    assert "es-US" in languages and "zh-CN" in languages and "fa-IR" in languages


def test_each_info_says_safety_immediate_severe_observed(alert: Alert) -> None:
    for info in cap_of(alert).iterfind("cap:info", NS):
        assert [c.text for c in info.iterfind("cap:category", NS)] == ["Safety", "Security"]
        assert info.findtext("cap:urgency", namespaces=NS) == "Immediate"
        assert info.findtext("cap:severity", namespaces=NS) == "Severe"
        assert info.findtext("cap:certainty", namespaces=NS) == "Observed"
        assert info.findtext("cap:event", namespaces=NS)
        assert info.findtext("cap:headline", namespaces=NS)
        assert "Lawyers on the way" in info.findtext("cap:description", namespaces=NS)
        assert info.findtext("cap:web", namespaces=NS).endswith(
            f"/alerts/{alert.pk}?lang="
            + {b.cap: b.code for b in BOOKS.values()}[info.findtext("cap:language", namespaces=NS)]
        )


def test_the_spanish_info_is_in_spanish(alert: Alert) -> None:
    spanish = next(
        info
        for info in cap_of(alert).iterfind("cap:info", NS)
        if info.findtext("cap:language", namespaces=NS) == "es-US"
    )
    assert spanish.findtext("cap:event", namespaces=NS) == "Redada de inmigración"
    assert spanish.findtext("cap:headline", namespaces=NS).startswith("ALERTA")


def test_the_area_is_a_circle_and_the_outline_of_the_alert_cells(alert: Alert) -> None:
    area = cap_of(alert).find("cap:info/cap:area", NS)
    assert "Cesar Chavez Ave & Soto St" in area.findtext("cap:areaDesc", namespaces=NS)
    centre, radius = area.findtext("cap:circle", namespaces=NS).split(" ")
    lat, lng = (float(x) for x in centre.split(","))
    assert (lat, lng) == pytest.approx((alert.lat, alert.lng), abs=1e-6)
    assert float(radius) == alert.radius_km
    polygon = area.findtext("cap:polygon", namespaces=NS)
    pairs = polygon.split(" ")
    assert len(pairs) >= 4
    assert pairs[0] == pairs[-1]
    points = [tuple(float(x) for x in pair.split(",")) for pair in pairs]
    # Every vertex lies within a couple of kilometres of the centre: lat first, then lng.
    assert all(abs(p_lat - lat) < 0.05 and abs(p_lng - lng) < 0.05 for p_lat, p_lng in points)


def test_a_retraction_is_a_cancel_referencing_the_original(
    alert: Alert, dani: User, schema: etree.XMLSchema
) -> None:
    original = cap_of(alert)
    retraction = retract_alert(alert=alert, reason="mistake", actor=dani)
    document = cap_of(retraction)
    schema.assertValid(document)
    assert text(document, "cap:msgType") == "Cancel"
    assert text(document, "cap:references") == ",".join(
        [text(original, "cap:sender"), text(original, "cap:identifier"), text(original, "cap:sent")]
    )
    info = document.find("cap:info", NS)
    assert info.findtext("cap:urgency", namespaces=NS) == "Past"


def test_an_all_clear_is_an_update_with_response_all_clear(
    alert: Alert, dani: User, schema: etree.XMLSchema
) -> None:
    all_clear = retract_alert(alert=alert, reason="over", kind=AlertKind.ALL_CLEAR, actor=dani)
    document = cap_of(all_clear)
    schema.assertValid(document)
    assert text(document, "cap:msgType") == "Update"
    assert text(document, "cap:references").split(",")[1] == f"urn:uuid:{alert.pk}"
    assert document.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"


def test_the_feed_lists_every_alert_and_each_entry_links_a_valid_document(
    alert: Alert, dani: User, schema: etree.XMLSchema
) -> None:
    retraction = retract_alert(alert=alert, reason="mistake", actor=dani)
    response = Client().get("/feeds/alerts.cap")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response.content)
    assert feed.tag == f"{{{ATOM}}}feed"
    links = [
        link.get("href")
        for link in feed.iterfind("atom:entry/atom:link[@type='application/cap+xml']", NS)
    ]
    assert len(links) == 2
    for href in links:
        path = href.split("://", 1)[1].split("/", 1)[1]
        document = parse(Client().get("/" + path).content)
        schema.assertValid(document)
    ids = [entry.findtext("atom:id", namespaces=NS) for entry in feed.iterfind("atom:entry", NS)]
    assert ids == [f"urn:uuid:{retraction.pk}", f"urn:uuid:{alert.pk}"]


def test_drafts_and_test_alerts_are_not_in_the_feed(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    draft = draft_alert(incident=confirmed_incident, actor=dani)
    test = approve_alert(
        alert=draft_alert(incident=confirmed_incident, test=True, actor=dani), actor=diego
    )
    feed = Client().get("/feeds/alerts.cap").content.decode()
    assert str(draft.pk) not in feed and str(test.pk) not in feed
    assert Client().get(f"/feeds/alerts/{draft.pk}.cap").status_code == 404


def test_the_human_atom_feed_speaks_the_language_asked_for(alert: Alert) -> None:
    response = Client().get("/feeds/alerts.atom?lang=es")
    assert response.status_code == 200
    feed = parse(response.content)
    title = feed.findtext("atom:entry/atom:title", namespaces=NS)
    assert title.startswith("ALERTA")
    html = feed.find("atom:entry/atom:link[@rel='alternate']", NS)
    assert html.get("href").endswith(f"/alerts/{alert.pk}?lang=es")


def test_the_human_atom_feed_refuses_an_unknown_language() -> None:
    response = Client().get("/feeds/alerts.atom?lang=xx")
    assert response.status_code == 400
    assert b"lang" in response.content
