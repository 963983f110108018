"""Forms of the delivery app's pages. They check shapes only; the actions in
``vecinos.delivery.responders`` have the last word (and name the field they refuse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ResponderContactForm(forms.Form):
    """Where a responder wants dispatch requests: a channel that takes a code, and
    the number or address (web push has its own button, which needs JavaScript)."""

    channel = forms.ChoiceField(
        label=_("How should requests reach you?"),
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
