"""Weight on the wire of every public page of the library, the legal-aid directory and
the family plan, beside the home page, with JavaScript on and off, in Debian's Chromium
(cold cache, compression as the server sends it), and the requests to other origins.

Goal (docs/architecture.md, public pages): at most 60 KB a page without tiles, and no
request to a third party. The weight is what the browser received for the page and
everything it loaded: response headers and (compressed) bodies.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from benchmarks import common

GOAL_KB = 60.0
CHROMIUM = os.environ.get("VECINOS_CHROMIUM", "/usr/bin/chromium")
LANGUAGES = ["en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km"]
SLUGS = ["door", "street", "work", "school", "detained", "family-plan", "witness", "red-card"]
EVERY_LANGUAGE = {"door", "red-card"}


def paths() -> list[str]:
    found = ["/rights/plan", "/legal-help/", "/legal-help/?zip=90033&language=es&service="]
    for lang in LANGUAGES:
        found.append(f"/rights/{lang}/")
        for slug in SLUGS:
            if lang in {"en", "es"} or slug in EVERY_LANGUAGE:
                found.append(f"/rights/{lang}/{slug}")
    return found


def measure(browser: Any, url: str, origin: str, *, javascript: bool) -> tuple[float, int, int]:
    """(kilobytes received, requests, requests to other origins) for one cold load."""
    context = browser.new_context(java_script_enabled=javascript, service_workers="block")
    page = context.new_page()
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(100)
        total = 0
        for request in requests:
            sizes = request.sizes()
            total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        others = sum(1 for r in requests if not r.url.startswith(origin))
        return total / 1024, len(requests), others
    finally:
        context.close()


def run() -> common.Result:
    from playwright.sync_api import sync_playwright

    result = common.Result(
        name="page_weight",
        description="KB on the wire: library, directory and family-plan pages vs the home page",
    )
    directory = common.data_dir("weight")
    bind = f"127.0.0.1:{common.free_port()}"
    origin = f"http://{bind}"
    env = common.vecinos_env(directory, VECINOS_PUBLIC_URL=origin)
    common.vecinos(["migrate", "--no-input", "-v", "0"], env)
    common.vecinos(["collectstatic", "--no-input", "-v", "0"], env)
    common.vecinos(["demo"], env)
    server = common.start_server(bind, env)
    rows: list[tuple[str, float, float, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            home_js = measure(browser, origin + "/", origin, javascript=True)
            home_nojs = measure(browser, origin + "/", origin, javascript=False)
            third_party = home_js[2]
            for path in paths():
                with_js = measure(browser, origin + path, origin, javascript=True)
                without = measure(browser, origin + path, origin, javascript=False)
                third_party += with_js[2] + without[2]
                rows.append((path, with_js[0], without[0], with_js[1]))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    heaviest_nojs = max(rows, key=lambda row: row[2])
    heaviest_js = max(rows, key=lambda row: row[1])
    result.add(
        common.Figure(
            f"heaviest page without JavaScript ({heaviest_nojs[0]})",
            heaviest_nojs[2],
            "KB",
            "home page without JavaScript",
            home_nojs[0],
            goal=f"<= {GOAL_KB:.0f} KB",
            met=heaviest_nojs[2] <= GOAL_KB,
        )
    )
    result.add(
        common.Figure(
            f"heaviest page with JavaScript ({heaviest_js[0]})",
            heaviest_js[1],
            "KB",
            "home page with JavaScript",
            home_js[0],
            goal=f"<= {GOAL_KB:.0f} KB",
            met=heaviest_js[1] <= GOAL_KB,
        )
    )
    result.add(
        common.Figure(
            f"requests to other origins over {len(rows) * 2 + 2} page loads",
            third_party,
            "requests",
            goal="0",
            met=third_party == 0,
        )
    )
    result.notes.append(
        "per page (KB with JavaScript / without; requests with JavaScript): "
        + "; ".join(f"{path} {js:.1f}/{nojs:.1f} ({n})" for path, js, nojs, n in rows)
    )
    return result
