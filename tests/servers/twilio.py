"""A Twilio-compatible Messages API on loopback.

``POST /2010-04-01/Accounts/{sid}/Messages.json`` with basic auth ``sid:token`` and the
form fields To, From (or MessagingServiceSid), Body, StatusCallback answers 201 with a
message sid, like Twilio. Each message keeps its arrival time (``time.monotonic()``) and
its sender: the From number, or the Messaging Service SID when there is one
(``by_sender()``; :func:`most_in_one_second` counts a sender's busiest second).
It records every message and, like Twilio, honours no idempotency key: the same
request twice makes two messages (``server.keys`` lists the ``Idempotency-Key``
headers it saw). It can be told to fail for given numbers::

    server.fail["+12135550111"] = (400, 21211)   # invalid number: permanent
    server.fail["+12135550112"] = (429, 20429)   # too many requests: transient
    server.fail["+12135550113"] = (500, 0)       # provider down: transient
    server.fail_times["+12135550113"] = 2        # ... only for the first two attempts

With ``server.callbacks_on`` it prepares the status callbacks Twilio would send
(``server.callbacks``: url, form and X-Twilio-Signature) for a test to post.
``server.connections()`` counts the client connections that carried requests; with
``server.hang_up = True`` it closes each connection after answering, without saying so
(as a server dropping idle keep-alive connections does); with ``server.swallow = N``
it takes the next N messages (recorded, as sent) and closes the connection without
answering, as a provider that dies or times out mid-request does.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SID = "AC" + "0" * 31 + "1"
TOKEN = "loopback-auth-token"
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


def most_in_one_second(arrivals: list[float], window: float = 1.0) -> int:
    """The most arrivals inside any window of ``window`` seconds, wherever it starts
    (a sliding window: the busiest one starts at some arrival)."""
    times = sorted(arrivals)
    return max(
        (bisect.bisect_left(times, start + window) - i for i, start in enumerate(times)),
        default=0,
    )


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL followed by every POST
    parameter (name then value, sorted by name), base64."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class SMS:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str
    at: float
    service: str = ""  # the MessagingServiceSid, when the message named one


@dataclass
class Callback:
    url: str
    form: dict[str, str]
    signature: str


class TwilioServer:
    def __init__(self, port: int, *, sid: str = SID, token: str = TOKEN) -> None:
        self.port = port
        self.sid = sid
        self.token = token
        self.messages: list[SMS] = []
        self.fail: dict[str, tuple[int, int]] = {}
        self.fail_times: dict[str, int] = {}
        self.callbacks_on = False
        self.callbacks: list[Callback] = []
        self.requests = 0
        self.unauthorised = 0
        self.hang_up = False
        self.swallow = 0
        self.keys: list[str] = []
        self.peers: set[tuple[str, int]] = set()
        self.lock = threading.Lock()
        self._counter = itertools.count(1)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TwilioServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def to(self, number: str) -> list[SMS]:
        with self.lock:
            return [message for message in self.messages if message.to == number]

    def by_sender(self) -> dict[str, list[float]]:
        """Arrival times per sender (From, or the Messaging Service SID)."""
        arrivals: dict[str, list[float]] = {}
        with self.lock:
            for message in self.messages:
                arrivals.setdefault(message.sender, []).append(message.at)
        return arrivals

    def connections(self) -> int:
        with self.lock:
            return len(self.peers)

    def settings(self) -> dict[str, object]:
        return {
            "SMS_PROVIDER": "twilio",
            "TWILIO_API_BASE": self.base_url,
            "TWILIO_ACCOUNT_SID": self.sid,
            "TWILIO_AUTH_TOKEN": self.token,
        }

    def _answer(self, form: dict[str, str], key: str) -> tuple[int, dict[str, object]]:
        to = form.get("To", "")
        with self.lock:
            self.requests += 1
            if key:
                self.keys.append(key)
            if to in self.fail:
                remaining = self.fail_times.get(to)
                if remaining is None or remaining > 0:
                    if remaining is not None:
                        self.fail_times[to] = remaining - 1
                    status, code = self.fail[to]
                    return status, {"code": code, "message": "refused", "status": status}
            service = form.get("MessagingServiceSid", "")
            if service and not SERVICE_SID.match(service):
                return 400, {"code": 21705, "message": "The Messaging Service is invalid"}
            if not form.get("From") and not service:
                return 400, {
                    "code": 21603,
                    "message": "A 'From' or 'MessagingServiceSid' is required",
                }
            if not to or not form.get("Body"):
                return 400, {"code": 21604, "message": "To and Body are required"}
            sid = f"SM{next(self._counter):032x}"
            self.messages.append(
                SMS(
                    sid=sid,
                    to=to,
                    sender=service or form["From"],
                    body=form["Body"],
                    status_callback=form.get("StatusCallback", ""),
                    at=time.monotonic(),
                    service=service,
                )
            )
            if self.callbacks_on and form.get("StatusCallback"):
                for status in ("sent", "delivered"):
                    callback_form = {
                        "MessageSid": sid,
                        "MessageStatus": status,
                        "To": to,
                        "From": form.get("From") or "+13235550000",
                        "AccountSid": self.sid,
                    }
                    self.callbacks.append(
                        Callback(
                            url=form["StatusCallback"],
                            form=callback_form,
                            signature=twilio_signature(
                                self.token, form["StatusCallback"], callback_form
                            ),
                        )
                    )
        # Through a Messaging Service the number is chosen later: "accepted", no "from".
        return 201, {
            "sid": sid,
            "status": "accepted" if service else "queued",
            "to": to,
            "from": form.get("From") or None,
            "messaging_service_sid": service or None,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self
        expected_path = f"/2010-04-01/Accounts/{server.sid}/Messages.json"
        expected_auth = (
            "Basic " + base64.b64encode(f"{server.sid}:{server.token}".encode()).decode()
        )

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without TCP_NODELAY the second waits
            # for the client's delayed ACK (40 ms a request on Linux).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _reply(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                with server.lock:
                    server.peers.add(tuple(self.client_address[:2]))
                    self.close_connection = server.hang_up
                if self.path != expected_path:
                    self._reply(404, {"code": 20404, "message": "not found"})
                    return
                if self.headers.get("Authorization") != expected_auth:
                    with server.lock:
                        server.unauthorised += 1
                    self._reply(401, {"code": 20003, "message": "authenticate"})
                    return
                form = {key: values[0] for key, values in parse_qs(raw).items()}
                status, body = server._answer(form, self.headers.get("Idempotency-Key", ""))
                with server.lock:
                    swallowed = server.swallow > 0
                    server.swallow -= swallowed
                if swallowed:
                    self.close_connection = True  # taken, never answered
                    return
                self._reply(status, body)

        return Handler
