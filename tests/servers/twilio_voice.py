"""Twilio's side of a phone call, on loopback: it calls a Voice webhook over HTTP as
Twilio does, checks every TwiML document it gets back, and plays the call out.

Each request is a form POST signed with ``X-Twilio-Signature`` (the same scheme as the
SMS webhooks, ``tests/servers/twilio.py``). Each answer must be TwiML that Twilio
would accept, or the call fails with ``TwiMLError``:

- an XML document whose root is ``<Response>``, served as ``text/xml``;
- only the verbs used here, each with only the attributes Twilio documents for it:
  ``<Say language voice loop>`` with text, ``<Dial action method timeout callerId
  answerOnBridge record>`` holding one or more ``<Number>`` nouns (E.164) and no text,
  ``<Record action method maxLength timeout playBeep finishOnKey trim>`` (empty),
  ``<Hangup/>``, ``<Pause length>``;
- numeric attributes are whole numbers in Twilio's ranges; ``action`` URLs are paths
  on the same site.

Playing the call: ``<Say>`` and ``<Pause>`` are noted; ``<Dial>`` rings its numbers at
once and, when one of them is in ``answering``, bridges (``DialCallStatus=completed``),
else reports ``no-answer``, to the Dial's ``action``; ``<Record>`` posts the caller's
message (``RecordingSid``, ``RecordingDuration``, ``RecordingUrl``) to its ``action``;
``<Hangup>`` or the end of a document ends the call. ``Call.log`` holds what happened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import Request, urlopen

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
VERBS: dict[str, set[str]] = {
    "Say": {"language", "voice", "loop"},
    "Dial": {"action", "method", "timeout", "callerId", "answerOnBridge", "record"},
    "Record": {"action", "method", "maxLength", "timeout", "playBeep", "finishOnKey", "trim"},
    "Hangup": set(),
    "Pause": {"length"},
}
RANGES = {"timeout": (1, 600), "maxLength": (1, 14400), "length": (1, 600), "loop": (0, 1000)}
BOOLEANS = {"answerOnBridge", "playBeep"}


class TwiMLError(AssertionError):
    """The webhook answered with something Twilio would refuse."""


def signature(token: str, url: str, params: dict[str, str]) -> str:
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def check_twiml(body: bytes, content_type: str) -> ET.Element:
    """The parsed document, or ``TwiMLError`` naming what is wrong."""
    if not content_type.startswith(("text/xml", "application/xml")):
        raise TwiMLError(f"TwiML must be served as XML, not {content_type!r}")
    try:
        root = ET.fromstring(body)  # noqa: S314 - the test's own server's answer
    except ET.ParseError as error:
        raise TwiMLError(f"not XML: {error}") from None
    if root.tag != "Response":
        raise TwiMLError(f"the root must be <Response>, not <{root.tag}>")
    if (root.text or "").strip():
        raise TwiMLError("text directly inside <Response>")
    for verb in root:
        if verb.tag not in VERBS:
            raise TwiMLError(f"unknown verb <{verb.tag}>")
        extra = set(verb.attrib) - VERBS[verb.tag]
        if extra:
            raise TwiMLError(f"<{verb.tag}> has attributes Twilio does not know: {sorted(extra)}")
        for name, value in verb.attrib.items():
            if name in RANGES:
                low, high = RANGES[name]
                if not value.isdigit() or not low <= int(value) <= high:
                    raise TwiMLError(f"<{verb.tag} {name}={value!r}> is not in {low}..{high}")
            if name in BOOLEANS and value not in ("true", "false"):
                raise TwiMLError(f"<{verb.tag} {name}={value!r}> is not true or false")
            if name == "action" and (urlsplit(value).netloc or not value.startswith("/")):
                raise TwiMLError(f"<{verb.tag}> action {value!r} is not a path on this site")
            if name == "method" and value not in ("GET", "POST"):
                raise TwiMLError(f"<{verb.tag}> method {value!r}")
        if verb.tag == "Say" and (not (verb.text or "").strip() or len(verb)):
            raise TwiMLError("<Say> needs text and nothing else")
        if verb.tag == "Dial":
            if (verb.text or "").strip():
                raise TwiMLError("<Dial> holds <Number> nouns here, not text")
            numbers = list(verb)
            if not numbers or any(noun.tag != "Number" for noun in numbers):
                raise TwiMLError("<Dial> needs one or more <Number> and nothing else")
            if len(numbers) > 10:
                raise TwiMLError("<Dial> rings at most 10 numbers at once")
            for noun in numbers:
                if not E164.match((noun.text or "").strip()):
                    raise TwiMLError(f"<Number>{noun.text}</Number> is not E.164")
        if verb.tag in ("Record", "Hangup", "Pause") and (len(verb) or (verb.text or "").strip()):
            raise TwiMLError(f"<{verb.tag}> must be empty")
    return root


@dataclass
class Call:
    sid: str
    caller: str
    called: str
    log: list[tuple[str, object]] = field(default_factory=list)

    def said(self) -> list[tuple[str, str]]:
        return [value for kind, value in self.log if kind == "say"]  # type: ignore[misc]

    def rang(self) -> list[list[str]]:
        return [value for kind, value in self.log if kind == "dial"]  # type: ignore[misc]


class TwilioVoice:
    """Places calls to ``base_url`` + ``path`` (the Voice webhook) as Twilio would,
    signing each request for ``public_url`` (what the site believes its address is)."""

    def __init__(self, base_url: str, *, token: str, public_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self.token = token
        self._ids = itertools.count(1)

    def post(
        self, path: str, params: dict[str, str], *, signed: bool = True
    ) -> tuple[int, bytes, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Twilio-Signature"] = signature(self.token, self.public_url + path, params)
        request = Request(  # noqa: S310 - loopback only
            self.base_url + path, data=urlencode(params).encode(), headers=headers, method="POST"
        )
        try:
            with urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except Exception as error:  # urllib raises HTTPError for 4xx/5xx
            code = getattr(error, "code", None)
            if code is None:
                raise
            return int(code), error.read(), ""  # type: ignore[attr-defined]

    def call(
        self,
        *,
        caller: str,
        called: str,
        path: str = "/hotline/twilio/voice",
        answering: tuple[str, ...] = (),
        message_seconds: int = 12,
        max_steps: int = 10,
    ) -> Call:
        number = next(self._ids)
        call = Call(sid=f"CA{number:032x}", caller=caller, called=called)
        base = {"CallSid": call.sid, "From": caller, "To": called, "Direction": "inbound"}
        params = {**base, "CallStatus": "ringing"}
        for _ in range(max_steps):
            status, body, content_type = self.post(path, params)
            if status != 200:
                raise TwiMLError(f"{path} answered {status}")
            root = check_twiml(body, content_type)
            following: tuple[str, dict[str, str]] | None = None
            for verb in root:
                if verb.tag == "Say":
                    call.log.append(("say", (verb.get("language", ""), (verb.text or "").strip())))
                elif verb.tag == "Pause":
                    call.log.append(("pause", verb.get("length", "1")))
                elif verb.tag == "Hangup":
                    call.log.append(("hangup", ""))
                    return call
                elif verb.tag == "Dial":
                    numbers = [(noun.text or "").strip() for noun in verb]
                    call.log.append(("dial", numbers))
                    taken = next((n for n in numbers if n in answering), None)
                    result = {"DialCallStatus": "completed" if taken else "no-answer"}
                    if taken:
                        call.log.append(("answered", taken))
                    action = verb.get("action")
                    if action is None:
                        if taken:
                            return call
                        continue  # Twilio goes on with the next verb
                    following = (action, {**base, "CallStatus": "in-progress", **result})
                    break
                elif verb.tag == "Record":
                    recording = f"RE{number:032x}"
                    call.log.append(("record", message_seconds))
                    following = (
                        verb.get("action") or path,
                        {
                            **base,
                            "CallStatus": "in-progress",
                            "RecordingSid": recording,
                            "RecordingDuration": str(message_seconds),
                            "RecordingUrl": f"https://api.twilio.example/Recordings/{recording}",
                        },
                    )
                    break
            if following is None:
                call.log.append(("end", ""))
                return call
            path = urljoin(path, following[0])
            params = following[1]
        raise TwiMLError("the call went on for too many steps")
