"""The red card and the flyer in every alert language: each character drawn is in the
font that drew it (checked against that font's own character map with fontTools), so
no box or blank stands for a missing glyph; Persian comes out shaped and right to
left; the PDF embeds its fonts (checked with poppler's pdffonts)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from tests.conftest import unavailable
from vecinos.alerts.phrases import BOOKS
from vecinos.library import printing
from vecinos.library.queries import page_in

pytestmark = pytest.mark.django_db

LANGUAGES = list(BOOKS)


def drawn_text(card: printing.Card) -> str:
    return "".join(
        [
            card.title,
            *card.points,
            card.to_agent_heading,
            *card.to_agent,
            card.labels["scan"],
            card.labels["back"],
        ]
    )


def assert_every_glyph_there(doc: printing.Document) -> None:
    assert not doc.missing, f"characters in no font: {sorted(doc.missing)}"
    for ch, face in doc.used:
        assert ord(ch) in face.cmap, (
            f"{ch!r} (U+{ord(ch):04X}) drawn with {face.name}, which lacks it"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_character_of_the_card_has_its_glyph(language: str) -> None:
    card = printing.card_for(language)
    assert card.language == language
    data, doc = printing.render_card(card)
    assert data.startswith(b"%PDF")
    assert_every_glyph_there(doc)
    # Every letter of the text was drawn (shaping may merge marks, never drop letters).
    drawn = {ch for ch, _face in doc.used}
    letters = {ch for ch in drawn_text(card) if unicodedata.category(ch).startswith("L")}
    if language in printing.RTL:
        import arabic_reshaper

        letters = {ch for ch in arabic_reshaper.reshape(drawn_text(card)) if ch.isalpha()}
    assert letters <= drawn


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_character_of_the_flyer_has_its_glyph(language: str) -> None:
    _data, doc = printing.render_flyer(page_in("door", language).translation)
    assert_every_glyph_there(doc)


def test_persian_is_drawn_in_presentation_forms_in_visual_order() -> None:
    _data, doc = printing.render_card(printing.card_for("fa"))
    forms = [ch for ch, _face in doc.used if 0xFB50 <= ord(ch) <= 0xFEFF]
    assert len(forms) > 20  # joined letters, not isolated ones
    # "در را باز نکنید." drawn right to left: its last word comes first.
    line = "".join(ch for ch, _face in doc.used)
    import arabic_reshaper

    assert arabic_reshaper.reshape("نکنید")[::-1] in line


def test_khmer_is_shaped_by_harfbuzz() -> None:
    from reportlab.pdfbase.pdfmetrics import getFont

    _data, doc = printing.render_card(printing.card_for("km"))
    khmer = {face.name for ch, face in doc.used if 0x1780 <= ord(ch) <= 0x17FF}
    assert khmer == {"NotoSansKhmer-Regular"} or khmer <= {
        "NotoSansKhmer-Regular",
        "NotoSansKhmer-Bold",
    }
    assert all(getFont(name).shapable for name in khmer)


@pytest.mark.parametrize("language", ["zh-hans", "ja", "km", "fa", "hy"])
def test_the_pdf_embeds_every_font_it_uses(language: str, tmp_path: object) -> None:
    if not shutil.which("pdffonts"):
        unavailable("pdffonts is missing: apt-get install -y poppler-utils (make test does)")
    path = tmp_path / "card.pdf"  # type: ignore[operator]
    path.write_bytes(printing.card_pdf(printing.card_for(language)))
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert " yes " in row.split("Identity-H")[-1] or " yes yes " in row, row
