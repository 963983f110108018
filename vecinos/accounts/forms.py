from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.text import text_problem


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “dispatch laptop script”."),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if problem := text_problem(name):
            raise forms.ValidationError(problem)
        return name
