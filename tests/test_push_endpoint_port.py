"""A web-push endpoint names a known push service on the standard https port: an
endpoint on another port of a push host (``https://fcm.googleapis.com:6379/…``) would
aim the delivery workers at whatever listens there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.test_subscription_api import push_address, sms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PRODUCTION_HOSTS = ["fcm.googleapis.com", "push.services.mozilla.com"]


def post(body: Any) -> Any:
    return Client().post("/api/v1/subscriptions", data=body, content_type="application/json")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com:6379/fcm/send/abc",
        "https://fcm.googleapis.com:8443/fcm/send/abc",
        "https://updates.push.services.mozilla.com:25/wpush/v2/abc",
        "https://fcm.googleapis.com:0/fcm/send/abc",
        "https://fcm.googleapis.com:99999/fcm/send/abc",
        "https://fcm.googleapis.com/",
        "https://fcm.googleapis.com/fcm/send/abc#fragment",
    ],
)
def test_a_push_endpoint_off_the_standard_https_port_is_refused(
    settings: Any, endpoint: str
) -> None:
    settings.SUBSCRIPTION_PUSH_HOSTS = PRODUCTION_HOSTS

    response = post(sms(channel="webpush", address=push_address(endpoint)))

    assert response.status_code == 422, response.content
    assert {e["field"] for e in response.json()["errors"]} == {"address.endpoint"}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com:443/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
    ],
)
def test_a_push_endpoint_on_the_standard_port_is_accepted(settings: Any, endpoint: str) -> None:
    settings.SUBSCRIPTION_PUSH_HOSTS = PRODUCTION_HOSTS

    assert post(sms(channel="webpush", address=push_address(endpoint))).status_code == 202
