"""Queries of the change feed (see change_tables.py for why a change has an id and a position)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.change_tables import erp_change_deliveries, erp_changes
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tenants
from herinnering.domain.changes import kept_fields, kind_of

SEQUENCE_LOCK = "herinnering:erp_changes"
_SEQUENCE = """
WITH top AS (SELECT coalesce(max(position), 0) AS p FROM erp_changes),
     fresh AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM erp_changes
               WHERE position IS NULL ORDER BY id LIMIT :limit)
UPDATE erp_changes SET position = (SELECT p FROM top) + fresh.n FROM fresh WHERE erp_changes.id = fresh.id
"""


async def record(connection: AsyncConnection, event_rows: Sequence[dict[str, Any]]) -> int:
    """A change row for every event the ERP must hear of, in the event's own transaction."""
    wanted = [row for row in event_rows if row.get("tenant_id") is not None and kind_of(row["type"])]
    if not wanted:
        return 0
    ids = {row["tenant_id"] for row in wanted}
    contracts: dict[int, str] = dict((await connection.execute(
        select(tenants.c.id, tenants.c.external_id).where(tenants.c.id.in_(ids)))).all())
    values = [
        {"tenant_id": row["tenant_id"], "contract_id": contracts[row["tenant_id"]], "event_type": row["type"],
         "kind": kind_of(row["type"]), "data": kept_fields(row["type"], row["data"]),
         "occurred_at": row["occurred_at"]}
        for row in wanted if row["tenant_id"] in contracts
    ]
    if values:
        await connection.execute(erp_changes.insert(), values)
    return len(values)


async def sequence(connection: AsyncConnection, limit: int = 10_000) -> int:
    """Number the changes every reader can see, after the highest number handed out so far.
    One sequencer at a time (a transaction-level lock, so it also holds behind PgBouncer)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": SEQUENCE_LOCK})
    result = await connection.execute(text(_SEQUENCE), {"limit": limit})
    return int(result.rowcount or 0)


async def page(connection: AsyncConnection, after: int, limit: int) -> list[Row[Any]]:
    statement = (select(erp_changes).where(erp_changes.c.position > after)
                 .order_by(erp_changes.c.position).limit(limit))
    return list((await connection.execute(statement)).fetchall())


async def last_position(connection: AsyncConnection) -> int:
    return int((await connection.execute(select(func.coalesce(func.max(erp_changes.c.position), 0)))).scalar_one())


async def enqueue_deliveries(connection: AsyncConnection, now: datetime, limit: int) -> int:
    """A delivery row for every numbered change past the last one queued."""
    queued = select(func.coalesce(func.max(erp_change_deliveries.c.position), 0)).scalar_subquery()
    rows = (await connection.execute(
        select(erp_changes.c.id, erp_changes.c.position).where(erp_changes.c.position > queued)
        .order_by(erp_changes.c.position).limit(limit))).fetchall()
    if not rows:
        return 0
    statement = dialect_insert(connection, erp_change_deliveries).on_conflict_do_nothing(index_elements=["change_id"])
    await connection.execute(statement, [
        {"change_id": r.id, "position": r.position, "state": "pending", "attempts": 0, "next_attempt_at": now,
         "created_at": now, "updated_at": now} for r in rows])
    return len(rows)


async def due_deliveries(connection: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    statement = (
        select(erp_changes, erp_change_deliveries.c.attempts)
        .join(erp_change_deliveries, erp_change_deliveries.c.change_id == erp_changes.c.id)
        .where(erp_change_deliveries.c.state == "pending", erp_change_deliveries.c.next_attempt_at <= now)
        .order_by(erp_change_deliveries.c.position).limit(limit)
    )
    return list((await connection.execute(statement)).fetchall())


async def settle(connection: AsyncConnection, change_ids: Sequence[int], state: str, now: datetime, *,
                 attempts: int | None = None, next_attempt_at: datetime | None = None,
                 error: str | None = None) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": now, "last_error": error}
    if attempts is not None:
        values["attempts"] = attempts
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    await connection.execute(update(erp_change_deliveries).where(
        erp_change_deliveries.c.change_id.in_(list(change_ids))).values(**values))


async def deliveries(connection: AsyncConnection, state: str, limit: int = 500) -> list[Row[Any]]:
    statement = (
        select(erp_changes, erp_change_deliveries.c.state, erp_change_deliveries.c.attempts,
               erp_change_deliveries.c.last_error, erp_change_deliveries.c.updated_at)
        .join(erp_change_deliveries, erp_change_deliveries.c.change_id == erp_changes.c.id)
        .where(erp_change_deliveries.c.state == state)
        .order_by(erp_change_deliveries.c.position).limit(limit)
    )
    return list((await connection.execute(statement)).fetchall())


async def count_by_state(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(select(erp_change_deliveries.c.state, func.count())
                                    .group_by(erp_change_deliveries.c.state))
    return {state: int(n) for state, n in rows}


async def retry(connection: AsyncConnection, change_ids: Sequence[int] | None, now: datetime) -> int:
    """Dead deliveries back to pending, now (all of them when `change_ids` is None)."""
    statement = update(erp_change_deliveries).where(erp_change_deliveries.c.state == "dead")
    if change_ids is not None:
        statement = statement.where(erp_change_deliveries.c.change_id.in_(list(change_ids)))
    result = await connection.execute(statement.values(state="pending", attempts=0, next_attempt_at=now,
                                                       updated_at=now))
    return int(result.rowcount or 0)
