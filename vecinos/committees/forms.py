"""Forms of the committee pages: they parse; the actions decide what is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.committees.models import CommitteeKind, ContactChannel, Task
from vecinos.core.widgets import LanguageCheckboxes, LanguageSelect

LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


class ZipSearchForm(forms.Form):
    zip = forms.RegexField(
        regex=r"^\d{5}$",
        required=False,
        label=_("ZIP code"),
        error_messages={"invalid": _("Enter a five-digit ZIP code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )


class JoinForm(forms.Form):
    alias = forms.CharField(
        label=_("Alias"),
        max_length=60,
        help_text=_("The only name other members will see. It need not be your real name."),
    )
    channel = forms.ChoiceField(label=_("How should we reach you?"), choices=ContactChannel.choices)
    contact = forms.CharField(
        label=_("Phone number or email address"),
        max_length=254,
        help_text=_("Only the committee's coordinators see it. It is stored encrypted."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=LANGUAGE_CHOICES, widget=LanguageSelect
    )
    why = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteJoinForm(JoinForm):
    code = forms.CharField(label=_("Invite code"), max_length=40)
    why = None  # type: ignore[assignment]


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("What the committee does"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    meets = forms.CharField(label=_("When it meets"), required=False, max_length=200)
    how_to_join = forms.CharField(
        label=_("How to join"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hotline = forms.CharField(label=_("Hotline number"), required=False, max_length=20)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=LanguageCheckboxes
    )
    requires_vouch = forms.BooleanField(
        label=_("A member must vouch for a person before a coordinator can approve them"),
        required=False,
    )
    zip_codes = forms.CharField(
        label=_("Area: ZIP codes"),
        required=False,
        max_length=400,
        help_text=_(
            "Separated by spaces or commas, e.g. 90033 90023. "
            "Leave the area fields empty to keep the area."
        ),
    )
    lat = forms.FloatField(label=_("Area: latitude of a centre"), required=False)
    lng = forms.FloatField(label=_("Area: longitude of a centre"), required=False)
    radius_km = forms.FloatField(label=_("Area: radius (km)"), required=False)
    cells = forms.CharField(
        label=_("Area: cells drawn on the map"),
        required=False,
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("H3 cells (resolution 8, in hex), one per line."),
    )


class CreateCommitteeForm(CommitteeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitteeKind.choices)
    coordinator = forms.CharField(
        label=_("First coordinator (username)"), required=False, max_length=150
    )


class CoordinatorForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("member", _("Member")), ("coordinator", _("Coordinator"))]
    )


class InviteForm(forms.Form):
    label = forms.CharField(label=_("Note (for you)"), required=False, max_length=80)
    max_uses = forms.IntegerField(label=_("Uses"), min_value=1, max_value=500, initial=1)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=7)


class AnnouncementForm(forms.Form):
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=120)
    body_en = forms.CharField(
        label=_("Message (English)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    subject_es = forms.CharField(label=_("Subject (Spanish)"), required=False, max_length=120)
    body_es = forms.CharField(
        label=_("Message (Spanish)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def texts(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            language: {"subject": data[f"subject_{language}"], "body": data[f"body_{language}"]}
            for language in ("en", "es")
            if data.get(f"subject_{language}") or data.get(f"body_{language}")
        }


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=140)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody yet")), *members]  # type: ignore[attr-defined]


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class DeactivateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
