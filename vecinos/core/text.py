"""Checks on free text that every entry point (API, forms, console) applies alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

# Control characters other than tab and newlines, and lone surrogates: neither
# database stores them faithfully (PostgreSQL refuses NUL outright), and XML (the CAP
# and Atom feeds) cannot carry them at all.
FORBIDDEN_CHARS = frozenset({chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"})


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    if any(ch in FORBIDDEN_CHARS or "\ud800" <= ch <= "\udfff" for ch in value):
        return _("Remove the control characters from this text.")
    return None
