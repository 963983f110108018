"""The account page: who you are, your second factor, and your API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
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
    reset_error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "has_totp": queries.has_totp(user),
        "has_recovery_codes": queries.has_recovery_codes(user),
        "tokens": list(queries.api_tokens_of(user)) if user.may_have_api_tokens else [],
        "form": form or ApiTokenForm(),
        "new_token": new_token,
        "error": error,
        "reset_error": reset_error,
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


@login_required
@require_POST
def reset_second_factor(request: HttpRequest) -> HttpResponse:
    """An admin resets the second factor of someone who lost their phone (and their
    recovery codes). Everyone else gets a 404, as for any page outside their reach."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_admin:
        raise Http404
    username = (request.POST.get("username") or "").strip()
    person = User.objects.filter(username__iexact=username).first() if username else None
    if person is None:
        return _render_home(
            request,
            reset_error=_("There is no account with the username “%(name)s”.")
            % {"name": username[:150]},
            status=400,
        )
    try:
        removed = actions.reset_second_factor(user=person, actor=user)
    except actions.AccountError as error:
        return _render_home(request, reset_error=str(error), status=400)
    if removed:
        messages.success(
            request,
            _(
                "%(name)s's two-factor sign-in is reset. At their next sign-in they set up a "
                "new authenticator app and get new recovery codes."
            )
            % {"name": person.username},
        )
    else:
        messages.info(request, _("%(name)s had no two-factor sign-in.") % {"name": person.username})
    return HttpResponseRedirect(reverse("account_home"))
