"""The account page: who you are, your second factor, and your API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts import actions, queries
from vecinos.accounts.forms import ApiTokenForm
from vecinos.accounts.models import User
from vecinos.accounts.queries import get_api_token_for_user


def _render_home(
    request: HttpRequest,
    *,
    form: ApiTokenForm | None = None,
    new_token: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "has_totp": queries.has_totp(user),
        "tokens": list(queries.api_tokens_of(user)) if user.may_have_api_tokens else [],
        "form": form or ApiTokenForm(),
        "new_token": new_token,
        "error": error,
    }
    return render(request, "accounts/home.html", context, status=status)


@login_required
@require_safe
def account_home(request: HttpRequest) -> HttpResponse:
    return _render_home(request)


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Make a token and show it in this response only: it is never stored in clear,
    so there is no page to come back to (and ``no-store`` keeps it out of caches)."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_home(request, form=form, status=400)
    try:
        _token, plaintext = actions.create_api_token(
            user=user, name=form.cleaned_data["name"], actor=user
        )
    except actions.AccountError as error:
        return _render_home(request, form=form, error=str(error), status=403)
    return _render_home(request, new_token=plaintext)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_api_token_for_user(user, token_id)
    actions.revoke_api_token(token=token, actor=user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return HttpResponseRedirect(reverse("account_home"))
