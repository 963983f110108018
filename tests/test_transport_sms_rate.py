"""The per-sender SMS rate: each sender at its own rate, shared by every worker (Redis
when REDIS_URL is set, a lock inside one process otherwise). Slots are spaced
``(1 + GUARD) / rate`` apart (vecinos/delivery/ratelimit.py says why)."""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

import pytest

from tests.conftest import reachable_redis
from vecinos.delivery import ratelimit
from vecinos.delivery.transports import OutgoingMessage
from vecinos.delivery.transports.sms import TwilioTransport

REDIS_URL = os.environ.get("VECINOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


@pytest.fixture
def redis_url() -> str:
    """Redis for the shared limiter: a failure in CI, a skip on a laptop without it."""
    return reachable_redis(REDIS_URL)


def spacing(slots: list[ratelimit.Slot]) -> list[float]:
    """Seconds between consecutive slots, on the limiter's own clock."""
    return [round(later.at - earlier.at, 6) for earlier, later in itertools.pairwise(slots)]


def test_one_sender_is_reserved_one_slot_per_interval() -> None:
    limiter = ratelimit.LocalLimiter()
    slots = [limiter.reserve({"+13235550001": 4}) for _ in range(5)]
    assert slots[0].wait == pytest.approx(0, abs=0.01)
    assert spacing(slots) == [pytest.approx(0.25 * (1 + ratelimit.GUARD))] * 4


def test_two_senders_take_turns_so_the_total_rate_doubles() -> None:
    limiter = ratelimit.LocalLimiter()
    slots = [limiter.reserve({"+13235550001": 1, "+13235550002": 1}) for _ in range(4)]
    assert [slot.sender for slot in slots] == [
        "+13235550001",
        "+13235550002",
        "+13235550001",
        "+13235550002",
    ]
    # Each sender waits a whole second (and the guard) between its own messages.
    assert slots[2].at - slots[0].at == pytest.approx(1 + ratelimit.GUARD)
    assert slots[3].at - slots[1].at == pytest.approx(1 + ratelimit.GUARD)


def test_two_processes_share_one_senders_rate_through_redis(redis_url: str) -> None:
    first, second = ratelimit.RedisLimiter(redis_url), ratelimit.RedisLimiter(redis_url)
    first.reset()
    sender = {f"+1323555{os.getpid() % 10000:04d}": 10.0}
    slots = [limiter.reserve(sender) for limiter in (first, second) * 3]
    # Six reservations from two "processes": one after another, a tenth of a second (and
    # the guard) apart on Redis's clock, whichever process asked.
    assert spacing(slots) == [pytest.approx(0.1 * (1 + ratelimit.GUARD), abs=1e-6)] * 5
    assert slots[-1].wait > slots[0].wait
    first.reset()


def test_with_redis_url_the_transport_uses_the_shared_limiter(
    settings: Any, redis_url: str
) -> None:
    settings.REDIS_URL = redis_url
    assert isinstance(ratelimit.limiter(), ratelimit.RedisLimiter)


def test_the_transport_never_sends_faster_than_the_rate(twilio_server: Any, settings: Any) -> None:
    settings.TWILIO_FROM = ["+13235550001"]
    settings.SMS_RATE = 20.0
    transport = TwilioTransport()
    for number in range(5):
        transport.send(
            OutgoingMessage(
                key=f"d{number}",
                channel="sms",
                address=f"+1213555{number:04d}",
                subject="",
                text="x",
            )
        )
    arrivals = [message.at for message in twilio_server.messages]
    # A lower bound only (never flaky): five messages at 20 a second span at least four
    # intervals of 50 ms (and the guard), less the jitter of the first request.
    # Unpaced, they take ~10 ms.
    assert arrivals[-1] - arrivals[0] >= 4 * 0.05 - 0.04


def test_without_a_sender_nothing_can_be_reserved() -> None:
    with pytest.raises(ValueError, match="VECINOS_SMS_SENDERS or TWILIO_FROM"):
        ratelimit.reserve({})


def test_a_redis_outage_falls_back_to_pacing_in_the_process(settings: Any) -> None:
    from tests.conftest import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/10"  # nobody listens
    start = time.monotonic()
    slot = ratelimit.reserve({"+13235559999": 1000})
    assert slot.sender == "+13235559999"
    assert time.monotonic() - start < 10


def test_mixed_rates_pace_each_sender_by_its_own_rate() -> None:
    limiter = ratelimit.LocalLimiter()
    pool = {"+13235550001": 1.0, "90033": 100.0, "MG" + "0" * 32: 10.0}
    slots = [limiter.reserve(pool) for _ in range(300)]
    start = slots[0].at
    within_two_seconds: dict[str, list[float]] = {sender: [] for sender in pool}
    for slot in slots:
        if slot.at < start + 2:
            within_two_seconds[slot.sender].append(slot.at)
    # The sender free soonest takes each slot: in two seconds each sender has about
    # twice its rate (less the guard), never more.
    counts = {sender: len(times) for sender, times in within_two_seconds.items()}
    assert counts == {"+13235550001": 2, "90033": 191, "MG" + "0" * 32: 20}
    for sender, rate in pool.items():
        own = [slot for slot in slots if slot.sender == sender]
        assert spacing(own) == [pytest.approx((1 + ratelimit.GUARD) / rate)] * (len(own) - 1)


def test_mixed_rates_are_shared_through_redis(redis_url: str) -> None:
    first, second = ratelimit.RedisLimiter(redis_url), ratelimit.RedisLimiter(redis_url)
    first.reset()
    tag = os.getpid() % 10000
    slow, fast = f"+1323555{tag:04d}", f"9{tag:04d}"
    pool = {slow: 0.1, fast: 100.0}
    slots = [limiter.reserve(pool) for limiter in (first, second) * 50]
    # The slow sender's second slot is ten seconds away: every other slot is the fast
    # one's, never closer than its own interval, whichever process asked.
    assert [slot.sender for slot in slots].count(slow) == 1
    gaps = spacing([slot for slot in slots if slot.sender == fast])
    assert len(gaps) == 98
    assert min(gaps) >= (1 + ratelimit.GUARD) / 100 - 1e-6
    first.reset()


def test_the_pool_is_the_senders_setting_or_every_twilio_from_at_sms_rate(
    settings: Any,
) -> None:
    settings.SMS_SENDERS = {}
    settings.TWILIO_FROM = ["+13235550001", "+13235550002"]
    settings.SMS_RATE = 3.0
    assert ratelimit.senders() == {"+13235550001": 3.0, "+13235550002": 3.0}
    settings.SMS_SENDERS = {"90033": 100.0, "+13235550001": 1.0}
    settings.TWILIO_FROM = []
    assert ratelimit.senders() == {"90033": 100.0, "+13235550001": 1.0}
    assert ratelimit.total_rate() == 101.0
