"""The token bucket starts with one segment, not a full second's worth: no burst at start-up."""

from __future__ import annotations

from herinnering.services.reminders.throttle import Throttle


async def test_a_fresh_throttle_lets_one_segment_out_then_keeps_to_the_rate() -> None:
    throttle = Throttle(rate_per_second=5)
    await throttle.acquire()
    assert throttle.tokens == 0  # the first segment goes at once, and it was the only one in the bucket
    await throttle.acquire()
    await throttle.acquire()
    assert throttle.tokens < 1  # a full bucket would still hold 2 of its 5; these two had to wait their turn


async def test_a_two_segment_message_costs_two_tokens() -> None:
    throttle = Throttle(rate_per_second=1000)
    await throttle.acquire(2)
    assert throttle.tokens == -1  # the debt is waited off at the rate: 1 ms here
