"""The library offline: once a page and the red card were opened, they open again with
the network cut (the library's service worker, scope /rights/, answers from its cache),
beside the site's push worker, which it does not replace."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_library_page_and_the_red_card_open_with_the_network_cut(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/rights/es/door")
        scope = page.evaluate(
            "navigator.serviceWorker.ready.then(function (r) { return r.scope; })"
        )
        # The first visit installs the worker; this visit goes through it and is kept.
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        card = page.evaluate(
            "fetch('/rights/es/red-card.pdf').then(function (r) { return r.status; })"
        )
        assert card == 200

        context.set_offline(True)
        page.goto(f"{live_server.url}/rights/es/door")
        assert page.locator("h1").inner_text() == "Sus derechos en la puerta"
        offline_card = page.evaluate(
            "fetch('/rights/es/red-card.pdf').then(function (r) {"
            " return r.status + ' ' + r.headers.get('content-type'); })"
        )
        never_seen = page.evaluate(
            "fetch('/rights/es/witness').then(function () { return 'answered'; },"
            " function () { return 'failed'; })"
        )
    finally:
        context.close()

    assert scope == f"{live_server.url}/rights/"
    assert offline_card == "200 application/pdf"
    assert never_seen == "failed"  # only what was read is kept: no made-up answers
