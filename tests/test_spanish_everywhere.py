"""Every page in Spanish says nothing in English: each page of the project (the access
matrix's world and rules, tests/access/, plus every allauth page it covers with one
rule) is rendered with a Spanish browser as every actor, and the text a person sees
is checked for English.

What a person sees: text nodes (not scripts or styles), the attributes shown or read
out (title, placeholder, aria-label, alt, the label of a submit button) and the data-*
attributes our scripts show (status lines, map texts). Text inside an element whose
``lang`` says another language is meant to be in it (the language menu's names, an
alert's other translations) and is left out.

English is found two ways (``english_in``):

1. a text equal to a message of the Spanish catalogues (ours, Django's, allauth's)
   whose translation differs, or matching one of our messages with placeholders: it was
   not marked, or was rendered outside the active language;
2. a word of ``ENGLISH``, common English words that are not Spanish ones, unless the
   Spanish catalogue itself uses the word (SMS, email): text built in code from parts
   ("email — sent 1"), or a status word shown raw ("queued", "ice").

``ALLOWED`` names, with reasons, the few texts let through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.access.matrix import ACTORS, Rule, World, url_patterns
from tests.access.test_matrix import MODULES, all_rules, rules_module, world_for
from tests.test_translations_complete import CATALOGUE, read_po
from vecinos.alerts import phrases as alert_phrases
from vecinos.cases import phrases as case_phrases

pytestmark = pytest.mark.django_db

# ``gone`` sees what ``anonymous`` sees (the sign-in page).
AS = tuple(actor for actor in ACTORS if actor != "gone")

# Common English words that are not Spanish words (nor our domain's loanwords).
ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "with",
        "for",
        "from",
        "your",
        "you",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "not",
        "it",
        "its",
        "by",
        "at",
        "on",
        "or",
        "in",
        "out",
        "up",
        "all",
        "any",
        "new",
        "open",
        "closed",
        "here",
        "there",
        "what",
        "when",
        "where",
        "which",
        "who",
        "how",
        "please",
        "select",
        "option",
        "sign",
        "back",
        "change",
        "send",
        "save",
        "delete",
        "cancel",
        "sent",
        "queued",
        "drafted",
        "approved",
        "published",
        "retracted",
        "cancelled",
        "canceled",
        "expired",
        "requested",
        "acknowledged",
        "completed",
        "declined",
        "failed",
        "delivered",
        "pending",
        "waiting",
        "reports",
        "report",
        "alerts",
        "alert",
        "incident",
        "incidents",
        "subscription",
        "subscriptions",
        "committee",
        "members",
        "member",
        "responder",
        "responders",
        "dispatcher",
        "dispatchers",
        "zoom",
        "page",
        "error",
        "warning",
        "required",
        "field",
        "none",
        "yes",
        "ice",
        "cbp",
        "police",
        "sheriff",
        "unknown",
        "other",
        "raid",
        "checkpoint",
    ]
)

# Texts let through, each for a reason: names, and each language's name in itself
# (how its speakers find it in a list of languages: "English", "한국어").
ALLOWED = frozenset(
    {
        "Vecinos",  # the product's name
        "Leaflet",  # the map library's name in its credit line
        "OpenStreetMap",  # the map data's name in its credit line
        *(name for _code, name in settings.LANGUAGES),
        *(book.name for book in alert_phrases.BOOKS.values()),
        *(book.name for book in case_phrases.BOOKS.values()),
    }
)

# A word: letters only, not part of a code ("aed3be48").
WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:'[^\W\d_]+)?(?!\w)")
SHOWN_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
SUBMIT_TYPES = frozenset({"submit", "button", "reset"})
# data-* values that are addresses or JSON, not text to show.
NOT_TEXT = ("/", "http:", "https:", "{", "[")
HIDDEN_TAGS = frozenset({"script", "style"})
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


class Shown(HTMLParser):
    """The texts of a page a person sees or hears, outside other-language elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        # One entry per open element: whether its content is left out.
        self.stack: list[bool] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        lang = values.get("lang", "")
        skip = self.skipping or tag in HIDDEN_TAGS or bool(lang and not lang.startswith("es"))
        if not skip:
            for name, value in values.items():
                if name in SHOWN_ATTRIBUTES or (
                    name.startswith("data-") and not value.startswith(NOT_TEXT)
                ):
                    self.texts.append(value)
            if tag == "input" and values.get("type") in SUBMIT_TYPES:
                self.texts.append(values.get("value", ""))
        if tag not in VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(data)


def shown_texts(html: str) -> list[str]:
    parser = Shown()
    parser.feed(html)
    parser.close()
    texts = (" ".join(text.split()) for text in parser.texts)
    return [text for text in texts if text and WORD.search(text)]


@cache
def catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """English messages that Spanish translates differently: exact texts (every
    catalogue the site loads), and patterns of our messages with placeholders."""
    exact: dict[str, str] = {}
    with translation.override("es"):
        loaded = translation.trans_real.translation("es")._catalog  # type: ignore[attr-defined]
        for key in list(loaded.keys()):
            if isinstance(key, tuple) or "\x04" in key or "%" in key or "{" in key:
                continue  # plural and contextual forms: ours are matched as patterns
            # What the site says (the first catalogue that has it: ours before Django's).
            value = translation.gettext(key)
            if value != key:
                exact[" ".join(key.split())] = value
    patterns = []
    for entry in read_po(CATALOGUE):
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            if "%(" not in source or "<" in source or source in entry.msgstr:
                continue
            parts = re.split(r"%\(\w+\)[sd]", " ".join(source.split()))
            if sum(len(WORD.findall(part)) for part in parts) < 2:
                continue  # too little English around the placeholders to tell
            regex = ".+?".join(re.escape(part) for part in parts)
            patterns.append((re.compile(rf"^{regex}$"), source))
    return exact, patterns


@cache
def spanish_words() -> frozenset[str]:
    """Words the Spanish catalogue's translations use (SMS, email, ICE...), as written."""
    words: set[str] = set()
    for entry in read_po(CATALOGUE):
        for text in entry.msgstr:
            words.update(WORD.findall(text))
    return frozenset(words)


def english_in(text: str) -> str:
    """Why ``text`` is English, or '' when it is not found to be."""
    if text in ALLOWED:
        return ""
    exact, patterns = catalogue()
    if text in exact:
        return f"untranslated message (Spanish: {exact[text]!r})"
    for regex, source in patterns:
        if regex.match(text):
            return f"untranslated message {source!r}"
    words = {word for word in WORD.findall(text) if word.lower() in ENGLISH} - spanish_words()
    if words:
        return f"English words {sorted(words)}"
    return ""


# Leaflet's own English (its zoom buttons' titles, its credit) is in its script: a page
# that loads it loads core/leaflet.html's translated words with it.
LEAFLET = "leaflet/leaflet.js"
LEAFLET_TEXTS = "core/leaflet_texts.js"


# The pages --------------------------------------------------------------------------------


def pages() -> list[Rule]:
    """The access matrix's rules with the web's methods, and a GET of every named page
    without parameters that a ``covers`` rule stands for (allauth's)."""
    rules = [rule for rule in all_rules() if not rule.is_api]
    named = {rule.name for rule in rules}
    everyone = frozenset(AS)
    for pattern in url_patterns():
        if not pattern.name or pattern.name in named or pattern.name.startswith("api:"):
            continue
        try:
            reverse(pattern.name)
        except NoReverseMatch:
            continue  # with parameters: its rule's own page stands for it
        named.add(pattern.name)
        rules.append(Rule(pattern.name, allowed=everyone))
    return rules


def render(world: World, rule: Rule, actor: str) -> tuple[int, str]:
    """The page ``rule`` asks for as ``actor``, in Spanish, in a savepoint rolled back;
    a form sent is followed to the page it leads to (where its notice shows)."""
    from django.core.cache import cache as django_cache

    django_cache.clear()
    client: Client = world.client(actor, api=False)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    with transaction.atomic():
        url = rule.url(world)
        data = rule.data(world) if rule.data else None
        headers = rule.headers(world) if rule.headers else {}
        method = getattr(client, rule.method.lower())
        response = method(url, data or {}, headers=headers, follow=rule.method == "POST")
        html = ""
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
        transaction.set_rollback(True)
    return response.status_code, html


def sent(rule: Rule, world: World) -> str:
    """Everything ``rule`` sends (fields and files' contents), one text per line."""
    values = (rule.data(world) if rule.data else None) or {}
    parts = []
    for value in values.values():
        if hasattr(value, "read"):
            value = value.read().decode(errors="replace")
        parts.append(value.decode(errors="replace") if isinstance(value, bytes) else str(value))
    return "\n".join(parts)


def english_on_pages(world: World, rules: list[Rule]) -> Iterator[str]:
    """Each rule's page as each actor allowed it (the refusals are the same few pages:
    ``ERROR_PAGES``); what the test itself typed into a form is the person's own text."""
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        typed = sent(rule, world)
        for actor in (actor for actor in AS if actor in rule.allowed):
            status, html = render(world, rule, actor)
            if not html:
                continue
            if LEAFLET in html and LEAFLET_TEXTS not in html:
                yield f"{rule.label()} as {actor}: Leaflet without its words ({LEAFLET_TEXTS})"
            for text in shown_texts(html):
                why = "" if text in typed else english_in(text)
                if why and (rule.name, text) not in seen:
                    seen.add((rule.name, text))
                    yield f"{rule.label()} as {actor} ({status}): {text!r}: {why}"


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in MODULES:
        for key, value in getattr(rules_module(name), "SETTINGS", {}).items():
            setattr(settings, key, value)
    return world_for(MODULES)


# The refusals: not signed in (the sign-in page, a rule of its own), not allowed (403),
# out of reach or nowhere (404).
ERROR_PAGES = [
    Rule("console", allowed={"rosa"}),
    Rule("", path="/no/such/page", allowed={"anonymous", "rosa"}),
]


def test_every_page_in_spanish_says_nothing_in_english(world: World) -> None:
    found = list(english_on_pages(world, pages() + ERROR_PAGES))
    assert not found, f"{len(found)} English texts on Spanish pages:\n" + "\n".join(found)


# The detector -----------------------------------------------------------------------------


def test_the_detector_finds_an_unmarked_message_and_english_words() -> None:
    html = (
        '<p>Enviar reporte</p><p>Send report</p><a title="Zoom in">+</a>'
        '<input type="submit" value="Sign in"><td>email — sent 1; sms — sent 4</td>'
        "<span>1 reports merged in from x</span><li>ice</li>"
    )
    found = {text: english_in(text) for text in shown_texts(html)}
    assert found["Enviar reporte"] == ""
    assert found["Send report"].startswith("untranslated message")
    assert found["Zoom in"]
    assert found["Sign in"].startswith("untranslated message")
    assert "sent" in found["email — sent 1; sms — sent 4"]
    assert found["1 reports merged in from x"]
    assert found["ice"]


def test_the_detector_leaves_out_other_languages_scripts_and_names() -> None:
    html = (
        '<option lang="en">English</option><div lang="ko"><p>the alert</p></div>'
        "<script>var the = 1;</script><p>Vecinos</p><p>Boyle Heights</p><p>90033</p>"
        '<p lang="es">Alertas enviadas</p>'
    )
    assert [text for text in shown_texts(html) if english_in(text)] == []


# Usted ------------------------------------------------------------------------------------

# Unmistakable "tú": its pronouns and possessives, and its forms of verbs that allauth's
# Spanish uses (the "usted" forms differ: puede, tiene, está, ha, introduzca...).
INFORMAL = re.compile(
    r"\b(tú|tu|tus|ti|te|contigo|puedes|quieres|necesitas|debes|tienes|estás|eres|has|ves|"
    r"decides|inicies|deseas|introduce|introdúcelo|comprueba|selecciona|ten)\b",
    re.IGNORECASE,
)


def test_allauths_messages_reach_spanish_readers_with_usted() -> None:
    """Every message of allauth's Spanish catalogue, as the site says it (ours first:
    vecinos/accounts/allauth_messages.py), speaks to the reader with "usted"."""
    import allauth

    path = Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
    informal = []
    with translation.override("es"):
        for entry in read_po(path):
            if not entry.msgid or entry.msgctxt:
                continue
            said = [
                translation.ngettext(entry.msgid, entry.msgid_plural, n)
                if entry.msgid_plural
                else translation.gettext(entry.msgid)
                for n in (1, 2)
            ]
            informal += [text for text in dict.fromkeys(said) if INFORMAL.search(text)]
    assert informal == []
