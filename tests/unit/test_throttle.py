"""The token bucket starts with one segment and holds a fifth of a second: no burst at start-up or after a stall."""

from __future__ import annotations

import asyncio

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


async def test_after_a_stall_the_bucket_catches_up_a_fifth_of_a_second_and_no_more() -> None:
    throttle = Throttle(rate_per_second=400)
    await throttle.acquire()
    throttle.updated = asyncio.get_running_loop().time() - 3  # three seconds without a send
    await throttle.acquire()
    assert throttle.tokens == 80 - 1  # 0.2 s of 400/s, less the segment just taken (a full second: 399)
