"""Access rules of the account pages (vecinos/accounts/urls.py)."""

from __future__ import annotations

from tests.access.matrix import SIGNED_IN, Rule, World
from vecinos.accounts.models import ApiToken


def setup(world: World) -> None:
    world.rosa_token = ApiToken.objects.filter(user=world.user("rosa"), revoked_at=None).first()


RULES = [
    Rule("account_home", allowed=SIGNED_IN),
    # Members may hold no token: their request is refused (403 naming why).
    Rule(
        "account_create_token",
        method="POST",
        data=lambda w: {"name": "laptop"},
        allowed=SIGNED_IN - {"mara"},
        refused={403},
    ),
    # Only one's own token; anyone else's is a 404, admins included.
    Rule(
        "account_revoke_token",
        method="POST",
        kwargs=lambda w: {"token_id": w.rosa_token.pk},
        allowed={"rosa"},
        refused={404},
    ),
]
