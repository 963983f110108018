"""allauth's messages that its Spanish catalogue puts to the reader with "tú" (beside
"usted" in the same page, e.g. /accounts/email/ without an address). Marked here so
that ``make messages`` brings them into our catalogue, where they are translated with
"usted" like every other page; Django reads our catalogue (``LOCALE_PATHS``) before
allauth's. Never imported: the marks are for extraction only.

tests/test_spanish_everywhere.py fails when an allauth message reaches Spanish
readers with "tú".
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    gettext_noop("Please select only one."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Enter a phone number including country code (e.g. +1 for the US)."),
    gettext_noop("View your user ID"),
    gettext_noop("View your basic profile information"),
    gettext_noop(
        "You cannot generate recovery codes without having two-factor authentication enabled."
    ),
    gettext_noop(
        "We've sent a code to %(recipient)s. The code expires shortly, so please enter it soon."
    ),
    gettext_noop("Enter Email Verification Code"),
    gettext_noop("Enter Password Reset Code"),
    gettext_noop("Enter Phone Verification Code"),
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email "
        "address to register an account on %(site_domain)s."
    ),
    gettext_noop(
        "Your email verification code is listed below. Please enter it in your open browser window."
    ),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop("You have verified phone number %(phone)s."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an "
        "email address so you can receive notifications, reset your password, etc."
    ),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your "
        "main inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email '
        "address</a>."
    ),
    gettext_noop("%(client_name)s wants to access your %(site_name)s account."),
    gettext_noop("You successfully authorized your %(client_name)s device."),
    gettext_noop("Authorization for your %(client_name)s device has been denied."),
    gettext_noop("Download codes"),
    gettext_noop(
        "If you choose to trust this browser, you will not be asked for a verification "
        "code the next time you sign in."
    ),
    gettext_noop("Are you sure you want to remove this security key?"),
    gettext_noop(
        "You are about to create a passkey for your account. As you can add additional "
        "keys later on, you can use a descriptive name to tell the keys apart."
    ),
    gettext_noop(
        "A third-party account from %(provider)s has been disconnected from your account."
    ),
    ngettext_lazy(
        "You have added %(count)s security key.", "You have added %(count)s security keys."
    ),
)
