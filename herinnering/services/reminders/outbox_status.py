"""The outbox as the status page, the readiness probe and /metrics read it: messages per channel
and state, the latest ones, and for /metrics also the gauges of ladder steps and experiment
exposures (refreshed in the same transaction)."""

from __future__ import annotations

from typing import Any

from herinnering.adapters.db import Row, metrics_store, outbox
from herinnering.bootstrap import Runtime


async def counts(runtime: Runtime) -> list[Row[Any]]:
    """Messages per channel and state; also the readiness probe's one query."""
    async with runtime.db.begin() as connection:
        return await outbox.counts(connection)


async def counts_and_recent(runtime: Runtime, limit: int) -> tuple[list[Row[Any]], list[Row[Any]]]:
    async with runtime.db.begin() as connection:
        return await outbox.counts(connection), await outbox.recent(connection, limit)


async def counts_for_metrics(runtime: Runtime) -> list[Row[Any]]:
    """The counts, after refreshing the ladder-step and exposure gauges."""
    async with runtime.db.begin() as connection:
        rows = await outbox.counts(connection)
        await metrics_store.refresh(connection)
    return rows
