"""Forms of the case pages. They only parse: the rules live in vecinos/cases/actions.py
(``clean_facts``), whose refusals the views put back on the form's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.alerts.phrases import BOOKS as ALERT_BOOKS
from vecinos.cases import phrases
from vecinos.cases.models import (
    CaseState,
    FamilyChannel,
    HearingKind,
    LocatorResult,
    ReferralAnswer,
)
from vecinos.cases.queries import case_workers, facilities, task_assignees
from vecinos.core.widgets import LanguageSelect


def language_choices() -> list[tuple[str, str]]:
    """The twelve alert languages, each by its own name."""
    return [(code, book.name) for code, book in ALERT_BOOKS.items()]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class FactsForm(forms.Form):
    """What the family gives; everything optional but a contact's channel."""

    person_name = forms.CharField(label=_("Name of the person taken"), max_length=200)
    a_number = forms.CharField(
        label=_("A-number, if known"),
        max_length=20,
        required=False,
        help_text=_("8 or 9 digits, on papers from immigration."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth, if known"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    person_language = forms.ChoiceField(
        label=_("Language they speak"),
        choices=language_choices,
        initial="es",
        widget=LanguageSelect,
    )
    taken_at = forms.DateTimeField(
        label=_("When were they taken?"), required=False, widget=DateTimeInput()
    )
    taken_place = forms.CharField(
        label=_("Where were they taken?"),
        max_length=2000,
        required=False,
        help_text=_("A street, a workplace, a courthouse."),
    )
    dependents = forms.CharField(
        label=_("Children or others who need care"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    medical_needs = forms.CharField(
        label=_("Medical needs or medicines"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    family_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    family_channel = forms.ChoiceField(
        label=_("How can we reach you?"),
        choices=FamilyChannel.choices,
        initial=FamilyChannel.SMS,
        widget=forms.RadioSelect,
    )
    family_contact = forms.CharField(
        label=_("Phone number or email address"), max_length=200, required=False
    )
    family_language = forms.ChoiceField(
        label=_("Your language, for our messages"),
        choices=language_choices,
        initial="es",
        widget=LanguageSelect,
    )
    family_updates = forms.BooleanField(
        label=_("Send me updates and hearing reminders"), required=False, initial=True
    )

    def facts(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        else:
            data["date_of_birth"] = ""
        return {key: value for key, value in data.items() if key in FACTS_FIELDS}


FACTS_FIELDS = tuple(FactsForm.base_fields)


class StaffCaseForm(FactsForm):
    """The hotline form: the same facts, written by staff during the call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family_name"].label = _("Family contact's name")
        self.fields["family_channel"].label = _("Reach the family by")
        self.fields["family_language"].label = _("Family's language")
        self.fields["family_updates"].label = _("The family wants updates and hearing reminders")


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=CaseState.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=task_assignees(), required=False, to_field_name="username"
    )
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DateTimeInput())


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(
        label=_("Case worker"), queryset=case_workers(), to_field_name="username"
    )


class LocatorForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=facilities(), required=False)
    result = forms.ChoiceField(label=_("Result"), choices=LocatorResult.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=2000, required=False)


def directory_organizations() -> Any:
    from vecinos.directory.models import Organization

    return Organization.objects.all()


class ReferralForm(forms.Form):
    directory_organization = forms.ModelChoiceField(
        label=_("From the legal-aid directory"),
        queryset=directory_organizations(),
        required=False,
        to_field_name="slug",
    )
    organization = forms.CharField(
        label=_("Or another organization"), max_length=160, required=False
    )
    follow_up_hours = forms.IntegerField(
        label=_("Follow up after (hours) if no answer"), min_value=1, max_value=336, initial=48
    )


class ReferralAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(v, label) for v, label in ReferralAnswer.choices if v != "pending"],
    )


class HearingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=HearingKind.choices)
    at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


UPDATE_LABELS = {
    "searching": _("We are still searching"),
    "located": _("We found where they are held (names the facility)"),
    "referred": _("Referred to a legal-aid organization"),
    "represented": _("A lawyer represents them"),
    "bond_requested": _("Bond requested"),
    "released": _("Released"),
    "transferred": _("Moved to another place"),
    "call_us": _("Please call the hotline"),
}


def update_choices() -> list[tuple[str, Any]]:
    return [(key, UPDATE_LABELS[key]) for key in phrases.UPDATES]


class FamilyUpdateForm(forms.Form):
    template = forms.ChoiceField(label=_("Update"), choices=update_choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
