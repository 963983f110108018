"""Public pages for subscribers (no account): subscribe, confirm the code, manage
every subscription of a contact from a signed link, one-click unsubscribe, and the
service worker that shows web-push alerts.

Every page works without JavaScript except web push, which needs the browser's
Push API by nature (``static/alerts/push.js``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from vecinos.alerts import links, subscriptions
from vecinos.alerts.forms_subscribe import ConfirmForm, ManageRequestForm, SubscribeForm
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.alerts.views import visitor_language
from vecinos.core import hooks
from vecinos.core.views import over_rate

SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "alerts" / "sw.js"
# Other apps' parts of the one root service worker: the report form kept for use
# without signal (reports/static/reports/offline_sw.js).
SERVICE_WORKER_PARTS = ["reports/offline_sw.js"]
# A subscription form is a few hundred bytes; anything far bigger is not one.
MAX_FORM_BYTES = 16 * 1024


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        return True


def _limited(request: HttpRequest, scope: str, rate: tuple[int, int]) -> HttpResponse | None:
    return over_rate(request, scope, rate, "alerts/subscribe_rate_limited.html")


def _interface_language() -> str:
    language = (get_language() or "en").lower()
    return language if language in subscriptions.LANGUAGES else "en"


def _page_context() -> dict[str, Any]:
    return {**_push_context(), "sms_number": settings.SMS_PUBLIC_NUMBER}


def _push_context() -> dict[str, Any]:
    try:
        key = next(iter(hooks.push_public_key.call()), "")
    except Exception:  # no key yet (or pywebpush missing): the page works without push
        key = ""
    return {"vapid_public_key": key}


def _add_errors(form: Any, error: ValidationError) -> None:
    aliases = {"area.zip": "zip_code", "area.lat": "zip_code", "area.lng": "zip_code"}
    for field, messages in error.message_dict.items():
        name = aliases.get(field, field.split(".")[0])
        if name == "area":
            name = "zip_code"
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


# Subscribe ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SubscribeForm(initial={"language": visitor_language(request)})
        return render(request, "alerts/subscribe.html", {"form": form, **_page_context()})
    if _too_big(request):
        return HttpResponse(status=413)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "alerts/subscribe.html", {"form": form, **_page_context()}, status=400
        )
    if (limited := _limited(request, "subscription", settings.SUBSCRIPTION_RATE)) is not None:
        return limited
    data = form.cleaned_data
    point = data.get("lat") is not None and data.get("lng") is not None
    try:
        subscription = subscriptions.subscribe(
            channel=data["channel"],
            address=data["address"],
            language=data["language"],
            zip_code=None if point else data["zip_code"],
            lat=data["lat"] if point else None,
            lng=data["lng"] if point else None,
            radius_km=(data.get("radius_km") or settings.SUBSCRIPTION_ZIP_RADIUS_KM)
            if point
            else None,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return render(
            request, "alerts/subscribe.html", {"form": form, **_page_context()}, status=400
        )
    return HttpResponseRedirect(
        reverse("alerts_subscribe_confirm", args=[subscription.pk]), status=303
    )


def _pending_or_404(subscription_id: uuid.UUID) -> Subscription:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404
    return subscription


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    subscription = _pending_or_404(subscription_id)
    context: dict[str, Any] = {
        "subscription": subscription,
        "code_minutes": settings.SUBSCRIPTION_CODE_MINUTES,
    }
    if request.method != "POST":
        return render(request, "alerts/subscribe_confirm.html", {**context, "form": ConfirmForm()})
    if _too_big(request):
        return HttpResponse(status=413)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return render(
            request, "alerts/subscribe_confirm.html", {**context, "form": form}, status=400
        )
    count, period = settings.SUBSCRIPTION_RATE
    rate = (count * subscriptions.CODE_DIGITS, period)
    if (limited := _limited(request, "subscription-confirm", rate)) is not None:
        return limited
    was_active = subscription.status == SubscriptionStatus.ACTIVE
    try:
        confirmed = subscriptions.confirm_subscription(
            subscription=subscription, code=form.cleaned_data["code"]
        )
    except subscriptions.ConfirmationError as error:
        form.add_error("code", error.message)
        return render(
            request,
            "alerts/subscribe_confirm.html",
            {**context, "form": form, "reason": error.reason},
            status={"wrong": 422, "full": 409}.get(error.reason, 410),
        )
    # Only the person who typed the code sees the manage link (it lists every
    # subscription of this contact); confirming an active one again shows nothing new.
    return render(
        request,
        "alerts/subscribe_done.html",
        {
            "subscription": confirmed,
            "manage_url": None if was_active else links.manage_path(confirmed),
        },
    )


# Manage ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    """Ask for a manage link: it goes to the contact, never to this page."""
    if request.method != "POST":
        return render(request, "alerts/manage_request.html", {"form": ManageRequestForm()})
    if _too_big(request):
        return HttpResponse(status=413)
    form = ManageRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "alerts/manage_request.html", {"form": form}, status=400)
    if (limited := _limited(request, "subscription", settings.SUBSCRIPTION_RATE)) is not None:
        return limited
    try:
        subscriptions.send_manage_link(
            channel=form.cleaned_data["channel"],
            address=form.cleaned_data["address"],
            language=_interface_language(),
        )
    except ValidationError as error:
        _add_errors(form, error)
        return render(request, "alerts/manage_request.html", {"form": form}, status=400)
    # The same answer whether or not the contact has subscriptions.
    return render(request, "alerts/manage_request.html", {"form": None, "sent": True})


def _manage_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/manage_invalid.html", status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    owner = links.read_manage_token(token)
    if owner is None:
        return _manage_invalid(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "stop_all":
            subscriptions.stop_contact_hash(channel=owner.channel, contact_hash=owner.contact_hash)
        elif action in {"stop", "resume"}:
            subscription = _owned(owner, request.POST.get("subscription", ""))
            if subscription is None:
                return _manage_invalid(request)
            if action == "stop":
                subscriptions.stop_subscription(subscription=subscription)
            else:
                subscriptions.resume_subscription(subscription=subscription)
        else:
            return _manage_invalid(request)
        return HttpResponseRedirect(reverse("alerts_manage_link", args=[token]), status=303)
    rows = subscriptions.subscriptions_of_contact(
        channel=owner.channel, contact_hash=owner.contact_hash
    )
    return render(
        request,
        "alerts/manage.html",
        {
            "rows": rows,
            "contact": subscriptions.masked_contact(rows[0]) if rows else "",
            "live": [row for row in rows if row.status in subscriptions.LIVE_STATUSES],
            "language_names": subscriptions.LANGUAGES,
        },
    )


def _owned(owner: links.ManageToken, subscription_id: str) -> Subscription | None:
    try:
        return Subscription.objects.get(
            pk=subscription_id, channel=owner.channel, contact_hash=owner.contact_hash
        )
    except (Subscription.DoesNotExist, ValidationError, ValueError):
        return None


# One-click unsubscribe ----------------------------------------------------------------------


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not unsubscribe anyone); POST stops the
    subscription. The signed token is the only credential; it names one subscription."""
    subscription_hex = links.read_unsubscribe_token(token)
    if subscription_hex is None:
        return render(request, "alerts/unsubscribe_invalid.html", status=400)
    subscription = Subscription.objects.filter(pk=subscription_hex).first()
    if request.method != "POST":
        return render(
            request,
            "alerts/unsubscribe.html",
            {"subscription": subscription, "token": token},
        )
    if subscription is not None:
        subscriptions.stop_subscription(subscription=subscription)
    return render(request, "alerts/unsubscribe_done.html", {"subscription": subscription})


# Service worker ----------------------------------------------------------------------------


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: served from the root so its scope covers the whole site. One service
    worker per scope: the parts of other apps (``SERVICE_WORKER_PARTS``, static files)
    are loaded into it with ``importScripts``."""
    parts = "".join(
        f"importScripts({json.dumps(static(part))});\n" for part in SERVICE_WORKER_PARTS
    )
    response = HttpResponse(
        parts.encode() + SERVICE_WORKER.read_bytes(),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
