from __future__ import annotations

from typing import Any

from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.text import validate_text


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “dispatch laptop script”."),
        validators=[validate_text],
    )


# The 6-digit code of the authenticator app (and the 8-digit recovery codes) are digits:
# phones show the number pad, and can fill in a code they received.
_CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(_CODE_ATTRS)


class ReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(_CODE_ATTRS)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(_CODE_ATTRS)
