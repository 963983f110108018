"""The API is documented: the OpenAPI document is valid JSON with the expected
operations, docs/api.md describes every one of them (so the guide cannot silently
fall behind the code), and the interactive docs page loads nothing from a third party
and nothing inline that the Content-Security-Policy would refuse."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"

EXPECTED_OPERATIONS = {
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/reports"),
    ("GET", "/api/v1/incidents"),
    ("GET", "/api/v1/incidents/{incident_id}"),
    ("POST", "/api/v1/incidents/{incident_id}/dispatch"),
    ("POST", "/api/v1/incidents/{incident_id}/verify"),
    ("POST", "/api/v1/incidents/{incident_id}/merge"),
    ("POST", "/api/v1/incidents/{incident_id}/alerts"),
    ("GET", "/api/v1/public/incidents"),
    ("GET", "/api/v1/public/incidents.geojson"),
    ("POST", "/api/v1/subscriptions"),
    ("POST", "/api/v1/subscriptions/{subscription_id}/confirm"),
    ("POST", "/api/v1/subscriptions/webpush/stop"),
    ("GET", "/api/v1/alerts"),
    ("GET", "/api/v1/alerts/{alert_id}"),
    ("GET", "/api/v1/alerts/{alert_id}/deliveries"),
    ("POST", "/api/v1/alerts/{alert_id}/approve"),
    ("POST", "/api/v1/alerts/{alert_id}/retract"),
    ("POST", "/api/v1/alerts/{alert_id}/cancel"),
    ("GET", "/api/v1/cases"),
    ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{case_id}"),
    ("POST", "/api/v1/cases/{case_id}/state"),
    ("POST", "/api/v1/cases/{case_id}/notes"),
    ("POST", "/api/v1/cases/{case_id}/locator-checks"),
    ("POST", "/api/v1/cases/{case_id}/referrals"),
    ("POST", "/api/v1/cases/{case_id}/hearings"),
    ("POST", "/api/v1/cases/{case_id}/family-updates"),
    ("GET", "/api/v1/legal-aid"),
    ("GET", "/api/v1/legal-aid/{slug}"),
    ("GET", "/api/v1/hotlines"),
    ("GET", "/api/v1/committees"),
    ("POST", "/api/v1/committees"),
    ("GET", "/api/v1/committees/mine"),
    ("GET", "/api/v1/committees/{slug}"),
    ("PATCH", "/api/v1/committees/{slug}"),
    ("POST", "/api/v1/committees/{slug}/join"),
    ("GET", "/api/v1/committees/{slug}/members"),
    ("GET", "/api/v1/committees/{slug}/members/{membership_id}/contact"),
    ("POST", "/api/v1/committees/{slug}/members/{membership_id}/role"),
    ("DELETE", "/api/v1/committees/{slug}/members/{membership_id}"),
    ("GET", "/api/v1/committees/{slug}/requests"),
    ("POST", "/api/v1/committees/{slug}/requests/{request_id}/{decision}"),
    ("POST", "/api/v1/committees/{slug}/invites"),
    ("POST", "/api/v1/committees/{slug}/invites/{invite_id}/revoke"),
    ("GET", "/api/v1/committees/{slug}/announcements"),
    ("POST", "/api/v1/committees/{slug}/announcements"),
    ("GET", "/api/v1/committees/{slug}/tasks"),
    ("POST", "/api/v1/committees/{slug}/tasks"),
    ("PATCH", "/api/v1/committees/{slug}/tasks/{task_id}"),
}
# Served by Django views outside django-ninja, so not in the OpenAPI document.
OTHER_ENDPOINTS = [
    "GET /feeds/alerts.cap",
    "GET /feeds/alerts/{alert_id}.cap",
    "GET /feeds/alerts.atom",
    "POST /sms/twilio",
    "POST /sms/twilio/status",
    "GET /api/v1/openapi.json",
    "GET /api/v1/docs",
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    }


def test_the_openapi_document_is_openapi_3_with_the_expected_operations(
    document: dict[str, Any],
) -> None:
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Vecinos API"
    assert operations(document) == EXPECTED_OPERATIONS


def test_every_operation_of_the_openapi_document_has_a_heading_in_api_md(
    document: dict[str, Any],
) -> None:
    text = API_MD.read_text()
    headings = set(re.findall(r"^#+ `([A-Z]+ /\S+)`", text, flags=re.MULTILINE))
    missing = {f"{method} {path}" for method, path in operations(document)} - headings
    assert not missing, f"docs/api.md does not document: {sorted(missing)}"


def test_api_md_documents_nothing_that_no_longer_exists(document: dict[str, Any]) -> None:
    text = API_MD.read_text()
    headings = set(re.findall(r"^#+ `([A-Z]+ /\S+)`", text, flags=re.MULTILINE))
    known = {f"{method} {path}" for method, path in operations(document)} | set(OTHER_ENDPOINTS)
    assert headings - known == set()
    assert set(OTHER_ENDPOINTS) <= headings


def test_api_md_gives_a_curl_example_for_every_operation(document: dict[str, Any]) -> None:
    # Each heading's section (up to the next heading of any level) holds a curl line.
    sections = re.split(r"^#+ ", API_MD.read_text(), flags=re.MULTILINE)
    for method, path in operations(document):
        section = next(s for s in sections if s.startswith(f"`{method} {path}`"))
        assert "curl " in section, f"no curl example for {method} {path}"


def test_every_status_an_operation_declares_is_in_api_md(document: dict[str, Any]) -> None:
    text = API_MD.read_text()
    statuses = {
        status
        for item in document["paths"].values()
        for op in item.values()
        for status in op["responses"]
    }
    for status in statuses:
        assert f"`{status}`" in text, status


def test_the_docs_page_loads_nothing_from_third_parties_and_nothing_inline() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html), "third-party asset"
    for attributes, content in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL):
        # Either a file of this site, or inert data (JSON) that the browser does not run.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
        assert "src=" in attributes or not content.strip() or "json" in attributes
    assert "style=" not in html
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset


def test_the_docs_page_sends_no_document_address_to_a_validator() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html
