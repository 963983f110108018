"""Printing 500 red cards: sheets of cards, fronts on one page and backs on the next
(mirrored for double-sided printing), crop marks at every corner."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.test import Client

from vecinos.library import printing

pytestmark = pytest.mark.django_db


def page_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = match.group(1).strip()
        try:
            if raw.endswith(b"~>"):  # ASCII85 (page contents), then Flate
                raw = base64.a85decode(raw[:-2], ignorechars=b" \t\r\n")
            streams.append(zlib.decompressobj().decompress(raw))
        except (zlib.error, ValueError):
            continue
    return streams


@pytest.mark.parametrize(("paper", "cards"), [("letter", 8), ("a4", 8)])
def test_a_sheet_holds_cards_with_crop_marks(paper: str, cards: int) -> None:
    columns, rows, left, bottom = printing.grid(paper)
    assert columns * rows == cards
    _width, _height = printing.PAPERS[paper]
    assert left >= 10 * 72 / 25.4 - 0.01 and bottom >= 10 * 72 / 25.4 - 0.01
    data, _doc = printing.render_sheet(printing.card_for("es"), paper=paper)
    assert b"/Count 2" in data  # fronts, then backs
    # Eight crop marks (lines) per card on each side: 2 x cards x 8 line segments.
    strokes = sum(s.count(b" l S") + s.count(b" l\nS") for s in page_streams(data))
    assert strokes >= 2 * cards * 8
    assert 500 // cards + 1 <= 63  # 500 cards on Letter: 63 sheets


def test_the_sheet_is_offered_in_letter_and_a4_and_refuses_other_paper() -> None:
    client = Client()
    letter = client.get("/rights/es/red-cards.pdf?paper=letter")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert client.get("/rights/es/red-cards.pdf?paper=a4").status_code == 200
    refused = client.get("/rights/es/red-cards.pdf?paper=tabloid")
    assert refused.status_code == 400 and b"letter or a4" in refused.content


def test_the_card_carries_the_hotline_and_a_qr_code_to_its_page(settings: object) -> None:
    settings.VECINOS_HOTLINE = "(213) 555-0100"  # type: ignore[attr-defined]
    card = printing.card_for("ko")
    assert card.hotline == "(213) 555-0100"
    assert card.url.endswith("/rights/ko/red-card")
    _data, doc = printing.render_card(card)
    assert "".join(ch for ch, _f in doc.used).count("555-0100") == 1


def test_the_back_of_every_card_is_the_english_statement_for_the_agent() -> None:
    assert printing.card_for("km").to_agent == printing.card_for("en").to_agent


def test_a_committee_prints_its_own_hotline(settings: object) -> None:
    from vecinos.committees.models import Committee
    from vecinos.directory.models import Hotline

    settings.VECINOS_HOTLINE = "(213) 555-0100"  # type: ignore[attr-defined]
    committee = Committee.objects.create(name="Boyle Heights", slug="bh", kind="neighborhood")
    Hotline.objects.create(committee=committee, phone="(323) 555-0110")
    assert printing.card_for("es", committee="bh").hotline == "(323) 555-0110"
    assert printing.card_for("es", committee="nobody").hotline == "(213) 555-0100"
    pdf = Client().get("/rights/es/red-card.pdf?committee=bh")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
