"""The responder's contact page: where dispatch requests reach them.

A signed-in responder sees their contacts (SMS, email, web push), sends themself a
test, removes one, and sets or changes one: an SMS number or email address is
confirmed with a 6-digit code sent to it, a browser by its own push subscription.
Plain forms and redirects, phone first; only web push needs JavaScript
(``static/delivery/responder_contact.js``), and the page works without it.

The contact typed in, until its code comes back, is kept in the session as
``vecinos.delivery.responders.PendingContact`` (encrypted, the code only hashed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts.access import acting_user, responder_required
from vecinos.alerts import subscriptions
from vecinos.alerts.forms_subscribe import ConfirmForm
from vecinos.core import ratelimit
from vecinos.core.request_size import too_large
from vecinos.core.views import apply_errors
from vecinos.delivery import responders
from vecinos.delivery.forms import ResponderContactForm

SESSION_KEY = "responder_contact_pending"
# The forms are a few hundred bytes (a push subscription under one KiB).
MAX_FORM_BYTES = 16 * 1024
MAX_PUSH_JSON = 4096


def _too_big(request: HttpRequest) -> bool:
    return too_large(request, MAX_FORM_BYTES)


def _pending(request: HttpRequest) -> responders.PendingContact | None:
    return responders.PendingContact.from_session(request.session.get(SESSION_KEY))


def _keep(request: HttpRequest, pending: responders.PendingContact | None) -> None:
    if pending is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = pending.to_session()


def _vapid_public_key() -> str:
    try:
        from vecinos.delivery.transports.webpush import vapid_public_key

        return vapid_public_key()
    except Exception:  # no key yet (or pywebpush missing): the page works without push
        return ""


def _page(
    request: HttpRequest,
    *,
    form: ResponderContactForm | None = None,
    confirm_form: ConfirmForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    user = acting_user(request)
    contacts = responders.contacts_of(user)
    pending = _pending(request)
    replaces = next(
        (contact for contact in contacts if pending and contact.channel == pending.channel), None
    )
    context: dict[str, Any] = {
        "contacts": [(contact, responders.masked(contact)) for contact in contacts],
        "pending": pending,
        "pending_masked": pending.masked if pending else "",
        "replaces": responders.masked(replaces) if replaces else "",
        "form": form or ResponderContactForm(),
        "confirm_form": confirm_form or ConfirmForm(),
        "problem": problem,
        "code_minutes": settings.SUBSCRIPTION_CODE_MINUTES,
        "vapid_public_key": _vapid_public_key(),
    }
    return render(request, "delivery/responder_contact.html", context, status=status)


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("responder_contact"), status=303)


def _refused(request: HttpRequest, problem: str, status: int, retry_after: int = 0) -> HttpResponse:
    response = _page(request, problem=problem, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _limited(request: HttpRequest, scope: str, rate: tuple[int, int]) -> HttpResponse | None:
    """Per responder (not per client address: they are signed in)."""
    verdict = ratelimit.hit(scope, str(acting_user(request).pk), rate)
    if verdict.allowed:
        return None
    return _refused(
        request, _("Too many tries. Wait a while and try again."), 429, verdict.retry_after
    )


def _on_channel(
    view: Callable[[HttpRequest, str], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The view gets the channel posted (SMS, email, web push); any other is a 400."""

    @wraps(view)
    def on_channel(request: HttpRequest) -> HttpResponse:
        channel = request.POST.get("channel", "")
        if channel not in responders.CHANNELS:
            return _refused(request, _("Choose SMS, email or web push."), 400)
        return view(request, channel)

    return on_channel


@require_safe
@responder_required
def responder_contact(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@responder_required
def responder_contact_request(request: HttpRequest) -> HttpResponse:
    """Send a code to the number or address typed; the page then asks for it."""
    if _too_big(request):
        return HttpResponse(status=413)
    form = ResponderContactForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    if (limited := _limited(request, "responder-contact", settings.SUBSCRIPTION_RATE)) is not None:
        return limited
    user = acting_user(request)
    try:
        pending = responders.request_responder_contact(
            user=user,
            channel=form.cleaned_data["channel"],
            address=form.cleaned_data["address"],
            language=get_language() or settings.LANGUAGE_CODE,
            actor=user,
        )
    except subscriptions.TooManyCodes as error:
        return _refused(
            request,
            _("We have sent as many codes to this contact as an hour allows. Try again later."),
            429,
            error.retry_after,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _page(request, form=form, status=400)
    _keep(request, pending)
    return HttpResponseRedirect(reverse("responder_contact") + "#confirm", status=303)


@require_POST
@responder_required
def responder_contact_confirm(request: HttpRequest) -> HttpResponse:
    if _too_big(request):
        return HttpResponse(status=413)
    pending = _pending(request)
    if pending is None:
        return _refused(request, _("There is no code waiting to be confirmed. Ask for one."), 410)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _page(request, confirm_form=form, status=400)
    count, period = settings.SUBSCRIPTION_RATE
    rate = (count * subscriptions.CODE_DIGITS, period)
    if (limited := _limited(request, "responder-contact-confirm", rate)) is not None:
        return limited
    user = acting_user(request)
    try:
        contact = responders.confirm_responder_contact(
            user=user, pending=pending, code=form.cleaned_data["code"], actor=user
        )
    except subscriptions.ConfirmationError as error:
        wrong = error.reason == subscriptions.CODE_WRONG
        _keep(request, pending if wrong else None)
        if wrong:  # the form stays, with the message under the code
            form.add_error("code", error.message)
            return _page(request, confirm_form=form, status=422)
        return _refused(request, error.message, 410)  # the code is gone: ask again
    _keep(request, None)
    messages.success(
        request,
        _("Confirmed. Dispatch requests will reach you at %(contact)s.")
        % {"contact": responders.masked(contact)},
    )
    return _back()


@require_POST
@responder_required
def responder_contact_cancel(request: HttpRequest) -> HttpResponse:
    """Forget the contact waiting for its code (a typo, a change of mind)."""
    _keep(request, None)
    return _back()


@require_POST
@responder_required
@_on_channel
def responder_contact_remove(request: HttpRequest, channel: str) -> HttpResponse:
    user = acting_user(request)
    if responders.remove_responder_contact(user=user, channel=channel, actor=user):
        messages.success(request, _("Removed. Dispatch requests no longer go there."))
    return _back()


@require_POST
@responder_required
@_on_channel
def responder_contact_test(request: HttpRequest, channel: str) -> HttpResponse:
    user = acting_user(request)
    try:
        contact = responders.send_responder_test(user=user, channel=channel, actor=user)
    except responders.TooManyTests as error:
        return _refused(
            request,
            _("You have sent yourself enough tests for now. Try again later."),
            429,
            error.retry_after,
        )
    if contact is None:
        return _refused(request, _("You have no contact on this channel."), 404)
    messages.success(
        request,
        _("A test message is on its way to %(contact)s.") % {"contact": responders.masked(contact)},
    )
    return _back()


@require_POST
@responder_required
def responder_contact_webpush(request: HttpRequest) -> HttpResponse:
    """This browser's push subscription (JSON, put in the form by the page's script)."""
    if _too_big(request):
        return HttpResponse(status=413)
    raw = request.POST.get("subscription", "")
    problem = _("This browser's push subscription could not be read. Try again.")
    if not raw or len(raw) > MAX_PUSH_JSON:
        return _refused(request, problem, 400)
    try:
        subscription = json.loads(raw)
    except (ValueError, RecursionError):
        return _refused(request, problem, 400)
    user = acting_user(request)
    try:
        responders.set_responder_contact(
            user=user, channel="webpush", address=subscription, actor=user
        )
    except ValidationError as error:
        return _refused(request, " ".join(error.messages), 400)
    messages.success(request, _("This browser will show dispatch requests."))
    return _back()
