"""The interactive API docs (/api/v1/docs) in Chromium: Swagger UI renders every
operation under the site's Content-Security-Policy, and the page asks nothing of any
other site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_every_operation_without_third_parties(
    browser: Any, live_server: Any
) -> None:
    operations = sum(
        len(item) for item in Client().get("/api/v1/openapi.json").json()["paths"].values()
    )
    context = browser.new_context()
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    try:
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock")
        rendered = page.locator(".opblock").count()
    finally:
        context.close()

    assert rendered == operations
    assert hosts == {urlsplit(live_server.url).netloc}
    assert problems == []  # a CSP refusal would show here
