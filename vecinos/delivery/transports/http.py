"""Keep-alive HTTP/1.1 POSTs for the SMS transport (web push goes through pywebpush,
which uses ``requests``; it takes only :func:`split` from here).

One ``http.client`` connection per origin per worker thread, kept open between
messages. ``requests`` spent about 0.3 ms of CPU on every call (merging session
settings, reading the environment's proxy variables, hooks, cookie jars), more than
everything else an SMS costs; a bare connection spends under 0.1 ms. What ``requests``
gave us is kept: certificates checked against ``REQUESTS_CA_BUNDLE`` or certifi's
bundle, the ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` variables (read when a
connection is opened), and separate connect and read timeouts.

A kept-alive connection the server has closed is noticed before use (its socket reads
as ready) and replaced. If a request on a reused connection still finds it closed
before any answer came (the server closed it while the request was on its way), it is
sent once more on a fresh connection (Go's HTTP client does the same for requests that
carry an idempotency key): every request here carries one (``Idempotency-Key``).
Any other failure raises :class:`HTTPFailure`, which the transports call transient.
"""

from __future__ import annotations

import base64
import http.client
import select
import ssl
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies, proxy_bypass

# Seconds to connect, and to wait for the answer.
TIMEOUT = (5.0, 15.0)
USER_AGENT = "Vecinos"

# What a connection the server closed raises when a request is written or its answer
# awaited.
_CLOSED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class HTTPFailure(Exception):
    """No answer: the connection failed or timed out (the message is contact-free)."""


class _Unanswered(Exception):
    """The connection closed before any answer came: the server did not take the
    request (or, rarely, took it and died before answering; the key covers that)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # IPv6
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def split(url: str) -> tuple[Origin, str]:
    """(origin, path with query) of an http(s) URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Origin(parts.scheme, parts.hostname, port), path


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """Certificates are checked against ``REQUESTS_CA_BUNDLE`` when set (as requests
    did), else certifi's bundle (requests' default), else the system's store."""
    from vecinos.core import config

    bundle: str | None = config.env_str("REQUESTS_CA_BUNDLE")
    if not bundle:
        try:
            import certifi

            bundle = certifi.where()
        except ImportError:
            bundle = None
    return ssl.create_default_context(cafile=bundle)


def _proxy(origin: Origin) -> str | None:
    """The proxy URL the environment names for this origin, if any."""
    if proxy_bypass(origin.host):
        return None
    return getproxies().get(origin.scheme)


def _connect(
    origin: Origin, timeout: tuple[float, float]
) -> tuple[http.client.HTTPConnection, bool]:
    """A new connection, and whether requests on it name the absolute URL (a plain
    http proxy); through a proxy, https goes in a CONNECT tunnel."""
    proxy = _proxy(origin)
    connect_timeout = timeout[0]
    if proxy is None:
        target, port = origin.host, origin.port
        headers: dict[str, str] = {}
    else:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        target, port = parts.hostname or "", parts.port or 80
        headers = {}
        if parts.username:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(
                credentials.encode()
            ).decode("ascii")
    connection: http.client.HTTPConnection
    if origin.scheme == "https":
        connection = http.client.HTTPSConnection(
            target, port, timeout=connect_timeout, context=_tls()
        )
        if proxy is not None:
            connection.set_tunnel(origin.host, origin.port, headers=headers)
        absolute = False
    else:
        connection = http.client.HTTPConnection(target, port, timeout=connect_timeout)
        absolute = proxy is not None
    connection.connect()
    assert connection.sock is not None  # noqa: S101 - connect() either set it or raised
    connection.sock.settimeout(timeout[1])
    return connection, absolute


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle kept-alive socket that reads as ready was closed by the server (or
    holds bytes nobody asked for): either way it cannot carry the next request."""
    sock = connection.sock
    if sock is None:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Client:
    """Keep-alive connections by origin, one set per thread (http.client connections
    are not thread-safe; worker threads each get their own)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _pool(self) -> dict[Origin, tuple[http.client.HTTPConnection, bool]]:
        pool: dict[Origin, tuple[http.client.HTTPConnection, bool]] | None = getattr(
            self._local, "pool", None
        )
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> Response:
        """POST ``body`` to ``url``; the answer, whatever its status."""
        origin, path = split(url)
        pool = self._pool()
        kept = pool.pop(origin, None)
        if kept is not None and _closed_by_peer(kept[0]):
            kept[0].close()
            kept = None
        try:
            if kept is not None:
                try:
                    return self._exchange(pool, origin, kept, url, path, body, headers)
                except _Unanswered:
                    pass  # closed while idle: once more on a fresh connection
            fresh = _connect(origin, timeout)
            return self._exchange(pool, origin, fresh, url, path, body, headers)
        except (OSError, http.client.HTTPException, _Unanswered) as error:
            cause = error.__cause__ if isinstance(error, _Unanswered) else error
            raise HTTPFailure(type(cause).__name__) from None

    def _exchange(
        self,
        pool: dict[Origin, tuple[http.client.HTTPConnection, bool]],
        origin: Origin,
        kept: tuple[http.client.HTTPConnection, bool],
        url: str,
        path: str,
        body: bytes,
        headers: dict[str, str],
    ) -> Response:
        connection, absolute = kept
        try:
            try:
                connection.request("POST", url if absolute else path, body=body, headers=headers)
                answer = connection.getresponse()
            except _CLOSED as error:
                raise _Unanswered from error
            data = answer.read()
        except BaseException:
            connection.close()
            raise
        if answer.will_close:
            connection.close()
        else:
            pool[origin] = kept
        return Response(
            status=answer.status,
            headers={name.lower(): value for name, value in answer.getheaders()},
            body=data,
        )

    def close(self) -> None:
        """Close this thread's connections."""
        pool = self._pool()
        for connection, _absolute in pool.values():
            connection.close()
        pool.clear()
