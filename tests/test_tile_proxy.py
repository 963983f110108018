"""Map tiles never come from a third party to the browser: without a tile source the
pages load none; with ``VECINOS_TILE_UPSTREAM`` the site's caching proxy fetches each
tile once, from the server, with nothing of the visitor's, and keeps it for
``VECINOS_TILE_CACHE_DAYS``."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from tests.servers.tiles import PNG, TileServer
from vecinos.core import tiles

# A 404 renders the site's page, which reads the session.
pytestmark = pytest.mark.django_db


@pytest.fixture
def upstream(settings: Settings, tmp_path: Path) -> Iterator[TileServer]:
    server = TileServer().start()
    settings.DATA_DIR = tmp_path
    settings.VECINOS_TILE_UPSTREAM = server.template
    yield server
    server.stop()


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_a_tile_is_fetched_once_then_served_from_the_cache(upstream: TileServer) -> None:
    client = Client()
    client.cookies["sessionid"] = "a-visitor"
    first = client.get("/tiles/15/5624/13094.png", headers={"Referer": "http://x/report"})
    second = Client().get("/tiles/15/5624/13094.png")
    assert first.status_code == second.status_code == 200
    assert body(first) == body(second) == PNG
    assert first["Content-Type"] == "image/png"
    assert [r.path for r in upstream.requests] == ["/15/5624/13094.png"]
    sent = {name.lower() for name in upstream.requests[0].headers}
    assert not sent & {"cookie", "referer", "x-forwarded-for", "forwarded"}


@pytest.mark.parametrize("path", ["/tiles/20/0/0.png", "/tiles/2/4/0.png", "/tiles/2/0/4.png"])
def test_tiles_that_do_not_exist_are_not_fetched(upstream: TileServer, path: str) -> None:
    assert Client().get(path).status_code == 404
    assert upstream.requests == []


def test_the_proxy_is_off_without_an_upstream(settings: Settings) -> None:
    settings.VECINOS_TILE_UPSTREAM = ""
    assert Client().get("/tiles/1/0/0.png").status_code == 404


def test_an_upstream_that_fails_is_a_502_and_nothing_is_cached(upstream: TileServer) -> None:
    upstream.down = True
    assert Client().get("/tiles/3/1/1.png").status_code == 502
    assert not (tiles.cache_dir() / "3" / "1" / "1.png").exists()


def test_old_tiles_are_deleted_by_retention(upstream: TileServer, settings: Settings) -> None:
    Client().get("/tiles/3/1/1.png")
    path = tiles.cache_dir() / "3" / "1" / "1.png"
    old = time.time() - (settings.VECINOS_TILE_CACHE_DAYS + 1) * 86400
    os.utime(path, (old, old))
    assert tiles.purge_tiles(timezone.now()) == {"tiles_deleted": 1}
    assert not path.exists()


def test_without_a_tile_source_pages_name_no_tile_server(settings: Settings) -> None:
    settings.VECINOS_TILE_URL = ""
    for url in ("/report", "/map"):
        html = Client().get(url).content.decode()
        assert 'data-tiles=""' in html or 'data-tile-url=""' in html, url
        assert "openstreetmap" not in html.lower()
