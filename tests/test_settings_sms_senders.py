"""The SMS sender pool: VECINOS_SMS_SENDERS lists senders with their own rates; TWILIO_FROM
with VECINOS_SMS_RATE still works. A bad entry stops the start with a message naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.test_settings import ROOT, clean_environment
from vecinos.core import config

SERVICE = "MG" + "0123456789abcdef" * 2


def parse(value: str, default_rate: float = 1.0) -> dict[str, float]:
    return config.parse_sms_senders(value, name="VECINOS_SMS_SENDERS", default_rate=default_rate)


def test_numbers_a_short_code_and_a_messaging_service_each_take_their_own_rate() -> None:
    pool = parse(f"+13235550001:1, +13235550002:1,90033:100,{SERVICE}:10, +18005550100", 3.0)
    assert pool == {
        "+13235550001": 1.0,
        "+13235550002": 1.0,
        "90033": 100.0,
        SERVICE: 10.0,
        "+18005550100": 3.0,  # no rate: VECINOS_SMS_RATE
    }
    assert list(pool) == ["+13235550001", "+13235550002", "90033", SERVICE, "+18005550100"]


def test_an_empty_setting_is_an_empty_pool() -> None:
    assert parse("") == {}
    assert parse(" , ") == {}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("3235550001:1", "'3235550001:1': a sender is +E.164, a 5-6 digit short code"),
        ("+1323-555-0001:1", "a sender is +E.164"),
        ("1234:100", "'1234:100': a sender is +E.164"),
        ("MG123:10", "Messaging Service SID (MG and 32 hex digits)"),
        ("+13235550001:fast", "'+13235550001:fast': the rate after ':' must be messages per"),
        ("+13235550001:", "the rate after ':'"),
        ("+13235550001:0", "from 0.01 to 10000"),
        ("90033:-5", "from 0.01 to 10000"),
        ("90033:nan", "from 0.01 to 10000"),
        ("90033:inf", "from 0.01 to 10000"),
        ("+13235550001:1,+13235550001:2", "names +13235550001 twice"),
    ],
)
def test_a_bad_entry_is_refused_with_a_message_naming_it(value: str, words: str) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        parse(value)
    assert "VECINOS_SMS_SENDERS" in str(error.value)
    assert words in str(error.value)


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vecinos", "check"],
        env=clean_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_a_bad_pool_and_a_pool_beside_twilio_from_stop_the_start(tmp_path: Path) -> None:
    bad = check(tmp_path, VECINOS_SMS_SENDERS="+13235550001:1,90033:lots")
    assert bad.returncode != 0
    assert "'90033:lots': the rate after ':' must be messages per second" in bad.stderr

    both = check(tmp_path, VECINOS_SMS_SENDERS="+13235550001:1", TWILIO_FROM="+13235550002")
    assert both.returncode != 0
    assert "Set VECINOS_SMS_SENDERS (senders with their rates) or TWILIO_FROM" in both.stderr
