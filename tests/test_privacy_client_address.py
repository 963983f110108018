"""Working out the client's address, and erasing it from the request
(vecinos.core.middleware.PrivacyMiddleware)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from vecinos.core import ratelimit
from vecinos.core.middleware import PLACEHOLDER_ADDRESS, PrivacyMiddleware, client_address

CLIENT = "203.0.113.77"


@pytest.fixture
def proxies(settings: Any) -> Any:
    settings.VECINOS_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    return settings


def test_without_proxies_the_peer_is_the_client(settings: Any) -> None:
    settings.VECINOS_TRUSTED_PROXIES = []

    assert client_address({"REMOTE_ADDR": CLIENT}) == CLIENT


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(proxies: Any) -> None:
    meta = {"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}

    assert client_address(meta) == CLIENT


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(proxies: Any) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": CLIENT}

    assert client_address(meta) == CLIENT


def test_through_a_chain_of_trusted_proxies_the_right_most_untrusted_entry_wins(
    proxies: Any,
) -> None:
    # The client wrote "198.51.100.1" itself; our proxies appended the rest.
    meta = {
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_X_FORWARDED_FOR": f"198.51.100.1, {CLIENT}, 10.9.9.9, 10.0.0.7",
    }

    assert client_address(meta) == CLIENT


def test_a_chain_of_only_trusted_proxies_gives_the_peer(proxies: Any) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "10.1.1.1"}

    assert client_address(meta) == "10.0.0.5"


def test_ports_brackets_and_ipv6_proxies_are_understood(proxies: Any) -> None:
    assert client_address(
        {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": f"{CLIENT}:51234"}
    ) == (CLIENT)
    assert (
        client_address(
            {"REMOTE_ADDR": "2001:db8:ffff::1", "HTTP_X_FORWARDED_FOR": "[2001:db8:1::7]:443"}
        )
        == "2001:db8:1::7"
    )
    assert client_address({"REMOTE_ADDR": f"::ffff:{CLIENT}"}) == CLIENT


def test_a_missing_peer_is_an_empty_client() -> None:
    assert client_address({}) == ""


def run_middleware(meta: dict[str, str]) -> HttpRequest:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse("ok")

    request = RequestFactory().get("/", **meta)
    PrivacyMiddleware(view)(request)
    return seen[0]


def test_the_view_sees_a_pseudonym_and_no_address(proxies: Any) -> None:
    request = run_middleware(
        {
            "REMOTE_ADDR": "10.0.0.5",
            "HTTP_X_FORWARDED_FOR": f"198.51.100.1, {CLIENT}",
            "HTTP_X_REAL_IP": CLIENT,
            "HTTP_FORWARDED": f"for={CLIENT};proto=https",
            "HTTP_X_ORIGINAL_CLIENT": CLIENT,  # a header nobody told us about
            "REMOTE_HOST": "host-203-0-113-77.example.net",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
    )

    assert request.client_key == ratelimit.client_key(CLIENT)  # type: ignore[attr-defined]
    assert request.META["REMOTE_ADDR"] == PLACEHOLDER_ADDRESS
    assert request.META["HTTP_USER_AGENT"] == "Mozilla/5.0"
    assert CLIENT not in repr(request.META)
    assert "198.51.100.1" not in repr(request.META)
    assert "REMOTE_HOST" not in request.META


def test_the_pseudonym_is_not_the_address_and_differs_between_clients() -> None:
    key = ratelimit.client_key(CLIENT)

    assert CLIENT not in key and len(key) == 32
    assert key != ratelimit.client_key("203.0.113.78")


def test_one_ipv6_home_network_is_one_client() -> None:
    assert ratelimit.client_key("2001:db8:1:2::1") == ratelimit.client_key("2001:db8:1:2:ffff::9")
    assert ratelimit.client_key("2001:db8:1:2::1") != ratelimit.client_key("2001:db8:1:3::1")


def test_the_host_header_is_kept_when_the_site_is_reached_by_address(settings: Any) -> None:
    settings.VECINOS_TRUSTED_PROXIES = []
    request = run_middleware({"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000"})

    assert request.META["HTTP_HOST"] == "127.0.0.1:8000"


def test_an_https_claim_is_believed_only_from_a_declared_proxy(proxies: Any) -> None:
    direct = run_middleware({"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_PROTO": "https"})
    proxied = run_middleware({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_PROTO": "https"})

    assert "HTTP_X_FORWARDED_PROTO" not in direct.META
    assert proxied.META["HTTP_X_FORWARDED_PROTO"] == "https"


def test_without_declared_proxies_the_https_claim_is_left_to_the_settings(settings: Any) -> None:
    settings.VECINOS_TRUSTED_PROXIES = []

    request = run_middleware({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"})

    assert request.META["HTTP_X_FORWARDED_PROTO"] == "https"
