"""Access rules of the site's own pages (vecinos/urls.py): home, health checks, the
language switch, and allauth's sign-in pages (one rule for all of them)."""

from __future__ import annotations

from tests.access.matrix import EVERYONE, Rule

RULES = [
    Rule("home", allowed=EVERYONE),
    Rule("healthz", allowed=EVERYONE),
    Rule("readyz", allowed=EVERYONE),
    Rule("set_language", method="POST", data=lambda w: {"language": "es"}, allowed=EVERYONE),
    # allauth's pages (sign-in, sign-out, MFA, password reset): allauth decides, per
    # page, what a visitor may see; the sign-in page is for everyone.
    Rule("account_login", allowed=EVERYONE, covers=r"^accounts/"),
]
