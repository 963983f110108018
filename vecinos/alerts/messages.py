"""Alert messages, rendered from structured fields through per-language sentences.

``render_message(alert, language=..., channel=...)`` builds what one subscriber gets:

- **sms**: one segment where possible (GSM-7 ≤ 160 characters, else UCS-2 ≤ 70 UTF-16
  code units), always with the short link to the alert page and the way out (STOP;
  ALTO in Spanish). See ``sms_text`` for how it is shortened.
- **email**: a subject, a plain text and a simple HTML body, with the one-click
  unsubscribe link (``links.unsubscribe_url``) and the ``List-Unsubscribe`` headers.
- **webpush**: a short title, a body and the alert page's address.
- **web**: the headline and the sentence, for the public pages, the API and the CAP
  feed.

What goes in: the kind of incident, the time, the place label staff wrote for the
public, and the dispatcher's short note, verbatim. Nothing a reporter wrote is ever
part of a message (DESIGN.md, principles 4 and 6). The sentences are in
``vecinos.alerts.phrases``.
"""

from __future__ import annotations

import base64
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from vecinos.alerts import links
from vecinos.alerts.phrases import ALERT_KINDS, BOOKS, INCIDENT_KINDS, Phrasebook

if TYPE_CHECKING:
    from vecinos.alerts.models import Alert, Subscription

CHANNELS = ("sms", "email", "webpush", "web")
DEFAULT_LANGUAGE = "en"
# (code, the language's own name), in the order the pages list them.
LANGUAGES: list[tuple[str, str]] = [(book.code, book.name) for book in BOOKS.values()]

# The short link's code: the first 8 base32 characters of the alert id (40 bits).
SHORT_CODE_LENGTH = 8
SHORT_PATH = "/a/"
# Longest short link (VECINOS_PUBLIC_URL + "/a/" + code) with which every language's
# tiny form fits one UCS-2 segment (tests/test_messages_sms.py holds us to it).
TINY_LINK_BUDGET = 38


# Stands for the subscriber's own unsubscribe link in an email rendered once for many
# subscribers (the outbox renders each alert once per language and channel, then
# personalises it with :meth:`Message.with_unsubscribe`). The unit separator is
# whitespace to ``str.split``, and the place label and the note have their whitespace
# collapsed, so no text of an alert can contain it.
UNSUBSCRIBE_PLACEHOLDER = "\x1funsubscribe\x1f"


@dataclass
class Message:
    subject: str
    text: str
    html: str | None
    url: str
    # Email: List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).
    headers: dict[str, str] = field(default_factory=dict)

    def with_unsubscribe(self, url: str) -> Message:
        """This message for one subscriber: ``UNSUBSCRIBE_PLACEHOLDER`` replaced by
        their link (HTML-escaped in the HTML body, as the template would have)."""
        placeholder = UNSUBSCRIBE_PLACEHOLDER
        return Message(
            subject=self.subject,
            text=self.text.replace(placeholder, url),
            html=None if self.html is None else self.html.replace(placeholder, escape(url)),
            url=self.url,
            headers={name: value.replace(placeholder, url) for name, value in self.headers.items()},
        )


# SMS segments ----------------------------------------------------------------------------

# 3GPP TS 23.038: the GSM 7-bit default alphabet (without the escape code) and the
# characters of its extension table, which cost two septets (escape + character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_SINGLE, GSM7_PART = 160, 153  # septets: one message, one part of several
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units


def _gsm_costs(text: str) -> list[int] | None:
    """Septets per character, or None when a character is outside GSM-7."""
    costs = []
    for ch in text:
        if ch in GSM7_BASIC:
            costs.append(1)
        elif ch in GSM7_EXTENSION:
            costs.append(2)
        else:
            return None
    return costs


def is_gsm7(text: str) -> bool:
    return _gsm_costs(text) is not None


def sms_units(text: str) -> tuple[str, int]:
    """("GSM-7", septets) or ("UCS-2", UTF-16 code units) of ``text``."""
    costs = _gsm_costs(text)
    if costs is not None:
        return "GSM-7", sum(costs)
    return "UCS-2", len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments ``text`` takes.

    1. If every character is in GSM-7 (the extension table's characters such as
       € [ ] { } cost two septets), the text is GSM-7: one segment holds 160 septets.
       Otherwise it is UCS-2: one segment holds 70 UTF-16 code units (a character
       outside the Basic Multilingual Plane, such as most emoji, is two).
    2. A longer text is split into parts of 153 septets / 67 code units (the rest of
       each part carries the concatenation header). Parts are filled greedily and a
       character is never split between two parts: an escape pair, or a surrogate
       pair, that does not fit in what is left of a part starts the next one, as
       phones and providers do.
    An empty text is one (empty) segment. Complexity: O(len(text)).
    """
    costs = _gsm_costs(text)
    single, part = GSM7_SINGLE, GSM7_PART
    if costs is None:
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return count


_FOLD_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


def fold_to_gsm(text: str) -> str:
    """``text`` with the characters that have a plain GSM-7 equivalent replaced by it
    (á → a, Ó → O, curly quotes → straight); other characters are kept as they are,
    so the result is GSM-7 only if nothing else stood in the way."""
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        if ch in _FOLD_PUNCTUATION:
            out.append(_FOLD_PUNCTUATION[ch])
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn"
        )
        out.append(base if base and is_gsm7(base) else ch)
    return "".join(out)


# Short links -----------------------------------------------------------------------------


def short_code(alert_id: uuid.UUID) -> str:
    """The alert's short code: the first 8 base32 characters (lower case) of its id,
    i.e. its first 40 bits. ``actions.draft_alert`` picks ids whose code is unused."""
    return base64.b32encode(alert_id.bytes).decode("ascii")[:SHORT_CODE_LENGTH].lower()


def code_prefix(code: str) -> str | None:
    """The first 10 hex digits of the id a short code stands for, or None."""
    if len(code) != SHORT_CODE_LENGTH:
        return None
    try:
        raw = base64.b32decode(code.upper())
    except ValueError:
        return None
    return raw.hex()


def short_url(alert: Alert, *, language: str | None = None) -> str:
    """``/a/<code>``, or ``/a/<code>/<language>`` to open the alert page (and the
    know-your-rights pages it leads to) in the subscriber's language."""
    url = f"{settings.VECINOS_PUBLIC_URL}{SHORT_PATH}{short_code(alert.pk)}"
    return f"{url}/{language}" if language else url


def alert_url(alert: Alert, *, language: str | None = None) -> str:
    url = f"{settings.VECINOS_PUBLIC_URL}/alerts/{alert.pk}"
    return f"{url}?lang={language}" if language else url


# Languages -------------------------------------------------------------------------------

_ALIASES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-hans-cn": "zh-hans",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-hant-tw": "zh-hant",
    "fil": "tl",
    "iw": "he",
}


def normalize_language(code: object) -> str | None:
    """Our code for a language tag ("es-MX" → "es", "zh-TW" → "zh-hant"), or None
    when alerts are not written in that language."""
    if not isinstance(code, str) or not code or len(code) > 35:
        return None
    tag = code.strip().replace("_", "-").lower()
    if tag in BOOKS:
        return tag
    if tag in _ALIASES and _ALIASES[tag] in BOOKS:
        return _ALIASES[tag]
    if tag.startswith("zh-hant"):
        return "zh-hant"
    if tag.startswith("zh-hans"):
        return "zh-hans"
    base = tag.split("-", 1)[0]
    if base == "zh":
        return "zh-hans"
    base = _ALIASES.get(base, base)
    return base if base in BOOKS else None


def phrasebook(language: str) -> Phrasebook:
    return BOOKS.get(normalize_language(language) or DEFAULT_LANGUAGE, BOOKS[DEFAULT_LANGUAGE])


# Rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """The structured fields a message is made of, in one language."""

    book: Phrasebook
    alert_kind: str
    incident_kind: str
    time: str
    place: str
    note: str
    test: bool


def local_time(moment: datetime, book: Phrasebook) -> str:
    """The clock time in ``settings.TIME_ZONE``, as the language writes it."""
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    if book.clock == "12h":
        hour = local.hour % 12 or 12
        text = f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    else:
        text = f"{local.hour:02d}:{local.minute:02d}"
    if book.digits != "0123456789":
        text = text.translate(str.maketrans("0123456789", book.digits))
    return text


def reference_time(alert: Alert) -> datetime:
    """The time the message speaks of: the alert's own publication, or for a
    retraction or all-clear that of the alert it follows (a draft: its creation)."""
    subject = alert.original if alert.original_id is not None else alert
    assert subject is not None  # noqa: S101 - original_id set means original exists
    return subject.published_at or subject.created_at


def fields_for(alert: Alert, language: str) -> Fields:
    book = phrasebook(language)
    alert_kind = alert.kind if alert.kind in ALERT_KINDS else "alert"
    incident_kind = alert.incident_kind if alert.incident_kind in INCIDENT_KINDS else "other"
    return Fields(
        book=book,
        alert_kind=alert_kind,
        incident_kind=incident_kind,
        time=local_time(reference_time(alert), book),
        place=" ".join((alert.place_label or "").split()),
        note=" ".join((alert.note or "").split()),
        test=alert.is_test,
    )


def _where(f: Fields, place: str) -> str:
    return f.book.near.format(place=place) if place else f.book.nowhere


def _sentence(template: str, f: Fields, *, place: str | None = None) -> str:
    book = f.book
    return template.format(
        what=book.kinds[f.incident_kind],
        event=book.events[f.incident_kind],
        terse=book.terse[f.incident_kind],
        where=_where(f, f.place if place is None else place),
        time=f.time,
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def title(f: Fields) -> str:
    text = f.book.titles[f.alert_kind]
    return f"{f.book.test} · {text}" if f.test else text


def headline(f: Fields) -> str:
    """ "ALERT: Immigration raid near Cesar Chavez Ave & Soto St, 10:40 AM." """
    return title(f) + f.book.colon + _sentence(f.book.short[f.alert_kind], f)


def sentence(f: Fields) -> str:
    """The full sentence, capitalised: what happened, where, when."""
    return _capitalised(_sentence(f.book.full[f.alert_kind], f))


def event_name(f: Fields) -> str:
    return f.book.events[f.incident_kind]


def _shorter_places(place: str) -> list[str]:
    """The place label cut at word boundaries to about 32, 24 and 16 characters."""
    cuts = []
    for limit in (32, 24, 16):
        if len(place) > limit:
            cut = place[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-&/")
            if cut and cut not in cuts and cut != place:
                cuts.append(cut)
    return cuts


def sms_candidates(f: Fields, link: str) -> list[str]:
    """Every form of the SMS, longest first (see ``sms_text``). Each form comes first
    with the link that names the subscriber's language (``/a/<code>/<language>``, so
    that "Know your rights" opens in it), then with the bare link, which is shorter."""
    pairs = zip(_forms(f, f"{link}/{f.book.code}"), _forms(f, link), strict=True)
    return [candidate for pair in pairs for candidate in pair]


def _forms(f: Fields, link: str) -> list[str]:
    book = f.book
    head = (f"{book.test} " if f.test else "") + book.titles[f.alert_kind] + book.colon
    tiny = (f"{book.test} " if f.test else "") + _sentence(book.tiny[f.alert_kind], f)
    full = _sentence(book.full[f.alert_kind], f)
    forms: list[str] = []
    if f.note:
        forms.append(f"{head}{full} {f.note} {book.rights} {link} {book.reply_stop}")
    forms.append(f"{head}{full} {book.rights} {link} {book.reply_stop}")
    forms.append(f"{head}{_sentence(book.short[f.alert_kind], f)} {link} {book.short_stop}")
    for place in _shorter_places(f.place):
        short = _sentence(book.short[f.alert_kind], f, place=place)
        forms.append(f"{head}{short} {link} {book.short_stop}")
    forms.append(f"{tiny} {link} {book.short_stop}")
    forms.append(f"{tiny} {link} {book.keyword}")
    return forms


def sms_text(f: Fields, link: str) -> str:
    """The SMS: the longest form that fits one segment, else the form with the fewest.

    1. Forms, longest first: the full sentence with the dispatcher's note; without
       the note; a shorter sentence; the shorter sentence with the place label cut
       to 32, 24 and 16 characters; the tiny form (kind and time) with a short way
       out; the tiny form with the stop keyword alone. Every form keeps the short
       link and the way out, and is tried first with the link that names the
       subscriber's language (``/a/<code>/<language>``).
    2. For languages written in Latin letters (English, Spanish, Tagalog), each form
       is also tried with its accents folded to plain letters (``fold_to_gsm``):
       "CORRECCIÓN" costs a UCS-2 message of 70 characters, "CORRECCION" fits GSM-7's
       160. The form as written is tried first.
    3. The first candidate that fits one segment wins. If none does (a very long
       public URL), the candidate with the fewest segments, earliest first.
    Complexity: O(forms * length), a dozen short strings.
    """
    candidates: list[str] = []
    for form in sms_candidates(f, link):
        candidates.append(form)
        if f.book.fold:
            folded = fold_to_gsm(form)
            if folded != form:
                candidates.append(folded)
    for candidate in candidates:
        if segments(candidate) == 1:
            return candidate
    return min(candidates, key=segments)


def email_headers(
    subscription: Subscription | None, *, unsubscribe_url: str = ""
) -> dict[str, str]:
    """List-Unsubscribe headers for an alert email (one click, RFC 8058)."""
    if not unsubscribe_url and subscription is not None:
        unsubscribe_url = links.unsubscribe_url(subscription)
    if not unsubscribe_url:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def render_message(
    alert: Alert,
    *,
    language: str,
    channel: str,
    subscription: Subscription | None = None,
    unsubscribe_url: str = "",
) -> Message:
    """The message ``alert`` becomes for one subscriber (see the module docstring).

    An email's unsubscribe link is ``unsubscribe_url`` when given (the outbox passes
    ``UNSUBSCRIBE_PLACEHOLDER`` to render once for many subscribers), else that of
    ``subscription``, else there is none. An unknown language falls back to English;
    an unknown channel is a programming error (ValueError).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    f = fields_for(alert, language)
    book = f.book
    page = alert_url(alert, language=book.code)
    if channel == "sms":
        return Message(subject="", text=sms_text(f, short_url(alert)), html=None, url=page)
    if channel == "webpush":
        body = sentence(f) + (f" {f.note}" if f.note else "")
        return Message(
            subject=title(f) + book.colon + event_name(f), text=body, html=None, url=page
        )
    if channel == "web":
        return Message(subject=headline(f), text=sentence(f), html=None, url=page)
    # Email
    unsubscribe = unsubscribe_url
    if not unsubscribe and subscription is not None:
        unsubscribe = links.unsubscribe_url(subscription)
    headers = email_headers(None, unsubscribe_url=unsubscribe)
    lines = [title(f) + book.colon + _sentence(book.full[f.alert_kind], f), ""]
    if f.note:
        lines += [f"{book.note} {f.note}", ""]
    lines += [f"{book.details} {page}", "", book.why]
    if unsubscribe:
        lines.append(f"{book.unsubscribe} {unsubscribe}")
    html = render_to_string(
        "alerts/messages/email.html",
        {
            "book": book,
            "title": title(f),
            "sentence": sentence(f),
            "note": f.note,
            "page": page,
            "unsubscribe": unsubscribe,
        },
    )
    return Message(
        subject=headline(f), text="\n".join(lines) + "\n", html=html, url=page, headers=headers
    )


@dataclass(frozen=True)
class SmsPreview:
    language: str
    name: str
    text: str
    encoding: str
    units: int
    segments: int
    limit: int


PREVIEW_LANGUAGES = ("en", "es", "zh-hans")


def sms_previews(alert: Alert, languages: tuple[str, ...] = PREVIEW_LANGUAGES) -> list[SmsPreview]:
    """The SMS as subscribers of ``languages`` would get it, with its segment count,
    for the dispatcher who drafts or approves it."""
    previews = []
    for code in languages:
        text = render_message(alert, language=code, channel="sms").text
        encoding, units = sms_units(text)
        previews.append(
            SmsPreview(
                language=code,
                name=BOOKS[code].name,
                text=text,
                encoding=encoding,
                units=units,
                segments=segments(text),
                limit=GSM7_SINGLE if encoding == "GSM-7" else UCS2_SINGLE,
            )
        )
    return previews
