"""Map tiles through the site itself: a caching tile proxy.

A tile request says where the person is looking; made from their browser to a
third-party tile server it also carries their address. So pages never load tiles
from anyone else: they use the operator's own tile server (``VECINOS_TILE_URL``), or
this proxy (``VECINOS_TILE_UPSTREAM``), or none at all (the maps then draw their
cells on a plain background).

The proxy answers ``/tiles/<z>/<x>/<y>.png``:

1. A tile in the cache (``DATA_DIR/tiles/z/x/y.png``) younger than
   ``VECINOS_TILE_CACHE_DAYS`` is served from disk.
2. Otherwise the server fetches it from the upstream (the only outgoing request,
   with no cookie, no referrer and nothing of the visitor's), stores it, serves it.
   The upstream sees this server, and only the tiles no one fetched recently: many
   visitors' views are mixed in one cache, unlinkable to any of them.
3. The ``tile_cache`` retention job deletes tiles older than the window.

Only zoom levels 0 to ``MAX_ZOOM`` and coordinates that exist at that zoom are
accepted (anything else is a 404), so the proxy cannot be made to fetch anything
but tiles of the one configured upstream.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from vecinos.core.retention import retention_job

MAX_ZOOM = 19
TIMEOUT_SECONDS = 8
MAX_TILE_BYTES = 512 * 1024
PUBLIC_MAX_AGE = 86400


def cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "tiles"


def _fresh(path: Path, now: float) -> bool:
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return False
    return age < settings.VECINOS_TILE_CACHE_DAYS * 86400


def _fetch(z: int, x: int, y: int) -> bytes | None:
    url = settings.VECINOS_TILE_UPSTREAM.format(z=z, x=x, y=y, s="a")
    try:
        response = requests.get(
            url,
            timeout=TIMEOUT_SECONDS,
            headers={"User-Agent": settings.VECINOS_TILE_USER_AGENT},
            allow_redirects=False,
            stream=True,
        )
        if response.status_code != 200:
            return None
        if not response.headers.get("Content-Type", "").startswith("image/"):
            return None
        body = response.raw.read(MAX_TILE_BYTES + 1, decode_content=True)
    except (requests.RequestException, OSError):
        return None
    if len(body) > MAX_TILE_BYTES:
        return None
    return body


def _store(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(temporary, path)


@require_safe
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponseBase:
    if not settings.VECINOS_TILE_UPSTREAM:
        raise Http404("The tile proxy is off (VECINOS_TILE_UPSTREAM is not set).")
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise Http404("No such tile.")
    path = cache_dir() / str(z) / str(x) / f"{y}.png"
    if not _fresh(path, time.time()):
        body = _fetch(z, x, y)
        if body is None:
            response = HttpResponse(
                "The tile server did not answer.", status=502, content_type="text/plain"
            )
            response["Cache-Control"] = "no-store"
            return response
        _store(path, body)
    served = FileResponse(path.open("rb"), content_type="image/png")
    served["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return served


@retention_job("tile_cache")
def purge_tiles(now: datetime) -> dict[str, int]:
    """Delete cached tiles older than ``VECINOS_TILE_CACHE_DAYS``; idempotent."""
    root = cache_dir()
    if not root.exists():
        return {"tiles_deleted": 0}
    cutoff = now.timestamp() - settings.VECINOS_TILE_CACHE_DAYS * 86400
    deleted = 0
    for path in root.rglob("*.png"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except OSError:
            continue
    return {"tiles_deleted": deleted}
