"""The committee hotline: Twilio Voice webhooks, signature-checked like the SMS ones
(``vecinos.delivery.inbound``).

A call to a committee's number (``Hotline``):

1. ``POST /hotline/twilio/voice`` rings, all at once (one ``<Dial>`` with a
   ``<Number>`` each), the responders on call for the committee now who set an SMS
   number; the first to answer takes the call.
2. ``POST /hotline/twilio/voice/dialed?stage=on_call`` (the ``<Dial>``'s action):
   answered → hang up when done; else the backups are rung the same way
   (``stage=backup``); else, or when nobody is on shift at all,
3. a short greeting in Spanish and English and ``<Record>``: the caller leaves a
   message, and ``POST /hotline/twilio/voice/recorded`` turns it into a report in the
   dispatcher queue (``reports.actions.submit_report``, channel ``hotline``, no
   location until a dispatcher adds one).

What is kept of a call: the report (its text says which hotline, how long the
message is and the recording's sid, to find it in the Twilio console; the recording
itself is never fetched), and the caller's number exactly as an SMS reporter's
(``ReporterContact``: encrypted, ``REPORT_RETENTION`` days), so a dispatcher can text
them back. Nothing else: no call log, no number in any event.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vecinos.core import crypto, ratelimit
from vecinos.delivery import inbound, reporters
from vecinos.organizing import contacts, queries
from vecinos.organizing.events import record_event
from vecinos.organizing.models import Hotline, OrganizingEvent, Position
from vecinos.reports.actions import MAX_DESCRIPTION, MAX_PLACE, NewReport, submit_report
from vecinos.reports.models import Channel, Kind

RECORDING_SID_RE = re.compile(r"^RE[0-9a-fA-F]{32}$")
MAX_MESSAGE_SECONDS = 120
# Twilio's voices for the greeting: the language of the neighbourhood first.
VOICES = (("es", "es-MX"), ("en", "en-US"))


def _response(root: ET.Element) -> HttpResponse:
    body = ET.tostring(root, encoding="unicode")
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>' + body, content_type="text/xml; charset=utf-8"
    )


def _say_both(root: ET.Element, text: str) -> None:
    """``text`` (an English msgid) said in Spanish, then English."""
    for language, voice in VOICES:
        with translation.override(language):
            ET.SubElement(root, "Say", language=voice).text = _(text)


def _hotline(request: HttpRequest) -> Hotline | None:
    try:
        number = crypto.normalize_phone(request.POST.get("To", "")[:40])
    except ValueError:
        return None
    return Hotline.objects.select_related("committee").filter(number=number).first()


def _call_to_hotline(
    view: Callable[[HttpRequest, Hotline], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A Twilio webhook of a call: the signature checked, and the view gets the
    hotline the call was made to; a number that is no hotline answers "not in service"."""

    @wraps(view)
    def call(request: HttpRequest) -> HttpResponse:
        if (refused := inbound.check_signed(request)) is not None:
            return refused
        hotline = _hotline(request)
        if hotline is None:
            return _hang_up(NOT_IN_SERVICE)
        return view(request, hotline)

    return call


def _numbers(hotline: Hotline, position: str, now: datetime) -> list[str]:
    """The SMS numbers of the committee's responders on shift now in ``position``."""
    people = [
        row.user.pk
        for row in queries.on_call_now(now=now)
        if row.committee.pk == hotline.committee_id and row.position == position
    ]
    numbers = [contacts.phone_of(pk) for pk in people]
    return [number for number in dict.fromkeys(numbers) if number]


def _dial(hotline: Hotline, numbers: list[str], stage: str) -> HttpResponse:
    root = ET.Element("Response")
    dial = ET.SubElement(
        root,
        "Dial",
        action=reverse("organizing:hotline_dialed") + f"?stage={stage}",
        method="POST",
        timeout=str(hotline.ring_seconds),
        answerOnBridge="true",
    )
    for number in numbers:
        ET.SubElement(dial, "Number").text = number
    return _response(root)


# Greeting and prompts (English msgids; said in Spanish and English).
GREETING = gettext_noop(
    "You have reached the community hotline. Nobody can answer right now. After the "
    "tone, say what you see, where and when. Do not say your name."
)
NO_MESSAGE = gettext_noop("We did not get a message. Goodbye.")
THANKS = gettext_noop("Thank you. Trained responders will check before anyone is alerted. Goodbye.")
NOT_IN_SERVICE = gettext_noop("This number is not in service.")


def _voicemail() -> HttpResponse:
    root = ET.Element("Response")
    _say_both(root, GREETING)
    ET.SubElement(
        root,
        "Record",
        action=reverse("organizing:hotline_recorded"),
        method="POST",
        maxLength=str(MAX_MESSAGE_SECONDS),
        timeout="5",
        playBeep="true",
    )
    _say_both(root, NO_MESSAGE)
    return _response(root)


def _hang_up(text: str | None = None) -> HttpResponse:
    root = ET.Element("Response")
    if text:
        _say_both(root, text)
    ET.SubElement(root, "Hangup")
    return _response(root)


@csrf_exempt  # Twilio signs its requests; it has no CSRF token
@require_POST
@_call_to_hotline
def voice(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    now = timezone.now()
    for position, stage in ((Position.ON_CALL, "on_call"), (Position.BACKUP, "backup")):
        numbers = _numbers(hotline, position, now)
        if numbers:
            return _dial(hotline, numbers, stage)
    return _voicemail()


@csrf_exempt
@require_POST
@_call_to_hotline
def dialed(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    status = request.POST.get("DialCallStatus", "")
    if status in ("completed", "answered"):
        return _hang_up()
    if request.GET.get("stage") == "on_call":
        numbers = _numbers(hotline, Position.BACKUP, timezone.now())
        if numbers:
            return _dial(hotline, numbers, "backup")
    return _voicemail()


@csrf_exempt
@require_POST
@_call_to_hotline
def recorded(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    sid = request.POST.get("RecordingSid", "")
    duration = request.POST.get("RecordingDuration", "")
    if not RECORDING_SID_RE.match(sid) or not re.fullmatch(r"\d{1,5}", duration):
        return HttpResponse(status=400)
    if int(duration) < 1:
        return _hang_up(NO_MESSAGE)
    take_voicemail(
        hotline=hotline,
        recording_sid=sid,
        seconds=int(duration),
        caller=request.POST.get("From", "")[:40],
    )
    return _hang_up(THANKS)


def take_voicemail(*, hotline: Hotline, recording_sid: str, seconds: int, caller: str) -> bool:
    """The voicemail becomes a report in the dispatcher queue (once per recording, if
    Twilio posts twice). False when it was taken before or the caller sent too many."""
    try:
        phone: str | None = crypto.normalize_phone(caller)
    except ValueError:
        phone = None  # a withheld number
    key = (
        ratelimit.client_key("sms:" + phone)
        if phone
        else ratelimit.client_key("hotline:" + recording_sid)
    )
    if phone and not ratelimit.hit("report", key, settings.VECINOS_REPORT_RATE).allowed:
        return False
    committee = hotline.committee
    with transaction.atomic():
        if OrganizingEvent.objects.filter(
            committee=committee, type=OrganizingEvent.Type.VOICEMAIL, data__recording=recording_sid
        ).exists():
            return False
        with translation.override(settings.LANGUAGE_CODE):
            description = _(
                "Voicemail to the hotline of %(committee)s, %(seconds)s seconds. Listen to "
                "recording %(sid)s in the Twilio console; it is not copied here."
            ) % {"committee": committee.name, "seconds": seconds, "sid": recording_sid}
            place = _("Hotline of %(committee)s") % {"committee": committee.name}
        report = submit_report(
            NewReport(
                kind=Kind.OTHER,
                lat=None,
                lng=None,
                place=place[:MAX_PLACE],
                description=description[:MAX_DESCRIPTION],
                language="",
                channel=Channel.HOTLINE,
                client_key=key,
                needs_location=True,
            )
        )
        if phone:
            reporters.record_reporter_contact(report=report, phone=phone)
        record_event(
            committee,
            OrganizingEvent.Type.VOICEMAIL,
            actor=None,
            recording=recording_sid,
            report=str(report.pk),
            seconds=seconds,
        )
    return True
