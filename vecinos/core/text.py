"""The one check for characters no stored or sent text may hold: control characters
(other than tab and line breaks, where a text may have lines) and lone surrogates.
Neither database keeps them faithfully (PostgreSQL refuses NUL outright), the keyed
hash cannot encode a lone surrogate, and no SMS or email should carry them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LINE_BREAKS = frozenset("\t\n\r")
_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}


def has_control_characters(value: str, *, lines: bool = True) -> bool:
    """Whether ``value`` holds a control character or a lone surrogate; with ``lines``
    tab, line feed and carriage return are allowed."""
    allowed = _LINE_BREAKS if lines else frozenset()
    return any((ch in _CONTROL and ch not in allowed) or "\ud800" <= ch <= "\udfff" for ch in value)


def text_problem(value: str, *, lines: bool = True) -> str | None:
    """The message for a person who typed such a character, or None."""
    if has_control_characters(value, lines=lines):
        return _("Remove the control characters from this text.")
    return None


def validate_text(value: str) -> None:
    """``text_problem`` as a form field's validator: ``validators=[validate_text]``."""
    if problem := text_problem(value):
        raise ValidationError(problem, code="control_characters")


def without_control_characters(value: str, *, lines: bool = True) -> str:
    """``value`` with every such character removed (text that arrived by SMS)."""
    allowed = _LINE_BREAKS if lines else frozenset()
    return "".join(
        ch
        for ch in value
        if not ((ch in _CONTROL and ch not in allowed) or "\ud800" <= ch <= "\udfff")
    )
