"""The sentences of messages to a detained person's family, in the family's language.

Like the alert phrasebook (vecinos/alerts/phrases.py), these are data rather than
gettext catalogues: the interface speaks two languages while families speak the
twelve languages of the alerts. A language without its own sentences gets English
(``book``); tests/test_cases_phrases.py checks that every book has every sentence with
the same placeholders.

Placeholders: ``{ref}`` the case reference (never a name), ``{kind}`` hearing or
check-in, ``{date}`` and ``{time}`` in the family's time zone, ``{place}``, ``{facility}``.
A family update is one of ``UPDATES`` plus, optionally, the case worker's own note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

UPDATES = (
    "searching",
    "located",
    "referred",
    "represented",
    "bond_requested",
    "released",
    "transferred",
    "call_us",
)


@dataclass(frozen=True)
class Book:
    code: str
    name: str
    signature: str  # "Vecinos, case {ref}:"
    kinds: Mapping[str, str]  # hearing kind → as it reads in a sentence
    week: str  # the reminder a week before
    day: str  # the reminder a day before
    at_place: str  # " at {place}" (empty place: left out)
    updates: Mapping[str, str]
    note: str  # label before the case worker's note
    subject: str  # email subject


EN = Book(
    code="en",
    name="English",
    signature="Vecinos, case {ref}:",
    kinds={"hearing": "court hearing", "check_in": "ICE check-in"},
    week="Reminder: {kind} on {date} at {time}{place}. Bring any papers you have.",
    day="Tomorrow: {kind} at {time}{place}. Call us if you need someone to go with you.",
    at_place=", {place}",
    updates={
        "searching": "We are still looking for where your family member is held. "
        "We will write as soon as we know.",
        "located": "We have found where your family member is held: {facility}.",
        "referred": "We have asked a legal-aid organization to take the case.",
        "represented": "A lawyer now represents your family member.",
        "bond_requested": "A bond has been requested. We will tell you when there is an answer.",
        "released": "Your family member has been released.",
        "transferred": "Your family member has been moved to another place. "
        "We are finding out where.",
        "call_us": "Please call the hotline when you can.",
    },
    note="Note from your case worker:",
    subject="News about your case {ref}",
)

ES = Book(
    code="es",
    name="Español",
    signature="Vecinos, caso {ref}:",
    kinds={"hearing": "audiencia en la corte", "check_in": "cita de control con ICE"},
    week="Recordatorio: {kind} el {date} a las {time}{place}. Traiga los papeles que tenga.",
    day="Mañana: {kind} a las {time}{place}. Llámenos si necesita que alguien le acompañe.",
    at_place=", {place}",
    updates={
        "searching": "Seguimos buscando dónde está detenido su familiar. "
        "Le escribiremos en cuanto lo sepamos.",
        "located": "Encontramos dónde está detenido su familiar: {facility}.",
        "referred": "Pedimos a una organización de ayuda legal que tome el caso.",
        "represented": "Un abogado ya representa a su familiar.",
        "bond_requested": "Se solicitó una fianza. Le avisaremos cuando haya respuesta.",
        "released": "Su familiar fue puesto en libertad.",
        "transferred": "Su familiar fue trasladado a otro lugar. Estamos averiguando adónde.",
        "call_us": "Por favor, llame a la línea de ayuda cuando pueda.",
    },
    note="Nota de su trabajador de caso:",
    subject="Noticias sobre su caso {ref}",
)

BOOKS: dict[str, Book] = {book.code: book for book in (EN, ES)}


def book(language: str) -> Book:
    """The family's language, or English when it has no sentences yet."""
    return BOOKS.get(language) or BOOKS.get(language.split("-")[0]) or EN
