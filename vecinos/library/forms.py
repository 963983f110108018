"""The editor's form: sections written as plain text.

A line starting with ``## `` begins a section (its heading); every other non-empty line
is a point of the section above it (a leading ``- `` is dropped)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SECTIONS = 20
MAX_POINTS = 20
MAX_LINE = 600


def sections_to_text(sections: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for section in sections:
        lines.append(f"## {section['heading']}")
        lines += [f"- {point}" for point in section["points"]]
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def text_to_sections(text: str) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE:
            raise ValidationError(
                _("Line %(line)s is longer than %(max)s characters."),
                params={"line": number, "max": MAX_LINE},
            )
        if line.startswith("##"):
            heading = line.lstrip("#").strip()
            if not heading:
                raise ValidationError(
                    _("Line %(line)s: a heading needs text."), params={"line": number}
                )
            sections.append({"heading": heading, "points": []})
            continue
        if not sections:
            raise ValidationError(
                _("Line %(line)s: start with a heading line (## Heading)."), params={"line": number}
            )
        point = line[2:].strip() if line.startswith("- ") else line
        sections[-1]["points"].append(point)
    if not sections:
        raise ValidationError(_("Write at least one section."))
    empty = [s["heading"] for s in sections if not s["points"]]
    if empty:
        raise ValidationError(
            _("The section “%(heading)s” has no points."), params={"heading": empty[0]}
        )
    if len(sections) > MAX_SECTIONS or any(len(s["points"]) > MAX_POINTS for s in sections):
        raise ValidationError(_("Too many sections or points."))
    return sections


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Sections"),
        max_length=20000,
        strip=False,  # line numbers in errors are those the editor sees
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("A line starting with ## begins a section; each line below it is a point."),
    )
    reviewed = forms.BooleanField(
        label=_("A fluent person reviewed this translation"), required=False
    )
    reviewer = forms.CharField(label=_("Reviewer"), max_length=120, required=False)
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def clean_body(self) -> list[dict[str, Any]]:
        return text_to_sections(self.cleaned_data["body"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reviewed") and not (data.get("reviewer") or "").strip():
            self.add_error("reviewer", _("Name the person who reviewed it."))
        if data.get("reviewed") and not data.get("reviewed_on"):
            self.add_error("reviewed_on", _("Give the date of the review."))
        return data
