"""A token bucket in SMS segments per second: the provider counts throughput in segments.

The bucket starts with one token, not full: a full bucket would let a whole second's worth
out at once on start-up, so the first second would run above the configured rate. It holds at
most a fifth of a second's worth: after a stall (a claim, a slow answer) the sends catch up by
that much and no more, so no window of a second or longer runs much above the rate.
"""

from __future__ import annotations

import asyncio


class Throttle:
    def __init__(self, rate_per_second: float) -> None:
        self.rate = rate_per_second
        self.capacity = max(1.0, rate_per_second / 5)
        self.tokens = 1.0
        self.updated: float | None = None
        self.lock = asyncio.Lock()

    async def acquire(self, cost: int = 1) -> None:
        """Wait until `cost` segments may go out (a message larger than a second's worth just waits longer)."""
        async with self.lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            if self.updated is not None:
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= cost
            if self.tokens < 0:
                await asyncio.sleep(-self.tokens / self.rate)
