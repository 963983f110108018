"""``GET /api/v1/me``: who the bearer token belongs to. Lets a script check its token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from vecinos.api.auth import TokenAuth
from vecinos.api.errors import PUBLIC_ERRORS, ErrorOut

router = Router(tags=["accounts"], auth=TokenAuth())


class MeOut(Schema):
    username: str
    role: str


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut, **PUBLIC_ERRORS},
    summary="The owner of the bearer token",
)
def me(request: HttpRequest) -> MeOut:
    return MeOut(username=request.user.username, role=request.user.role)  # type: ignore[union-attr]
