"""What an inbound SMS asks for: the keyword parser of the two-way SMS channel.

The first word decides, compared without case and without accents (``Álto``,
``alto``, ``ALTO`` are the same word), in English and Spanish:

- stop: ``STOP``, ``ALTO``, ``BAJA`` and the other words carriers and Twilio treat as
  an opt-out (``STOPALL``, ``UNSUBSCRIBE``, ``CANCEL``, ``END``, ``QUIT``, ``OPTOUT``,
  ``REVOKE``; Spanish ``PARAR``, ``DETENER``, ``CANCELAR``);
- start: ``START``, ``UNSTOP``, ``YES``; ``ALTA``, ``INICIAR``;
- help: ``HELP``, ``INFO``; ``AYUDA``;
- join: ``JOIN 90033``; ``UNIRSE 90033`` (also ``SUSCRIBIR``);
- report: ``REPORT ...``; ``REPORTE ...``, ``REPORTAR ...``, ``DENUNCIA ...``.

- answer: ``SI`` (also ``SÍ``), ``YES``, ``NO``: an answer to a question we sent (an
  invitation: ``Command.answer`` is ``yes`` or ``no``). ``YES`` is also ``start``: it
  answers an invitation when one waits (``hooks.sms_answer``), else it turns
  alerts back on, as before.

Anything else is ``unknown`` (answered with help). The language of the keyword is the
language of the reply and, for ``JOIN``, of the alerts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STOP = "stop"
START = "start"
HELP = "help"
JOIN = "join"
REPORT = "report"
ANSWER = "answer"
UNKNOWN = "unknown"

# Word -> (command, language). None as language: the word is the same in both
# languages; the caller picks (the number's subscription language, else English).
KEYWORDS: dict[str, tuple[str, str | None]] = {
    # Opt-out words of Twilio and the US carriers (CTIA), and Spanish ones.
    "STOP": (STOP, "en"),
    "STOPALL": (STOP, "en"),
    "UNSUBSCRIBE": (STOP, "en"),
    "CANCEL": (STOP, "en"),
    "END": (STOP, "en"),
    "QUIT": (STOP, "en"),
    "OPTOUT": (STOP, "en"),
    "REVOKE": (STOP, "en"),
    "ALTO": (STOP, "es"),
    "BAJA": (STOP, "es"),
    "PARAR": (STOP, "es"),
    "DETENER": (STOP, "es"),
    "CANCELAR": (STOP, "es"),
    "START": (START, "en"),
    "UNSTOP": (START, "en"),
    "YES": (START, "en"),
    "ALTA": (START, "es"),
    "INICIAR": (START, "es"),
    "HELP": (HELP, "en"),
    "INFO": (HELP, None),
    "AYUDA": (HELP, "es"),
    "JOIN": (JOIN, "en"),
    "UNIRSE": (JOIN, "es"),
    "UNIRME": (JOIN, "es"),
    "SUSCRIBIR": (JOIN, "es"),
    "SUSCRIBIRSE": (JOIN, "es"),
    "REPORT": (REPORT, "en"),
    "REPORTE": (REPORT, "es"),
    "REPORTAR": (REPORT, "es"),
    "DENUNCIA": (REPORT, "es"),
}
# Answers to a question we asked (an invitation): word -> (answer, language).
ANSWERS: dict[str, tuple[str, str | None]] = {
    "YES": ("yes", "en"),
    "SI": ("yes", "es"),
    "NO": ("no", None),
}
# "OPT OUT", "STOP ALL" written as two words mean the same.
TWO_WORDS = {("OPT", "OUT"): "OPTOUT", ("STOP", "ALL"): "STOPALL"}
FIRST_WORD_RE = re.compile(r"^[^\w]*(\w+)[^\w]*(.*)$", re.DOTALL)
ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")


@dataclass(frozen=True)
class Command:
    kind: str
    # "en" or "es"; None when the word does not say (the caller decides).
    language: str | None
    # What follows the keyword, as typed (trimmed): the ZIP of JOIN, the text of REPORT.
    argument: str = ""
    # "yes" or "no" when the word also answers a question (SI, YES, NO), else "".
    answer: str = ""


def fold(text: str) -> str:
    """Upper case without accents: ``"Álto"`` → ``"ALTO"``, ``"unirse"`` → ``"UNIRSE"``.
    Compatibility forms are folded too (full-width letters become plain ones)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def parse(body: str) -> Command:
    """Read one inbound message. O(length of the message)."""
    text = (body or "").strip()
    match = FIRST_WORD_RE.match(text)
    if not match:
        return Command(UNKNOWN, None, text)
    word = fold(match.group(1))
    rest = match.group(2).strip()
    second = FIRST_WORD_RE.match(rest)
    if second and (word, fold(second.group(1))) in TWO_WORDS:
        word = TWO_WORDS[(word, fold(second.group(1)))]
        rest = second.group(2).strip()
    found = KEYWORDS.get(word)
    answer = ANSWERS.get(word)
    if found is None and answer is not None:
        return Command(ANSWER, answer[1], rest, answer[0])
    if found is None:
        return Command(UNKNOWN, None, text)
    kind, language = found
    return Command(kind, language, rest, answer[0] if answer else "")


def find_zip(text: str) -> str | None:
    """The first five-digit ZIP code in ``text`` (``90033`` or ``90033-1234``)."""
    match = ZIP_RE.search(text or "")
    return match.group(1) if match else None
