"""A Web Push service on loopback that behaves like a browser's push service plus the
browser itself.

``server.subscribe()`` does what a browser does when a page calls
``pushManager.subscribe({applicationServerKey})``: it makes a P-256 key pair and a
16-byte auth secret, and returns the PushSubscription JSON (endpoint, p256dh, auth).
A POST to the endpoint is checked like a push service checks it — a VAPID
``Authorization: vapid t=<JWT>,k=<key>`` header whose ES256 signature verifies, whose
key is the one the subscription was made with, and whose claims hold ``aud`` (this
origin), a future ``exp`` within 24 hours and a ``sub`` (mailto: or https:) — then the
aes128gcm body is decrypted with http_ece like the browser would. 201 on success;
410 for an expired subscription, 404 for an unknown one, 401/403 when VAPID is wrong.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def verify_vapid(header: str, *, audience: str, server_key: str | None) -> dict[str, object]:
    """Check an RFC 8292 ``vapid t=..., k=...`` header; return the JWT claims."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(401, "not a vapid authorization")
    parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
    token, key = parts.get("t", ""), parts.get("k", "")
    if server_key is not None and key != server_key:
        raise VapidError(403, "the key is not the subscription's applicationServerKey")
    try:
        head, body, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        if len(raw) != 64:
            raise VapidError(401, "an ES256 signature is 64 bytes")
        der = utils.encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        header_fields = json.loads(unb64url(head))
        claims = json.loads(unb64url(body))
    except InvalidSignature:
        raise VapidError(401, "bad signature") from None
    except ValueError:
        raise VapidError(401, "malformed token") from None
    if header_fields.get("alg") != "ES256":
        raise VapidError(401, "alg must be ES256")
    if claims.get("aud") != audience:
        raise VapidError(403, f"aud must be {audience}")
    now = time.time()
    exp = claims.get("exp")
    if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
        raise VapidError(403, "exp must be in the next 24 hours")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
        raise VapidError(403, "sub must be mailto: or https:")
    return claims


@dataclass
class Browser:
    """One browser push subscription: its keys stay here, like in the browser."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str | None
    expired: bool = False

    def public_key(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )


@dataclass
class Push:
    browser_id: str
    payload: dict[str, object]
    claims: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)


class WebPushServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.browsers: dict[str, Browser] = {}
        self.received: list[Push] = []
        self.refused: list[tuple[int, str]] = []
        self.peers: set[tuple[str, int]] = set()
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebPushServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def subscribe(
        self, server_key: str | None = None, *, expired: bool = False
    ) -> dict[str, object]:
        """A browser's PushSubscription JSON for a new subscription."""
        browser = Browser(
            id=secrets.token_urlsafe(12),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=os.urandom(16),
            server_key=server_key,
            expired=expired,
        )
        with self.lock:
            self.browsers[browser.id] = browser
        return {
            "endpoint": f"{self.origin}/push/{browser.id}",
            "keys": {"p256dh": browser.public_key(), "auth": b64url(browser.auth)},
        }

    def expire(self, subscription: dict[str, object]) -> None:
        """The browser dropped this subscription: its endpoint answers 410 from now on."""
        browser_id = str(subscription["endpoint"]).rsplit("/", 1)[-1]
        with self.lock:
            self.browsers[browser_id].expired = True

    def connections(self) -> int:
        """How many client connections carried pushes."""
        with self.lock:
            return len(self.peers)

    def to(self, subscription: dict[str, object]) -> list[Push]:
        browser_id = str(subscription["endpoint"]).rsplit("/", 1)[-1]
        with self.lock:
            return [push for push in self.received if push.browser_id == browser_id]

    def _receive(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        browser_id = path.rsplit("/", 1)[-1]
        with self.lock:
            browser = self.browsers.get(browser_id)
        if not path.startswith("/push/") or browser is None:
            return 404, "no such subscription"
        if browser.expired:
            return 410, "subscription expired"
        if headers.get("content-encoding") != "aes128gcm":
            return 400, "Content-Encoding must be aes128gcm"
        if "ttl" not in headers:
            return 400, "TTL header missing"
        try:
            claims = verify_vapid(
                headers.get("authorization", ""),
                audience=self.origin,
                server_key=browser.server_key,
            )
        except VapidError as error:
            return error.status, str(error)
        try:
            plain = http_ece.decrypt(
                body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as error:
            return 400, f"payload does not decrypt: {error}"
        with self.lock:
            self.received.append(
                Push(browser_id=browser_id, payload=payload, claims=claims, headers=headers)
            )
        return 201, ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without TCP_NODELAY the second waits
            # for the client's delayed ACK (40 ms a request on Linux).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                with server.lock:
                    server.peers.add(tuple(self.client_address[:2]))
                status, reason = server._receive(self.path, headers, body)
                if status >= 400:
                    with server.lock:
                        server.refused.append((status, reason))
                data = reason.encode()
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{server.origin}/message/{secrets.token_hex(8)}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
