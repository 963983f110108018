"""Form widgets shared by every app.

A list of languages names each in its own words ("Español", "한국어"); each option is
marked with its language (``lang``), so a screen reader reads it in that language's
voice instead of spelling it in the page's (WCAG 2.2, 3.1.2 "Language of Parts")."""

from __future__ import annotations

from typing import Any

from django import forms


class _MarksLanguage:
    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)  # type: ignore[misc]
        if option["value"]:
            option["attrs"]["lang"] = str(option["value"])
        return option


class LanguageSelect(_MarksLanguage, forms.Select):
    """A ``<select>`` of languages by their own names: ``<option lang="es">``."""


class LanguageCheckboxes(_MarksLanguage, forms.CheckboxSelectMultiple):
    """Checkboxes of languages by their own names; the label carries the ``lang``."""

    option_template_name = "core/widgets/language_option.html"
