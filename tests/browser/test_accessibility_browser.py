"""Every public and console page passes axe-core with no serious or critical violation:
on a phone (390x844) and a desktop, in English and Spanish, with JavaScript on, each
page seen by a role that may open it.

The pages are those of the access matrix (tests/access/): every GET rule of a web page,
asked as the first role it allows (anonymous first, then the dispatcher, the
coordinator, the responder, the member, the admin), on the matrix's world of objects;
a rule that covers a whole application (allauth's pages) brings each of its pages that
takes no parameter, signed out and signed in. A page whose answer is not an HTML page
(a feed, a stream, a file, a redirect) is left to its own tests.

axe-core's own file comes from the pinned ``axe-playwright-python`` wheel (pyproject.toml),
loaded into each page before the page's scripts: nothing is fetched at test time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from pytest_django import Settings

from tests.access.matrix import Rule, World, url_patterns
from tests.access.test_matrix import MODULES, all_rules, world_for
from tests.conftest import unavailable
from tests.servers.tiles import TileServer

# About 320 page visits: 4 minutes on a quiet machine, 10 on a loaded one.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]

PHONE_SIZE = {"width": 390, "height": 844}
DESKTOP_SIZE = {"width": 1280, "height": 800}
# Who opens a page that anonymous visitors may not: the role whose work it is first.
ROLES = ("dani", "carmen", "rosa", "mara", "ana")
SERIOUS = {"serious", "critical"}


def axe_source() -> str:
    try:
        from axe_playwright_python.base import AXE_FILE_PATH
    except ImportError:
        unavailable("axe-core is missing: pip install -e '.[test]' (axe-playwright-python)")
    path = Path(AXE_FILE_PATH)
    if not path.is_file():
        unavailable(f"axe-core's file is missing at {path}")
    return path.read_text()


@dataclass(frozen=True)
class Visit:
    actor: str
    url: str


def _first_role(rule: Rule) -> str | None:
    if "anonymous" in rule.allowed:
        return "anonymous"
    return next((role for role in ROLES if role in rule.allowed), None)


def _plain_routes(covers: str) -> list[str]:
    """The parameterless routes a ``covers`` expression matches, as paths."""
    regex = re.compile(covers)
    return sorted(
        "/" + p.route.lstrip("^").rstrip("$")
        for p in url_patterns()
        if regex.search(p.route) and "<" not in p.route and "(" not in p.route
    )


def candidate_visits(world: World) -> list[Visit]:
    visits: list[Visit] = []
    for rule in all_rules():
        if rule.method != "GET" or rule.is_api or rule.status:
            continue
        if rule.covers:
            for path in _plain_routes(rule.covers):
                visits += [Visit("anonymous", path), Visit("dani", path)]
            continue
        actor = _first_role(rule)
        if actor is not None:
            visits.append(Visit(actor, rule.url(world)))
    return list(dict.fromkeys(visits))


def html_pages(world: World, visits: list[Visit]) -> list[Visit]:
    """The visits answered with a whole HTML page (asked through Django's test client
    first, each in a savepoint rolled back)."""
    from django.core.cache import cache

    pages = []
    for visit in visits:
        cache.clear()
        client = world.client(visit.actor, api=False)
        with transaction.atomic():
            response = client.get(visit.url)
            streaming = response.streaming
            if streaming:
                response.close()
            transaction.set_rollback(True)
        if (
            response.status_code == 200
            and not streaming
            and response.get("Content-Type", "").startswith("text/html")
            and b"<html" in response.content[:400]
        ):
            pages.append(visit)
    return pages


def session_cookie(world: World, actor: str) -> str:
    client = world.client(actor, api=False)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def violations(page: Any) -> list[dict[str, Any]]:
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in results if v.get("impact") in SERIOUS]


def describe(where: str, found: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(
                f"{where} → {violation['id']} ({violation['impact']}) → {target}: "
                f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return lines


def settle(page: Any) -> None:
    """Let the page's scripts finish: htmx's loads, the maps drawn (and the public
    map's data fetched)."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request') && [...document.querySelectorAll("
        "'#map, #report-map, #area-map')].every(m => m.hidden || m.querySelector("
        "'.leaflet-control-zoom'))",
        timeout=5000,
    )
    if page.locator("[data-geojson]").count():
        page.wait_for_load_state("networkidle", timeout=5000)


@pytest.fixture
def world(settings: Settings, tmp_path: Path, fresh_cache: None) -> Iterator[World]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    yield world_for(MODULES)


def test_axe_finds_what_it_should(browser: Any) -> None:
    """The check can fail: a page with the known faults is reported."""
    context = browser.new_context(viewport=PHONE_SIZE)
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title><style>a{color:#aaa;background:#fff}</style>'
        '</head><body><main><div role="img" aria-label="map"><button>+</button></div>'
        '<p><a href="#">low contrast</a></p></main></body></html>'
    )
    found = {v["id"] for v in violations(page)}
    context.close()
    assert {"nested-interactive", "color-contrast"} <= found


def _luminance(css: str) -> tuple[float, float]:
    """Relative luminance (WCAG) and alpha of a computed CSS colour."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    alpha = numbers[3] if len(numbers) > 3 else 1.0

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(n) for n in numbers[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue, alpha


def test_the_map_attribution_is_readable_on_any_tile(
    browser: Any, live_server: Any, settings: Settings, tmp_path: Path
) -> None:
    """axe cannot measure text over map tiles (it reports them as unknown), so the
    attribution's own ground is checked: opaque, with its link at 4.5:1 or more, whatever
    tile lies beneath."""
    settings.DATA_DIR = tmp_path
    server = TileServer().start()
    settings.VECINOS_TILE_UPSTREAM = server.template
    settings.VECINOS_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    context = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for path in ("/map", "/report"):
            page.goto(live_server.url + path)
            box = page.locator(".leaflet-control-attribution")
            link = box.locator("a").first
            ground = box.evaluate("e => getComputedStyle(e).backgroundColor")
            ink = link.evaluate("e => getComputedStyle(e).color")
            (ground_lum, ground_alpha), (ink_lum, _) = _luminance(ground), _luminance(ink)
            ratio = (max(ground_lum, ink_lum) + 0.05) / (min(ground_lum, ink_lum) + 0.05)
            assert ground_alpha == 1.0, f"{path}: the attribution's ground is {ground}"
            assert ratio >= 4.5, f"{path}: the attribution's link is {ratio:.2f}:1"
    finally:
        context.close()
        server.stop()


# The phone sees the default maps (no tile source: cells on a plain ground), the desktop
# the site's tile proxy (tiles and their attribution over the map).
SCREENS = (("phone", PHONE_SIZE, False), ("desktop", DESKTOP_SIZE, True))


def test_every_page_has_no_serious_accessibility_violation(
    browser: Any, live_server: Any, world: World, settings: Settings
) -> None:
    base = live_server.url
    pages = html_pages(world, candidate_visits(world))
    assert len(pages) > 30, pages  # the enumeration found the site, not a handful
    script = axe_source()
    by_actor: dict[str, list[str]] = {}
    for visit in pages:
        by_actor.setdefault(visit.actor, []).append(visit.url)
    cookies = {actor: session_cookie(world, actor) for actor in by_actor if actor != "anonymous"}
    tiles = TileServer().start()
    problems: list[str] = []
    try:
        for screen, size, with_tiles in SCREENS:
            settings.VECINOS_TILE_UPSTREAM = tiles.template if with_tiles else ""
            settings.VECINOS_TILE_URL = "/tiles/{z}/{x}/{y}.png" if with_tiles else ""
            for actor, urls in by_actor.items():
                for language in ("en", "es"):
                    context = browser.new_context(
                        viewport=size,
                        is_mobile=screen == "phone",
                        has_touch=screen == "phone",
                        locale=f"{language}-US",
                    )
                    context.add_init_script(script=script)
                    jar = [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language}]
                    if actor in cookies:
                        jar.append(
                            {"name": django_settings.SESSION_COOKIE_NAME, "value": cookies[actor]}
                        )
                    context.add_cookies([{**cookie, "url": base} for cookie in jar])
                    page = context.new_page()
                    for url in urls:
                        page.goto(base + url, wait_until="load")
                        settle(page)
                        where = f"{url} as {actor}, {screen}, {language}"
                        # The page itself, in the language asked for (not the sign-in page).
                        shown = (
                            page.url.removeprefix(base),
                            page.locator("html").get_attribute("lang"),
                        )
                        if shown != (url, language):
                            problems.append(f"{where} → showed {shown} instead")
                        problems += describe(where, violations(page))
                    context.close()
    finally:
        tiles.stop()
    assert not problems, f"{len(problems)} serious accessibility violations:\n" + "\n".join(
        problems
    )
