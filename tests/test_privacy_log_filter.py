"""The logging filter: the second lock, for log lines written by servers and libraries
(vecinos.core.logging.NoAddressFilter)."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from vecinos.core.logging import REDACTED, NoAddressFilter, scrub


@pytest.mark.parametrize(
    "text",
    [
        "client 203.0.113.77 said hi",
        "203.0.113.77:51234",
        "from 10.0.0.1,",
        "peer=2001:db8::1 port=443",
        "[2001:db8:85a3::8a2e:370:7334]:443",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "1:2:3:4:5:6:7:8",
        "::1",
        "fe80::1",
        "::ffff:203.0.113.77",
        "X-Forwarded-For: 198.51.100.23, 203.0.113.77",
    ],
)
def test_addresses_are_redacted(text: str) -> None:
    cleaned = scrub(text)

    assert REDACTED in cleaned
    for fragment in ["203.0.113.77", "2001:db8", "198.51.100.23", "::1", "fe80"]:
        assert fragment not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "checked at 10:40:00",
        "2026-05-01T10:40:00-07:00",
        "10:40",
        "took 12:03:59.250",
        "version 1.2.3",
        "reports 1.2.3.4.5 and 999.1.1.1",
        "ratio 3:2",
        "incident 0f8e7a6b-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    ],
)
def test_times_versions_and_ids_are_left_alone(text: str) -> None:
    assert scrub(text) == text


def logged(message: str, *args: object, exc: BaseException | None = None) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(NoAddressFilter())
    logger = logging.getLogger("tests.log_filter")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    try:
        if exc is None:
            logger.warning(message, *args)
        else:
            try:
                raise exc
            except type(exc):
                logger.exception(message, *args)
    finally:
        logger.handlers = []
    return stream.getvalue()


def test_arguments_of_a_log_call_are_scrubbed() -> None:
    line = logged("connection from %s at %s", "203.0.113.77", "10:40:00")

    assert line == f"connection from {REDACTED} at 10:40:00\n"


def test_tracebacks_are_scrubbed() -> None:
    text = logged("failed", exc=ValueError("bad peer 203.0.113.77"))

    assert "ValueError" in text and REDACTED in text and "203.0.113.77" not in text


def test_stack_information_is_scrubbed() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    record.stack_info = "frame with 203.0.113.77"

    NoAddressFilter().filter(record)

    assert record.stack_info == f"frame with {REDACTED}"


def test_a_request_attached_to_a_record_is_dropped() -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found", None, None
    )
    record.request = object()  # type: ignore[attr-defined]

    assert NoAddressFilter().filter(record) is True
    assert record.request is None  # type: ignore[attr-defined]


def test_a_broken_format_string_is_kept_scrubbed_and_does_not_raise() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "peer %s %s 203.0.113.77", ("one",), None
    )

    assert NoAddressFilter().filter(record) is True
    assert "203.0.113.77" not in record.getMessage()


def test_the_filter_is_on_every_handler_of_the_configured_logging() -> None:
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "no_addresses" in handler.get("filters", []), name
    assert sys.modules["vecinos.core.logging"]
