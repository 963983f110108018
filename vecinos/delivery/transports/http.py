"""HTTP POSTs for the SMS transport, on urllib3's kept-alive connection pools (web push
goes through pywebpush, which uses ``requests``; it takes only :func:`split` from here).

One pool per origin, shared by a worker's threads; a connection the server closed while
idle is noticed before use and replaced. urllib3 rather than a ``requests`` session
because ``requests`` adds more CPU to every call than everything else an SMS costs
(benchmarks/sms_client.py; figures in benchmarks/results/sms_client.json).
Certificates are checked against
``REQUESTS_CA_BUNDLE`` when set, else certifi's bundle; ``HTTPS_PROXY``/``HTTP_PROXY``/
``NO_PROXY`` are honoured.

Retries: a message must never be sent twice, and the SMS provider honours no
idempotency key. So only what cannot have reached the server is tried again, at once
(``RETRY``): a connection that could not be opened (refused, unreachable, timed out,
TLS handshake or proxy failed). Everything that failed after the request may have
been written (connection reset or closed before the answer, no answer in time) raises
:class:`OutcomeUnknown`, which the caller must not repeat; a connection failure that
outlasts the retries raises :class:`NotSent`, which the caller may repeat later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies, proxy_bypass

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProxyError,
    SSLError,
)
from urllib3.util.retry import Retry

# Seconds to connect, and to wait for the answer.
TIMEOUT = (5.0, 15.0)
USER_AGENT = "Vecinos"
# Connections kept per origin: one per worker thread that talks to it.
POOL_SIZE = 16
# Twice more when the connection could not be opened; never once the request may have
# left (read=False: a failure while waiting for the answer is raised, not repeated).
RETRY = Retry(
    total=None,
    connect=2,
    read=False,
    redirect=0,
    status=0,
    other=0,
    backoff_factor=0.05,
    raise_on_redirect=False,
    raise_on_status=False,
)
# Failures that happen before a request is written.
_BEFORE_SENDING = (NewConnectionError, ConnectTimeoutError, SSLError, ProxyError)


class HTTPFailure(Exception):
    """No answer (the message is contact-free)."""


class NotSent(HTTPFailure):
    """The request cannot have reached the server: the connection was never opened."""


class OutcomeUnknown(HTTPFailure):
    """The request may have reached the server, which did not answer: repeating it could
    send the message twice."""


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
def _ca_bundle() -> str | None:
    """``REQUESTS_CA_BUNDLE`` when set (as requests does), else certifi's bundle, else
    None: the system's store."""
    from vecinos.core import config

    bundle = config.env_str("REQUESTS_CA_BUNDLE")
    if bundle:
        return bundle
    try:
        import certifi
    except ImportError:
        return None
    return str(certifi.where())


def _proxy(origin: Origin) -> str | None:
    """The proxy URL the environment names for this origin, if any."""
    if proxy_bypass(origin.host):
        return None
    return getproxies().get(origin.scheme)


def _pool(origin: Origin, proxy: str | None) -> urllib3.PoolManager | urllib3.HTTPConnectionPool:
    tls: dict[str, Any] = {}
    if origin.scheme == "https":
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": _ca_bundle()}
    if proxy is None:
        return urllib3.connection_from_url(
            f"{origin.scheme}://{origin.netloc}", maxsize=POOL_SIZE, retries=RETRY, **tls
        )
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    headers = None
    if parts.username:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers = urllib3.make_headers(proxy_basic_auth=credentials)
    clean = f"{parts.scheme}://{parts.hostname}:{parts.port or 80}"
    return urllib3.ProxyManager(
        clean, proxy_headers=headers, maxsize=POOL_SIZE, retries=RETRY, **tls
    )


class Client:
    """Kept-alive connection pools by origin (and proxy), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[
            tuple[Origin, str | None], urllib3.PoolManager | urllib3.HTTPConnectionPool
        ] = {}

    def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> Response:
        """POST ``body`` to ``url``; the answer, whatever its status. Raises
        :class:`NotSent` or :class:`OutcomeUnknown` when there is none."""
        origin, path = split(url)
        proxy = _proxy(origin)
        with self._lock:
            pool = self._pools.get((origin, proxy))
            if pool is None:
                pool = self._pools[(origin, proxy)] = _pool(origin, proxy)
        try:
            answer = pool.urlopen(
                "POST",
                path if isinstance(pool, urllib3.HTTPConnectionPool) else url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
                retries=RETRY,
                redirect=False,
                assert_same_host=False,
            )
        except MaxRetryError as error:
            failure = NotSent if isinstance(error.reason, _BEFORE_SENDING) else OutcomeUnknown
            raise failure(type(error.reason).__name__) from None
        except _BEFORE_SENDING as error:
            raise NotSent(type(error).__name__) from None
        except (HTTPError, OSError) as error:
            raise OutcomeUnknown(type(error).__name__) from None
        return Response(
            status=answer.status,
            headers={name.lower(): value for name, value in answer.headers.items()},
            body=answer.data,
        )

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.clear() if isinstance(pool, urllib3.PoolManager) else pool.close()
