"""The outbox as the status page, the readiness probe, /metrics and the demo read it: messages per
channel and state, the latest ones, and for /metrics also the gauges of ladder steps and
experiment exposures (refreshed in the same transaction); the demo's clock follows the next send
moment and waits for the delivery reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herinnering.adapters.db import Row, message_store, metrics_store, outbox
from herinnering.domain.reminders.states import MessageState
from herinnering.runtime import Runtime


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


async def next_send_at(runtime: Runtime) -> datetime | None:
    """The earliest moment a planned message is due."""
    async with runtime.db.begin() as connection:
        return await outbox.next_send_at(connection)


async def awaiting_report(runtime: Runtime) -> int:
    """Messages sending or sent whose delivery report has not come back."""
    async with runtime.db.begin() as connection:
        return await message_store.awaiting_report_count(connection)


async def summary_and_delivered(runtime: Runtime, limit: int) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """Per channel accepted, delivered, failed, cancelled and planned; the first delivered messages."""
    async with runtime.db.begin() as connection:
        return await outbox.summary(connection), await outbox.recent(connection, limit, states=[MessageState.DELIVERED])


async def first_sent(runtime: Runtime, kind: str) -> Row[Any] | None:
    """The first message of this kind the provider accepted (id, body, context, tenant id)."""
    async with runtime.db.begin() as connection:
        return await message_store.first_sent_of_kind(connection, kind)


async def planned_count(runtime: Runtime, tenant_id: int, *, except_kinds: tuple[str, ...] = ()) -> int:
    """How many of the tenant's messages are still planned, leaving out these kinds."""
    async with runtime.db.begin() as connection:
        return len(await message_store.planned_ids(connection, tenant_id, except_kinds=except_kinds))
