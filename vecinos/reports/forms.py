"""The public report form. It works without JavaScript: the place is a line of text
(cross streets, a landmark); with JavaScript a map and "use my location" fill the
hidden ``lat``/``lng`` fields as well.

Without a map point there is nothing to cluster on (there is no geocoder: looking the
text up with a third party would tell it what was reported). Such a report is still
accepted: it opens its own incident marked "needs location", and a dispatcher reads
the place text and places it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.text import validate_text
from vecinos.reports import actions, photos
from vecinos.reports.models import Agency, Kind

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
BAD_POINT = _(
    "The point on the map could not be used. Tap the map again or use “Use my location”, "
    "or remove the map point and describe the place in words."
)


def local_now() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What did you see?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=_("Where?"),
        help_text=_("Cross streets, a landmark or a business, e.g. “Cesar Chavez Ave & Soto St”."),
        max_length=actions.MAX_PLACE,
        required=False,
        validators=[validate_text],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Made fresh for each rendering of the form and echoed back: a second send of the
    # same filled-in form (a double tap, a retry, the offline queue) is the same report.
    idempotency_key = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)
    # Hidden fields the map fills: their errors say what the person can do, not which
    # bound a number they never saw broke.
    lat = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
        error_messages={"invalid": BAD_POINT, "min_value": BAD_POINT, "max_value": BAD_POINT},
    )
    lng = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
        error_messages={"invalid": BAD_POINT, "min_value": BAD_POINT, "max_value": BAD_POINT},
    )
    observed_at = forms.DateTimeField(
        label=_("When?"),
        help_text=_("Leave it as it is if it is happening now."),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    agencies = forms.MultipleChoiceField(
        label=_("Which agencies? (if you know)"),
        choices=Agency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    vehicles = forms.IntegerField(
        label=_("How many vehicles?"),
        min_value=0,
        max_value=actions.MAX_VEHICLES,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    officers = forms.IntegerField(
        label=_("How many officers?"),
        min_value=0,
        max_value=actions.MAX_OFFICERS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("What is happening?"),
        help_text=_(
            "Describe what you see: uniforms, vehicles, what they are doing. "
            "Do not write anyone's name, and nothing about the officers' faces, "
            "badges, homes or licence plates."
        ),
        max_length=actions.MAX_DESCRIPTION,
        required=False,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        help_text=_("JPEG, PNG or WebP. We remove its location and other hidden data."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["observed_at"].initial = timezone.localtime(self.now).strftime(DATETIME_LOCAL)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def clean_observed_at(self) -> datetime:
        # Left empty (or cleared by the browser): it is happening now.
        observed_at: datetime = self.cleaned_data.get("observed_at") or self.now
        if observed_at < self.now - actions.MAX_AGE:
            raise ValidationError(_("Report only what you saw in the last 24 hours."))
        if observed_at > self.now + actions.MAX_AHEAD:
            raise ValidationError(_("That time is in the future."))
        return observed_at

    def clean_photo(self) -> photos.CleanPhoto | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return photos.clean_photo(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["photo"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            # Only a tampered page sends one without the other: forget the point.
            data["lat"] = data["lng"] = None
        located = data.get("lat") is not None
        if not located and not data.get("place") and "place" not in self.errors:
            self.add_error(
                "place",
                _("Tell us where: describe the place, or choose it on the map."),
            )
        data["needs_location"] = not located
        return data
