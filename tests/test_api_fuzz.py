"""No request makes the API fail: Schemathesis generates requests from the OpenAPI
document (valid ones and deliberately broken ones: wrong types, out-of-range numbers,
odd strings, missing and extra fields) for every operation, sends them through the
whole Django stack with a dispatcher's token, and every answer must be below 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User

pytestmark = [pytest.mark.django_db]

# Every operation gets this many generated requests (the suite's time, not a ceiling:
# `schemathesis run` against `vecinos serve` goes much further, see docs/api.md).
EXAMPLES = 25


def load_schema() -> Any:
    """The API's own OpenAPI document (the one /api/v1/openapi.json serves), with the
    WSGI application to send the generated requests to."""
    from vecinos.api.api import api
    from vecinos.wsgi import application

    document = json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded


schema = load_schema()


@pytest.fixture(autouse=True)
def requests_keep_the_test_connection() -> Iterator[None]:
    """The requests go to the WSGI application itself, in this test's transaction; as
    Django's test client does, keep its request signals from closing the connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(dani: User) -> str:
    return create_api_token(user=dani, name="fuzz", actor=None)[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_makes_the_api_fail(case: Any, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})

    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.text[:500]}"
    )


def test_the_fuzzed_api_is_really_reached(token: str) -> None:
    """The requests above reach the views: an authorised call through the same path
    answers 200 with the token's owner (not a 400 for the host, say)."""
    operation = schema["/api/v1/me"]["GET"]
    case = operation.Case()

    response = case.call(headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"username": "dani", "role": "dispatcher"}
