"""Fonts for the printed cards: Debian's Noto fonts (installed by `make`), chosen per
language, with Noto Sans as the fallback for characters the main font lacks.

ReportLab embeds TrueType outlines only, and Noto Sans CJK ships as CFF (PostScript)
outlines in a collection. For Chinese, Japanese and Korean the font is cut down to the
characters of the document and its outlines converted to TrueType (fontTools' cu2qu),
in memory, once per text.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# language -> (regular file, bold file) of its main font; None: Noto Sans.
SCRIPT_FONTS: dict[str, tuple[str, str]] = {
    "hy": ("NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    "km": ("NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf"),
    "fa": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
}
# language -> index of the face in NotoSansCJK-Regular.ttc / -Bold.ttc
CJK_FACES = {"ja": 0, "ko": 1, "zh-hans": 2, "zh-hant": 3}
LATIN = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")


class FontMissing(RuntimeError):
    """A font file is not installed (run `make`, which installs Debian's Noto fonts)."""


def _read(path: Path) -> bytes:
    if not path.exists():
        raise FontMissing(f"{path} is missing: install fonts-noto-core and fonts-noto-cjk")
    return path.read_bytes()


@dataclass(frozen=True)
class Face:
    """A font as embedded: its name for ReportLab, its bytes, the characters it has."""

    name: str
    data: bytes
    cmap: frozenset[int]


def _cmap(data: bytes) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(io.BytesIO(data), lazy=True).getBestCmap())


def _register(name: str, data: bytes, *, shapable: bool) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(data), shapable=shapable))


@cache
def file_face(filename: str, *, shapable: bool = True) -> Face:
    data = _read(NOTO / filename)
    name = filename.removesuffix(".ttf") + ("" if shapable else "-flat")
    _register(name, data, shapable=shapable)
    return Face(name=name, data=data, cmap=_cmap(data))


@lru_cache(maxsize=64)
def cjk_face(index: int, bold: bool, characters: str) -> Face:
    """Face ``index`` of Noto Sans CJK cut down to ``characters``, as TrueType."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, newTable

    path = NOTO_CJK / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
    if not path.exists():
        raise FontMissing(f"{path} is missing: install fonts-noto-cjk")
    font = TTCollection(str(path), lazy=True).fonts[index]
    options = subset.Options()
    options.desubroutinize = True
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    # CFF to TrueType (the conversion of fontTools' otf2ttf example).
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for glyph_name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[glyph_name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for glyph_name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[glyph_name] = (hmtx[glyph_name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:12]
    name = f"NotoSansCJK-{index}-{'b' if bold else 'r'}-{digest}"
    _register(name, data, shapable=False)
    return Face(name=name, data=data, cmap=_cmap(data))


def faces_for(language: str, *, bold: bool, characters: str, rtl: bool) -> list[Face]:
    """The fonts to try, in order, for text of ``language``."""
    faces: list[Face] = []
    if language in CJK_FACES:
        wanted = "".join(sorted(set(characters)))
        faces.append(cjk_face(CJK_FACES[language], bold, wanted))
    elif language in SCRIPT_FONTS:
        # Right-to-left text arrives already shaped (presentation forms) and in visual
        # order, so ReportLab must not shape it again.
        faces.append(file_face(SCRIPT_FONTS[language][bold], shapable=not rtl))
    faces.append(file_face(LATIN[bold], shapable=True))
    return faces
