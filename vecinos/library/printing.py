"""Printed material: the red card (front in the reader's language, back in English for
the agent), sheets of cards with crop marks for printing hundreds, and a one-page flyer.

Text is laid out here rather than by ReportLab's paragraphs so that every script comes
out right: right-to-left text (Persian) is shaped into presentation forms
(``arabic_reshaper``) and put in visual order (``python-bidi``) line by line; complex
scripts (Khmer) are shaped by HarfBuzz through ReportLab; Chinese and Japanese break
between characters; and each character goes to the first font that has it, with the
choice recorded (``Document.used``) so that a test can prove none is missing.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from vecinos.library import fonts
from vecinos.library.models import Translation
from vecinos.library.pages import DEFAULT_LANGUAGE, LABELS, RTL

PAPERS = {"letter": LETTER, "a4": A4}
CARD_W, CARD_H = 85.6 * mm, 54 * mm  # a wallet card (ISO/IEC 7810 ID-1)
RED = Color(0.72, 0.07, 0.07)
BREAK_ANYWHERE = {"zh-hans", "zh-hant", "ja"}
NO_LINE_START = set("，。、；：！？）」』〕】〉》”’・ー…,.;:!?)]")  # noqa: RUF001 - CJK punctuation on purpose
KHMER_CONSONANT = range(0x1780, 0x17B4)
KHMER_COENG = "\u17d2"


@dataclass
class Card:
    language: str
    title: str
    points: list[str]
    to_agent_heading: str
    to_agent: list[str]
    hotline: str
    url: str
    labels: dict[str, str]
    reviewed: bool


@dataclass
class Document:
    """A PDF being written, and which font drew each character (for the glyph test)."""

    canvas: Canvas
    characters: str = ""  # every character the document will draw (for CJK subsets)
    used: list[tuple[str, fonts.Face]] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)


# Text ---------------------------------------------------------------------------------


def _visual(text: str, rtl: bool) -> str:
    if not rtl:
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text), base_dir="R"))


def _runs(doc: Document, text: str, faces: list[fonts.Face]) -> list[tuple[str, fonts.Face]]:
    """``text`` cut into runs, each with the first face that has its characters."""
    runs: list[tuple[str, fonts.Face]] = []
    for ch in text:
        face = next((f for f in faces if ord(ch) in f.cmap), None)
        if face is None:
            if not ch.isspace() and unicodedata.category(ch) not in {"Cf", "Mn"}:
                doc.missing.add(ch)
            face = faces[-1]
        if ch.isspace() and runs:
            face = runs[-1][1]  # a space stays in the run it sits in
        if runs and runs[-1][1] is face:
            runs[-1] = (runs[-1][0] + ch, face)
        else:
            runs.append((ch, face))
    return runs


def _shaped(text: str, face: fonts.Face, size: float) -> tuple[object, float]:
    from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
    from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr

    if getFont(face.name).shapable:
        shaped = shapeStr(text, face.name, size)
        if isinstance(shaped, ShapedStr):
            width = sum(g.x_advance for g in shaped.__shapeData__) * size / 1000
            return shaped, width
    return text, stringWidth(text, face.name, size)


@dataclass
class Style:
    language: str
    size: float
    bold: bool = False
    color: Color = black

    @property
    def rtl(self) -> bool:
        return self.language in RTL


def _faces(doc: Document, style: Style, text: str) -> list[fonts.Face]:
    return fonts.faces_for(
        style.language, bold=style.bold, characters=doc.characters or text, rtl=style.rtl
    )


def text_width(doc: Document, text: str, style: Style) -> float:
    visual = _visual(text, style.rtl)
    return sum(
        _shaped(run, face, style.size)[1]
        for run, face in _runs(doc, visual, _faces(doc, style, visual))
    )


def draw_line(
    doc: Document,
    x: float,
    y: float,
    width: float,
    text: str,
    style: Style,
    *,
    align: str = "start",
) -> None:
    """One line of text in the box [x, x + width] at baseline ``y``; ``start`` is the
    right edge for right-to-left languages."""
    visual = _visual(text, style.rtl)
    runs = [
        (run, face, *_shaped(run, face, style.size))
        for run, face in _runs(doc, visual, _faces(doc, style, visual))
    ]
    total = sum(w for *_, w in runs)
    if align == "center":
        left = x + (width - total) / 2
    elif (align == "start") == style.rtl:
        left = x + width - total
    else:
        left = x
    canvas = doc.canvas
    canvas.setFillColor(style.color)
    for run, face, shaped, w in runs:
        doc.used += [(ch, face) for ch in run if not ch.isspace()]
        canvas.setFont(face.name, style.size)
        canvas.drawString(left, y, shaped)
        left += w


def _tokens(text: str, language: str) -> list[str]:
    """Pieces a line may break between; a piece keeps its trailing space."""
    if language in BREAK_ANYWHERE:
        tokens: list[str] = []
        for ch in text:
            if tokens and (
                ch in NO_LINE_START
                or ch.isspace()
                or (
                    ch.isascii()
                    and ch.isalnum()
                    and tokens[-1][-1:].isascii()
                    and tokens[-1][-1:].isalnum()
                )
            ):
                tokens[-1] += ch
            else:
                tokens.append(ch)
        return tokens
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


def _split_long(token: str, language: str) -> list[str]:
    """A word too long for a line cut where the script allows: Khmer before a consonant
    that is not a subscript, others between characters."""
    pieces = [""]
    for i, ch in enumerate(token):
        breakable = (
            ord(ch) in KHMER_CONSONANT and (i == 0 or token[i - 1] != KHMER_COENG)
            if language == "km"
            else not unicodedata.combining(ch)
        )
        if breakable and pieces[-1]:
            pieces.append(ch)
        else:
            pieces[-1] += ch
    return pieces


def wrap(doc: Document, text: str, style: Style, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in _tokens(text, style.language):
        candidate = current + token
        if not current or text_width(doc, candidate.rstrip(), style) <= width:
            current = candidate
        else:
            lines.append(current.rstrip())
            current = token
        while text_width(doc, current.rstrip(), style) > width and len(current) > 1:
            pieces = _split_long(current, style.language)
            head = ""
            for piece in pieces:
                if head and text_width(doc, head + piece, style) > width:
                    break
                head += piece
            lines.append(head.rstrip())
            current = current[len(head) :]
    if current.strip():
        lines.append(current.rstrip())
    return lines


def draw_paragraph(
    doc: Document,
    x: float,
    top: float,
    width: float,
    text: str,
    style: Style,
    *,
    leading: float | None = None,
    bullet: str = "",
) -> float:
    """Wrapped text from ``top`` down; returns the y below it."""
    leading = leading or style.size * 1.3
    indent = text_width(doc, bullet + " ", style) if bullet else 0
    y = top - style.size
    for i, line in enumerate(wrap(doc, text, style, width - indent)):
        if bullet and i == 0:
            if style.rtl:
                draw_line(doc, x + width - indent, y, indent, bullet, style)
            else:
                draw_line(doc, x, y, indent, bullet, style)
        draw_line(doc, x if style.rtl else x + indent, y, width - indent, line, style)
        y -= leading
    return y + style.size - 1.5


# The card ------------------------------------------------------------------------------


def _hotline(committee: str = "") -> str:
    """The committee's own hotline when ``committee`` (a slug) has one, else the
    network's."""
    from vecinos.committees.models import Committee
    from vecinos.directory.queries import committee_hotlines, network_hotlines

    chosen = Committee.objects.filter(slug=committee).first() if committee else None
    numbers = (committee_hotlines([chosen]) if chosen else []) + network_hotlines()
    return numbers[0].phone if numbers else ""


def card_for(language: str, *, committee: str = "") -> Card:
    """The red card in ``language`` (English where it does not exist yet); the back is
    always the English statement, which is what the agent reads."""
    chosen = Translation.objects.filter(
        page__slug="red-card", language__in={language, DEFAULT_LANGUAGE}
    ).select_related("page")
    found = {t.language: t for t in chosen}
    english = found.get(DEFAULT_LANGUAGE)
    own = found.get(language) or english
    if own is None or english is None:
        from django.http import Http404

        raise Http404
    front = own.sections[0]
    back = english.sections[-1]
    return Card(
        language=own.language,
        title=own.title,
        points=list(front["points"]),
        to_agent_heading=back["heading"],
        to_agent=list(back["points"]),
        hotline=_hotline(committee),
        url=settings.VECINOS_PUBLIC_URL + reverse("library_page", args=[own.language, "red-card"]),
        labels=LABELS.get(own.language, LABELS["en"]),
        reviewed=own.reviewed,
    )


def _qr(doc: Document, url: str, x: float, y: float, size: float) -> None:
    import segno

    qr = segno.make(url, error="m")
    matrix = list(qr.matrix_iter(border=0))
    modules = len(matrix)
    cell = size / modules
    canvas = doc.canvas
    canvas.setFillColor(black)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                canvas.rect(
                    x + column * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1
                )


def draw_front(doc: Document, card: Card, x: float, y: float) -> None:
    canvas = doc.canvas
    pad = 3 * mm
    band = 9 * mm
    canvas.setFillColor(RED)
    canvas.rect(x, y + CARD_H - band, CARD_W, band, stroke=0, fill=1)
    title = Style(card.language, 10.5, bold=True, color=white)
    draw_line(doc, x + pad, y + CARD_H - band + 3 * mm, CARD_W - 2 * pad, card.title, title)
    qr_size = 17 * mm
    text_w = CARD_W - 2 * pad - qr_size - 2 * mm
    body = Style(card.language, 7)
    rtl = card.language in RTL
    text_x = x + pad + (qr_size + 2 * mm if rtl else 0)
    top = y + CARD_H - band - 1.5 * mm
    for point in card.points:
        top = draw_paragraph(doc, text_x, top, text_w, point, body, leading=8.6, bullet="•")
    qr_x = x + pad if rtl else x + CARD_W - pad - qr_size
    _qr(doc, card.url, qr_x, y + CARD_H - band - 2 * mm - qr_size, qr_size)
    small = Style(card.language, 6)
    draw_line(
        doc,
        qr_x - 2 * mm,
        y + CARD_H - band - 4.5 * mm - qr_size,
        qr_size + 4 * mm,
        card.labels["scan"],
        small,
        align="center",
    )
    if card.hotline:
        strong = Style(card.language, 8, bold=True, color=RED)
        draw_line(
            doc,
            x + pad,
            y + pad,
            CARD_W - 2 * pad,
            f"{card.labels['hotline']}: \u2066{card.hotline}\u2069"
            if rtl
            else f"{card.labels['hotline']}: {card.hotline}",
            strong,
        )


def draw_back(doc: Document, card: Card, x: float, y: float) -> None:
    canvas = doc.canvas
    pad = 3 * mm
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.2)
    canvas.rect(x + 1.2 * mm, y + 1.2 * mm, CARD_W - 2.4 * mm, CARD_H - 2.4 * mm, stroke=1, fill=0)
    heading = Style("en", 8, bold=True, color=RED)
    draw_line(
        doc, x + pad, y + CARD_H - pad - 7, CARD_W - 2 * pad, card.to_agent_heading.upper(), heading
    )
    top = y + CARD_H - pad - 9
    body = Style("en", 6.2)
    for sentence in card.to_agent:
        top = draw_paragraph(doc, x + pad, top, CARD_W - 2 * pad, sentence, body, leading=7.3)
    hint = Style(card.language, 5.5, color=Color(0.35, 0.35, 0.35))
    draw_line(doc, x + pad, y + pad - 0.5, CARD_W - 2 * pad, card.labels["back"], hint)


def _new(
    pagesize: tuple[float, float], title: str, texts: Iterable[str]
) -> tuple[io.BytesIO, Document]:
    out = io.BytesIO()
    # Noto Sans from the first line: ReportLab's default (Helvetica) would be named in
    # the PDF without being embedded.
    latin = fonts.file_face(fonts.LATIN[0])
    canvas = Canvas(
        out, pagesize=pagesize, pageCompression=1, invariant=1, initialFontName=latin.name
    )
    canvas.setTitle(title)
    canvas.setAuthor("Vecinos")
    # The Latin letters and digits too: phone numbers, form names, the bullet.
    wanted = characters([*texts, "0123456789+-()•: .", "abcdefghijklmnopqrstuvwxyz"])
    return out, Document(canvas=canvas, characters=wanted)


def _card_texts(card: Card) -> list[str]:
    return [
        card.title,
        *card.points,
        card.to_agent_heading,
        *card.to_agent,
        card.hotline,
        *card.labels.values(),
    ]


def render_card(card: Card) -> tuple[bytes, Document]:
    """Two pages the size of the card: front, then back."""
    out, doc = _new((CARD_W, CARD_H), card.title, _card_texts(card))
    draw_front(doc, card, 0, 0)
    doc.canvas.showPage()
    draw_back(doc, card, 0, 0)
    doc.canvas.showPage()
    doc.canvas.save()
    return out.getvalue(), doc


def card_pdf(card: Card) -> bytes:
    return render_card(card)[0]


# Sheets --------------------------------------------------------------------------------

MARK = 4 * mm  # crop mark length
GAP = 6 * mm  # room between cards for the marks


def grid(paper: str) -> tuple[int, int, float, float]:
    """Columns, rows, and the left and bottom margins of cards on a sheet of ``paper``."""
    width, height = PAPERS[paper]
    columns = int((width - 2 * 10 * mm + GAP) // (CARD_W + GAP))
    rows = int((height - 2 * 10 * mm + GAP) // (CARD_H + GAP))
    left = (width - (columns * CARD_W + (columns - 1) * GAP)) / 2
    bottom = (height - (rows * CARD_H + (rows - 1) * GAP)) / 2
    return columns, rows, left, bottom


def _crop_marks(canvas: Canvas, x: float, y: float) -> None:
    """Short lines outside the card's corners, along its edges, where the cutter cuts."""
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.25)
    off = 1 * mm
    for cx in (x, x + CARD_W):
        for cy, direction in ((y, -1), (y + CARD_H, 1)):
            canvas.line(cx, cy + direction * off, cx, cy + direction * (off + MARK))
    for cy in (y, y + CARD_H):
        for cx, direction in ((x, -1), (x + CARD_W, 1)):
            canvas.line(cx + direction * off, cy, cx + direction * (off + MARK), cy)


def render_sheet(card: Card, *, paper: str = "letter") -> tuple[bytes, Document]:
    """Page 1: fronts; page 2: backs, mirrored left to right so that each back lands on
    its front when the sheet is printed double-sided (flipped on the long edge)."""
    width, _height = PAPERS[paper]
    columns, rows, left, bottom = grid(paper)
    out, doc = _new(PAPERS[paper], card.title, _card_texts(card))
    for side in ("front", "back"):
        for row in range(rows):
            for column in range(columns):
                x = left + column * (CARD_W + GAP)
                if side == "back":
                    x = width - x - CARD_W
                y = bottom + row * (CARD_H + GAP)
                (draw_front if side == "front" else draw_back)(doc, card, x, y)
                _crop_marks(doc.canvas, x, y)
        doc.canvas.showPage()
    doc.canvas.save()
    return out.getvalue(), doc


def sheet_pdf(card: Card, *, paper: str = "letter") -> bytes:
    return render_sheet(card, paper=paper)[0]


# The flyer -----------------------------------------------------------------------------


def render_flyer(
    translation: Translation, *, paper: str = "letter", committee: str = ""
) -> tuple[bytes, Document]:
    width, height = PAPERS[paper]
    language = translation.language
    labels = LABELS.get(language, LABELS["en"])
    hotline = _hotline(committee)
    texts = [translation.title, translation.summary, *labels.values(), hotline]
    texts += [s["heading"] for s in translation.sections]
    texts += [p for s in translation.sections for p in s["points"]]
    out, doc = _new(PAPERS[paper], translation.title, texts)
    margin = 18 * mm
    canvas = doc.canvas
    canvas.setFillColor(RED)
    canvas.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
    draw_line(
        doc,
        margin,
        height - 19 * mm,
        width - 2 * margin,
        translation.title,
        Style(language, 22, bold=True, color=white),
    )
    top = height - 38 * mm
    if translation.summary:
        top = (
            draw_paragraph(
                doc, margin, top, width - 2 * margin, translation.summary, Style(language, 12.5)
            )
            - 4 * mm
        )
    for section in translation.sections:
        top = (
            draw_paragraph(
                doc,
                margin,
                top,
                width - 2 * margin,
                section["heading"],
                Style(language, 14, bold=True, color=RED),
            )
            - 1 * mm
        )
        for point in section["points"]:
            top = (
                draw_paragraph(
                    doc, margin, top, width - 2 * margin, point, Style(language, 11), bullet="•"
                )
                - 1 * mm
            )
        top -= 3 * mm
    url = settings.VECINOS_PUBLIC_URL + reverse(
        "library_page", args=[language, translation.page.slug]
    )
    _qr(doc, url, width - margin - 28 * mm, 14 * mm, 28 * mm)
    if hotline:
        draw_line(
            doc,
            margin,
            30 * mm,
            width - 2 * margin - 32 * mm,
            f"{labels['hotline']}: {hotline}",
            Style(language, 16, bold=True, color=RED),
        )
    if not translation.reviewed:
        draw_paragraph(
            doc,
            margin,
            24 * mm,
            width - 2 * margin - 32 * mm,
            labels["unreviewed"],
            Style(language, 8.5),
        )
    canvas.showPage()
    canvas.save()
    return out.getvalue(), doc


def flyer_pdf(translation: Translation, *, committee: str = "") -> bytes:
    return render_flyer(translation, committee=committee)[0]


def characters(texts: Iterable[str]) -> str:
    return "".join(sorted(set("".join(texts))))
