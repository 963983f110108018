"""The feeds stay valid whatever a dispatcher types as an incident's public label:
the CAP feed and each CAP document validate against the CAP 1.2 schema, the Atom feed
parses as XML, and a label with control characters is refused before it is stored
(XML 1.0 cannot carry them, so one such label would break the feeds for everyone)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from tests.conftest import signed_in, unavailable
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[1]
CAP = "urn:oasis:names:tc:emergency:cap:1.2"
HOSTILE_LABELS = [
    "Soto & 1st <script>alert(1)</script>",
    "]]> <!-- --> <![CDATA[ x ]]>",
    "\"quoted\" 'single' &amp; &#0; &#x1;",
    "\u202eSt otoS\u202c \u200b\ufeff",
    "Calle 1° — ñandú 🚨 漢字",
    "x" * 120,
]
CONTROL_LABELS = ["Soto\x00St", "Soto\x01St", "Soto\x1bSt", "Soto\x7fSt"]


def schema_path() -> Path:
    """The CAP 1.2 schema: the repository's copy, else the one beside it."""
    found = [p for p in REPO.glob("*/**/CAP-v1.2.xsd") if ".venv" not in p.parts]
    candidates = [*found, REPO / ".." / "shared" / "standards" / "CAP-v1.2.xsd"]
    if os.environ.get("VECINOS_CAP_XSD"):
        candidates.insert(0, Path(os.environ["VECINOS_CAP_XSD"]))
    for path in candidates:
        if path.exists():
            return path
    unavailable("The CAP 1.2 schema (CAP-v1.2.xsd) is not in the repository")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path())))


def parse(content: bytes) -> Any:
    return etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))


def publish_with_label(incident: Incident, label: str, dani: User, diego: User) -> Any:
    response = signed_in(dani).post(
        f"/console/incidents/{incident.pk}/label", {"public_label": label}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    return approve_alert(alert=draft_alert(incident=incident, actor=dani), actor=diego)


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_feeds_stay_valid_xml_with_a_hostile_label(
    label: str,
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    schema: etree.XMLSchema,
) -> None:
    alert = publish_with_label(confirmed_incident, label, dani, diego)
    single = Client().get(f"/feeds/alerts/{alert.pk}.cap")
    assert single.status_code == 200
    document = parse(single.content)
    schema.assertValid(document)
    texts = [element.text or "" for element in document.iter()]
    assert any(" ".join(label.split())[:40] in text for text in texts)
    feed = Client().get("/feeds/alerts.cap")
    assert feed.status_code == 200
    for embedded in parse(feed.content).iter(f"{{{CAP}}}alert"):
        schema.assertValid(etree.ElementTree(embedded))
    atom = Client().get("/feeds/alerts.atom")
    assert atom.status_code == 200
    parse(atom.content)


@pytest.mark.parametrize("label", CONTROL_LABELS, ids=["nul", "soh", "esc", "del"])
def test_a_label_with_control_characters_is_refused_and_the_feeds_stay_valid(
    label: str,
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    schema: etree.XMLSchema,
) -> None:
    before = confirmed_incident.public_label
    response = signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/label", {"public_label": label}
    )
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    confirmed_incident.refresh_from_db()
    assert confirmed_incident.public_label == before
    approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    for path in ("/feeds/alerts.cap", "/feeds/alerts.atom"):
        parse(Client().get(path).content)
