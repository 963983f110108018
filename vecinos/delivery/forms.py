"""Forms of the delivery app's pages. They check shapes only; the actions in
``vecinos.delivery.responders`` have the last word (and name the field they refuse)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vecinos.alerts.forms_subscribe import ContactForm


class ResponderContactForm(ContactForm):
    """Where a responder wants dispatch requests: a channel that takes a code, and
    the number or address (web push has its own button, which needs JavaScript)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].label = _("How should requests reach you?")
