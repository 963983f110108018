"""Whatever a client asks under /api/v1/, the answer is the API's JSON error shape: a
path no operation serves is a JSON 404, a method an operation does not take a JSON
405 with ``Allow``. The rest of the site keeps its HTML 404 page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_error_shape(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"detail", "errors"}
    assert body["errors"] == []
    assert isinstance(body["detail"], str) and body["detail"]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nope", "/api/v1/incident", "/api/v1/me/", "/api/v1/alerts/x/y/z", "/api/v1/"],
)
def test_an_unknown_api_path_is_a_json_404_that_points_to_the_docs(path: str) -> None:
    body = assert_error_shape(Client().get(path), 404)
    assert "/api/v1/docs" in str(body["detail"])


def test_a_post_to_an_unknown_api_path_is_a_404_not_a_csrf_refusal() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/subscription", {"x": 1}, content_type="application/json")
    assert_error_shape(response, 404)


def test_the_404_speaks_the_callers_language() -> None:
    response = Client().get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="es")
    body = assert_error_shape(response, 404)
    assert (
        body["detail"] == "No existe ese punto de acceso de la API. La lista está en /api/v1/docs."
    )


def test_pages_outside_the_api_keep_the_html_404() -> None:
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/me", "GET"),
        ("put", "/api/v1/reports", "POST"),
        ("get", "/api/v1/subscriptions", "POST"),
        ("patch", "/api/v1/alerts", "GET"),
        ("post", "/api/v1/openapi.json", "GET, HEAD"),
        ("delete", "/api/v1/docs", "GET, HEAD"),
    ],
)
def test_a_method_a_known_path_does_not_take_is_a_json_405(
    method: str, path: str, allowed: str
) -> None:
    response = getattr(Client(), method)(path)
    body = assert_error_shape(response, 405)
    assert response["Allow"] == allowed
    assert method.upper() in str(body["detail"])
    assert allowed in str(body["detail"])


def test_a_garbage_method_is_cut_short_in_the_answer() -> None:
    response = Client().generic("X" * 300, "/api/v1/me")
    body = assert_error_shape(response, 405)
    assert "X" * 17 not in str(body["detail"])


def test_the_operations_and_the_document_still_answer() -> None:
    client = Client()
    assert client.get("/api/v1/alerts").status_code == 200
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Vecinos API"
    assert client.get("/api/v1/docs").status_code == 200
    response = client.post("/api/v1/reports", {"kind": "raid"}, content_type="application/json")
    assert response.status_code == 422  # reached the operation: lat and lng are missing
