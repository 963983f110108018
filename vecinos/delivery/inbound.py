"""Twilio webhooks: inbound SMS (``POST /sms/twilio``) and message status callbacks
(``POST /sms/twilio/status``).

Both check ``X-Twilio-Signature`` first: base64 of HMAC-SHA1, under
``TWILIO_AUTH_TOKEN``, of the full public URL followed by every POST parameter as
name + value, sorted by name (Twilio's documented scheme). A request that is unsigned
or signed with anything else gets 403 and changes nothing.

Inbound messages are read by ``keywords.parse`` and answered with TwiML. The number
they come from is used for the request and forgotten, except where it must be kept:
the contact of a subscription it makes (``JOIN``) and the reporter's contact of a
``REPORT`` (``ReporterContact``, ``REPORT_RETENTION`` days), both encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vecinos.alerts import areas, subscriptions
from vecinos.alerts.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from vecinos.core import crypto, hooks, ratelimit
from vecinos.delivery import keywords, places, reporters
from vecinos.reports.actions import MAX_DESCRIPTION, MAX_PLACE, NewReport, submit_report
from vecinos.reports.models import Channel, Kind, Report

logger = logging.getLogger(__name__)

# Twilio posts a few hundred bytes; a concatenated SMS is at most 1,600 characters.
MAX_REQUEST_BYTES = 16 * 1024
MAX_BODY_CHARS = 1600
SID_RE = re.compile(r"^[A-Za-z0-9]{10,64}$")
NUMBER_PURPOSE = "sms-inbound"


# Signature -------------------------------------------------------------------------------


def compute_signature(url: str, params: QueryDict | dict[str, list[str]], token: str) -> str:
    """Twilio's request signature for ``url`` and the POST ``params``."""
    data = url
    for name in sorted(set(params)):
        values = params.getlist(name) if isinstance(params, QueryDict) else params[name]
        for value in sorted(set(values)):
            data += name + value
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def public_url(request: HttpRequest) -> str:
    """The URL Twilio was given for this webhook: our public origin and the path
    (with the script prefix and query string) of this request."""
    return settings.VECINOS_PUBLIC_ORIGIN + request.get_full_path()


def _port_variants(url: str) -> set[str]:
    # Twilio's own validator accepts the URL with and without the default port.
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    variants = {url}
    if default is not None and host:
        for netloc in (host, f"{host}:{default}"):
            variants.add(urlunsplit(parts._replace(netloc=netloc)))
    return variants


def signature_valid(request: HttpRequest) -> bool:
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    given = request.headers.get("X-Twilio-Signature", "")
    if not token or not given:
        return False
    # Twilio posts form-encoded parameters; any other body leaves request.POST empty
    # and the signature then covers the URL alone.
    return any(
        hmac.compare_digest(compute_signature(url, request.POST, token).encode(), given.encode())
        for url in _port_variants(public_url(request))
    )


def _check(request: HttpRequest) -> HttpResponse | None:
    """403 unless the request is signed; 413 if it is far bigger than Twilio sends."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_REQUEST_BYTES + 1
    if declared > MAX_REQUEST_BYTES:
        return HttpResponse(status=413)
    if not signature_valid(request):
        return HttpResponse(status=403)
    return None


# For the other Twilio webhooks of the site (the hotline's Voice webhook).
check_signed = _check


# TwiML -----------------------------------------------------------------------------------


def twiml(message: str | None) -> HttpResponse:
    body = (
        f"<Response><Message>{escape(message)}</Message></Response>" if message else "<Response/>"
    )
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>' + body, content_type="text/xml; charset=utf-8"
    )


# Inbound messages ------------------------------------------------------------------------

# Words that say what was seen, folded (upper case, no accents). First match wins.
KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Kind.CHECKPOINT, ("CHECKPOINT", "RETEN", "PUNTO DE CONTROL", "CHEQUEO")),
    (Kind.RAID, ("RAID", "REDADA", "OPERATIVO")),
    (
        Kind.ARREST,
        ("ARREST", "DETAINED", "ARRESTO", "DETENCION", "DETENIDO", "DETUVIERON", "ARRESTARON"),
    ),
    (Kind.SURVEILLANCE, ("SURVEILLANCE", "WATCHING", "VIGILANCIA", "VIGILANDO")),
    (Kind.PATROL, ("PATROL", "PATRULLA", "PATRULLANDO")),
]
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def guess_kind(text: str) -> str:
    words = " " + re.sub(r"[^A-Z0-9]+", " ", keywords.fold(text)) + " "
    for kind, needles in KIND_WORDS:
        if any(f" {needle} " in words for needle in needles):
            return str(kind)
    return str(Kind.OTHER)


def _reply_language(command: keywords.Command, contact_hash: str) -> str:
    if command.language:
        return command.language
    # A word that does not say (INFO, or no keyword): the number's own language.
    found = (
        Subscription.objects.filter(channel="sms", contact_hash=contact_hash)
        .order_by("-created_at")
        .values_list("language", flat=True)
        .first()
    )
    return found or "en"


def _help_text() -> str:
    return _(
        "Vecinos alerts. JOIN + ZIP code: get alerts (UNIRSE in Spanish). STOP: stop. "
        "REPORT + what and where: report enforcement you see."
    )


def _join(phone: str, command: keywords.Command, language: str) -> str:
    zip_code = keywords.find_zip(command.argument)
    if zip_code is None:
        return _("Send JOIN and your 5-digit ZIP code, e.g. JOIN 90033.")
    try:
        subscriptions.subscribe(
            channel="sms", address=phone, language=language, zip_code=zip_code, confirmed=True
        )
    except ValidationError as error:
        if "area.zip" in error.message_dict:
            return _("We do not know the ZIP code %(zip)s in our area.") % {"zip": zip_code}
        return next(iter(error.messages), _help_text())
    return _("You will get Vecinos alerts for ZIP %(zip)s. Text STOP to stop, HELP for help.") % {
        "zip": zip_code
    }


def _report_hint() -> str:
    return _("Send REPORT and what you see and where, e.g. REPORT ICE van at 1st and Soto 90033.")


def _report(phone: str, command: keywords.Command, language: str) -> str:
    text = _FORBIDDEN.sub("", command.argument).strip()
    if not text:
        return _report_hint()
    verdict = ratelimit.hit(
        "report", ratelimit.client_key("sms:" + phone), settings.VECINOS_REPORT_RATE
    )
    if not verdict.allowed:
        return _("We got many reports from you. Please wait before sending more.")
    lat = lng = None
    place = ""
    zip_code = keywords.find_zip(text)
    centroid = areas.find_zip(zip_code) if zip_code else None
    if centroid is not None:
        lat, lng, place = centroid.lat, centroid.lng, f"ZIP {centroid.zip_code}"
    elif (known := places.find_place(text)) is not None:
        lat, lng, place = known.lat, known.lng, known.name
    try:
        _file_report(text, lat, lng, place, language, phone)
    except ValidationError:
        # The domain rules refused it (nothing to fix by SMS): say how to report.
        return _report_hint()
    if lat is None:
        return _(
            "Thank you. We could not tell where this is: send another REPORT with the "
            "ZIP code or cross streets. Responders will check before anyone is alerted."
        )
    return _(
        "Thank you. Trained responders will check your report before anyone is alerted. "
        "We may text you a question."
    )


def _file_report(
    text: str, lat: float | None, lng: float | None, place: str, language: str, phone: str
) -> Report:
    with transaction.atomic():
        report = submit_report(
            NewReport(
                kind=guess_kind(text),
                lat=lat,
                lng=lng,
                place=place[:MAX_PLACE],
                description=text[:MAX_DESCRIPTION],
                language=language,
                channel=Channel.SMS,
                # A day-scoped pseudonym of the number: tells repeat senders apart from
                # independent sources without keeping the number.
                client_key=ratelimit.client_key("sms:" + phone),
                needs_location=lat is None,
            )
        )
        reporters.record_reporter_contact(report=report, phone=phone)
    return report


def handle_message(phone: str, body: str) -> str | None:
    """Act on one inbound message from ``phone`` (E.164) and return the reply."""
    command = keywords.parse(body[:MAX_BODY_CHARS])
    hashed = subscriptions.contact_hash("sms", phone)
    language = _reply_language(command, hashed)
    with translation.override(language):
        if command.answer:
            # An answer to a question an app above asked by SMS (an invitation):
            # ``hooks.sms_answer``; the first that recognises it replies.
            for reply in hooks.sms_answer.call(
                sms_hash=hashed, answer=command.answer, language=language
            ):
                if reply:
                    return str(reply)
        if command.kind == keywords.STOP:
            subscriptions.stop_contact(channel="sms", address=phone)
            return _("You will get no more Vecinos alerts. Text START to turn them back on.")
        if command.kind == keywords.START:
            if subscriptions.resume_contact(channel="sms", address=phone):
                return _("Vecinos alerts are on again. Text STOP to stop.")
            return _("You have no alerts to turn back on. Text JOIN and your ZIP code.")
        if command.kind == keywords.JOIN:
            return _join(phone, command, language)
        if command.kind == keywords.REPORT:
            return _report(phone, command, language)
        return _help_text()


@csrf_exempt  # Twilio signs its requests; it has no CSRF token
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if (refused := _check(request)) is not None:
        return refused
    try:
        phone = crypto.normalize_phone(request.POST.get("From", "")[:40])
    except ValueError:
        return twiml(None)  # a short code or an alphanumeric sender: nobody to answer
    body = request.POST.get("Body", "")[:MAX_BODY_CHARS]
    stop = keywords.parse(body).kind == keywords.STOP
    # STOP always works; everything else is bounded per number and in total.
    if not stop:
        everyone = ratelimit.hit("sms-inbound-all", "all", settings.SMS_INBOUND_GLOBAL_RATE)
        number = crypto.keyed_hash(phone, purpose=NUMBER_PURPOSE)
        this_number = ratelimit.hit("sms-inbound", number, settings.SMS_INBOUND_RATE)
        if not (everyone.allowed and this_number.allowed):
            return twiml(None)
    return twiml(handle_message(phone, body))


# Status callbacks ------------------------------------------------------------------------

# Twilio's message states, as delivery states.
TWILIO_STATES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENDING,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
# Forward only: a state may replace only the states before it. Delivered, failed and
# skipped are final.
BEFORE = {
    DeliveryStatus.QUEUED: (),
    DeliveryStatus.SENDING: (DeliveryStatus.QUEUED,),
    DeliveryStatus.SENT: (DeliveryStatus.QUEUED, DeliveryStatus.SENDING),
    DeliveryStatus.DELIVERED: (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT),
    DeliveryStatus.FAILED: (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT),
}
# Error codes that mean the number will never get our messages: invalid number, the
# recipient opted out at the carrier, unreachable, unknown, landline.
PERMANENT_ERRORS = {"21211", "21610", "30003", "30005", "30006"}


def record_status(
    *, provider_id: str, state: str, error_code: str = "", delivery_id: int | None = None
) -> int:
    """Move the delivery with this provider id (or, given, this delivery id: the
    callback may come before the worker has recorded the sid) forward to ``state`` (a
    Twilio message state). A conditional update that only moves forward, so
    duplicates and callbacks out of order are harmless. A permanent error disables the
    subscription. Returns the rows moved."""
    status = TWILIO_STATES.get(state)
    if status is None or not BEFORE[status]:
        return 0
    which = Q(provider_id=provider_id)
    if delivery_id is not None:
        which |= Q(pk=delivery_id)
    now = timezone.now()
    changes: dict[str, object] = {"status": status, "provider_id": provider_id}
    if status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        # Set here when the callback beat the worker's own record of the send.
        changes["sent_at"] = Coalesce("sent_at", Value(now))
    if status == DeliveryStatus.DELIVERED:
        changes["delivered_at"] = now
    if status == DeliveryStatus.FAILED:
        changes["error"] = f"twilio:{error_code or state}"[:80]
    with transaction.atomic():
        moved = Delivery.objects.filter(which, status__in=BEFORE[status]).update(**changes)
        if status == DeliveryStatus.FAILED and error_code in PERMANENT_ERRORS:
            for subscription in Subscription.objects.filter(
                deliveries__provider_id=provider_id,
                status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING],
            ).distinct():
                subscriptions.disable_subscription(
                    subscription=subscription, reason=f"sms:{error_code}"
                )
    return int(moved)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if (refused := _check(request)) is not None:
        return refused
    sid = request.POST.get("MessageSid", "") or request.POST.get("SmsSid", "")
    state = request.POST.get("MessageStatus", "") or request.POST.get("SmsStatus", "")
    code = request.POST.get("ErrorCode", "")
    if not SID_RE.match(sid) or not re.fullmatch(r"[a-z_]{1,24}", state):
        return HttpResponse(status=400)
    if not re.fullmatch(r"\d{0,6}", code):
        return HttpResponse(status=400)
    # The key our transport put in the callback URL: "d<delivery id>" for an alert
    # (other messages have no delivery row). Signed with the URL, so not forgeable.
    key = re.fullmatch(r"d(\d{1,18})", request.GET.get("key", ""))
    # States we do not track ("received" of an inbound message, ...) are ignored.
    record_status(
        provider_id=sid,
        state=state,
        error_code=code,
        delivery_id=int(key.group(1)) if key else None,
    )
    return HttpResponse(status=204)
