from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.alerts.areas import AreaError, zip_area
from vecinos.alerts.phrases import BOOKS
from vecinos.core.widgets import LanguageSelect
from vecinos.directory.models import Service


def language_choices() -> list[tuple[str, object]]:
    return [("", _("Any language")), *((code, book.name) for code, book in BOOKS.items())]


class SearchForm(forms.Form):
    zip = forms.CharField(label=_("ZIP code"), max_length=10, required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=language_choices, widget=LanguageSelect
    )
    service = forms.ChoiceField(
        label=_("Help with"),
        required=False,
        choices=[("", _("Any kind of help")), *Service.choices],
    )

    def clean_zip(self) -> str:
        value = (self.cleaned_data.get("zip") or "").strip()
        if value:
            try:
                zip_area(value)
            except AreaError as error:
                raise forms.ValidationError(error.message) from None
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
