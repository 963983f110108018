"""Forms of the public subscription pages. They check shapes only; the actions in
``vecinos.alerts.subscriptions`` have the last word (and name the field they refuse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vecinos.alerts import areas, subscriptions
from vecinos.core.widgets import LanguageSelect

RADIUS_CHOICES = [
    ("0.5", _("500 m")),
    ("1", _("1 km")),
    ("2", _("2 km")),
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("25", _("25 km")),
]


def language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in subscriptions.LANGUAGES.items()]


class ContactForm(forms.Form):
    """A channel that takes a 6-digit code (SMS or email) and its number or address:
    how a subscriber, or a responder (``vecinos.delivery.forms``), is reached."""

    channel = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=[("sms", _("Text message (SMS)")), ("email", _("Email"))],
        widget=forms.RadioSelect,
        initial="sms",
    )
    address = forms.CharField(
        label=_("Phone number or email address"),
        help_text=_("We send a 6-digit code to check it is yours."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class SubscribeForm(ContactForm):
    language = forms.ChoiceField(
        label=_("Language of the alerts"), choices=language_choices, widget=LanguageSelect
    )
    zip_code = forms.RegexField(
        label=_("ZIP code"),
        regex=areas.ZIP_RE,
        max_length=5,
        required=False,
        error_messages={"invalid": _("Enter a five-digit ZIP code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    # Filled by "use my location" (JavaScript); the point itself is never stored.
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius_km = forms.TypedChoiceField(
        label=_("Distance around your location"),
        help_text=_("Only when you use your location; a ZIP code has its own distance."),
        choices=RADIUS_CHOICES,
        coerce=float,
        initial="2",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zip_code"].help_text = _(
            "Alerts for about %(km)s km around the middle of this ZIP code."
        ) % {"km": f"{settings.SUBSCRIPTION_ZIP_RADIUS_KM:g}"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not has_point and not data.get("zip_code") and "zip_code" not in self.errors:
            self.add_error("zip_code", _("Enter your ZIP code, or use your location."))
        return data


class ConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        help_text=_("The 6 digits we sent you."),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
        ),
    )


class ManageRequestForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Where do you get alerts?"),
        choices=[("sms", _("Text message (SMS)")), ("email", _("Email"))],
        widget=forms.RadioSelect,
        initial="sms",
    )
    address = forms.CharField(label=_("Phone number or email address"), max_length=254)
