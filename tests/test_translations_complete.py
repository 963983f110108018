"""The Spanish catalogue is complete: every message the code uses is translated, none is
fuzzy, placeholders survive translation, and the public pages come out in Spanish.

The catalogue is compared with what ``makemessages`` extracts from a temporary copy of the
package, so a new ``gettext``/``{% translate %}`` string fails here until it is translated.
Needs gettext (xgettext, msgmerge, msgfmt), which ``make test`` installs.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

import vecinos

PACKAGE = Path(vecinos.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]*>|&\w+;")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry = Entry()
    part: str | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if part is not None:
                entries.append(entry)
            entry, part = Entry(), None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if part == "msgstr":
                entry.msgstr[-1] += text
            elif part is not None:
                setattr(entry, part, (getattr(entry, part) or "") + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                part = "msgstr"
                entry.msgstr.append(text)
            else:
                part = keyword
                setattr(entry, part, text)
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid or entry.msgctxt]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(CATALOGUE)


def test_the_catalogue_header_says_spanish_utf8_and_two_plural_forms(
    catalogue: list[Entry],
) -> None:
    header = catalogue[0]

    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: es\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]


def test_every_message_is_translated(catalogue: list[Entry]) -> None:
    untranslated = [
        entry.msgid
        for entry in messages(catalogue)
        if len(entry.msgstr) != (1 if entry.msgid_plural is None else 2) or not all(entry.msgstr)
    ]

    assert untranslated == []


def test_no_translation_is_fuzzy(catalogue: list[Entry]) -> None:
    fuzzy = [entry.msgid for entry in messages(catalogue) if "fuzzy" in entry.flags]

    assert fuzzy == []


def test_translations_keep_every_placeholder_tag_and_entity(catalogue: list[Entry]) -> None:
    broken = []
    for entry in messages(catalogue):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for source, translation in zip(sources, entry.msgstr, strict=True):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                broken.append((source, translation))

    assert broken == []


def test_the_catalogue_compiles_cleanly() -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Entry]]:
    """What ``vecinos makemessages -l es --no-obsolete`` makes of a copy of the package."""
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs gettext: sudo apt-get install -y gettext")
    copy = tmp_path_factory.mktemp("translations") / "vecinos"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        # Only the copy's catalogue may be written, whatever LOCALE_PATHS says.
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    yield read_po(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")


def test_the_catalogue_has_every_message_the_code_uses(
    catalogue: list[Entry], extracted: list[Entry]
) -> None:
    committed = {entry.key for entry in messages(catalogue)}
    new = sorted(entry.msgid for entry in messages(extracted) if entry.key not in committed)

    assert new == [], "`make messages`, then translate: " + " | ".join(new)


def test_the_catalogue_has_no_message_the_code_no_longer_uses(
    catalogue: list[Entry], extracted: list[Entry]
) -> None:
    used = {entry.key for entry in messages(extracted)}
    stale = sorted(entry.msgid for entry in messages(catalogue) if entry.key not in used)

    assert stale == [], "`make messages` drops them: " + " | ".join(stale)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed catalogue compiled on its own, so the pages below show what it says
    whether or not ``make translations`` has run since it last changed."""
    locale = tmp_path_factory.mktemp("compiled") / "locale"
    (locale / "es" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        ["msgfmt", "-o", str(locale / "es" / "LC_MESSAGES" / "django.mo"), str(CATALOGUE)],
        check=True,
    )
    return locale


PAGES = [
    ("/", "Reporte lo que ve", "Report what you see"),
    ("/report", "Enviar reporte", "Send report"),
    ("/rumors", "Control de rumores", "Rumor control"),
    ("/map", "Incidentes confirmados, últimas 24 horas", "Confirmed incidents, last 24 hours"),
    ("/alerts/subscribe", "Reciba alertas de su zona", "Get alerts for your area"),
    (
        "/accounts/login/",
        "No necesita una cuenta para reportar lo que ve.",
        "You do not need an account to report what you see.",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "spanish", "english"), PAGES)
def test_a_spanish_browser_gets_the_page_in_spanish(
    compiled: Path, url: str, spanish: str, english: str
) -> None:
    with override_settings(LOCALE_PATHS=[str(compiled)]):
        response = Client().get(url, headers={"Accept-Language": "es-MX,es;q=0.9"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es"' in html
    assert spanish in html
    assert english not in html
    assert "Vecinos no guarda direcciones IP" in html
    assert "Vecinos keeps no IP addresses" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "spanish", "english"), PAGES)
def test_an_english_browser_still_gets_the_page_in_english(
    compiled: Path, url: str, spanish: str, english: str
) -> None:
    with override_settings(LOCALE_PATHS=[str(compiled)]):
        response = Client().get(url, headers={"Accept-Language": "en-US,en;q=0.9"})

    html = response.content.decode()
    assert response.status_code == 200
    assert english in html
    assert spanish not in html


def test_the_package_carries_its_own_compiled_catalogue_and_it_is_current(
    catalogue: list[Entry],
) -> None:
    """What the server reads (``LOCALE_PATHS``), not a copy compiled for the test: a
    missing or stale ``django.mo`` serves English to Spanish readers."""
    compiled = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.mo"
    assert compiled.exists(), "run `make translations` (the wheel build compiles it too)"
    with compiled.open("rb") as handle:
        spanish = gettext.GNUTranslations(handle)

    stale = [
        entry.msgid
        for entry in messages(catalogue)
        if entry.msgid_plural is None
        and (
            spanish.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt
            else spanish.gettext(entry.msgid)
        )
        != entry.msgstr[0]
    ]
    assert stale == [], "run `make translations`: " + " | ".join(stale[:5])


@pytest.mark.django_db
def test_a_spanish_browser_gets_spanish_from_the_packages_own_catalogue() -> None:
    response = Client().get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})

    assert "Reporte lo que ve" in response.content.decode()
