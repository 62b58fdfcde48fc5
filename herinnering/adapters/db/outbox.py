"""Queries on the outbox (`messages`): insert once, claim in one statement, move forward only.

A claim is a single `WITH due AS MATERIALIZED (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) UPDATE …
WHERE id IN (SELECT id FROM due) RETURNING`, so two workers on PostgreSQL never take the same row
(SQLite serialises writers, and ignores the lock clause). MATERIALIZED runs the locking SELECT
once: as a plain `IN (subquery)` the planner may choose a semi-join that re-runs it for every
row, which on a table without fresh statistics took seconds and claimed far more than `n`.
Every state change goes through `move`, whose WHERE clause is the state machine's table of
allowed sources: an out-of-order callback or a second click changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import events, messages, tenants
from herinnering.domain.reminders.states import MessageState, sources_of

S = MessageState


async def insert_planned(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[Row[Any]]:
    """Insert new messages; those whose idempotency key exists are skipped. Returns the new rows."""
    if not rows:
        return []
    statement = dialect_insert(connection, messages).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(
        messages.c.id, messages.c.tenant_id, messages.c.idempotency_key
    )
    result = await connection.execute(statement, list(rows))
    return list(result.fetchall())


async def claim_due(
    connection: AsyncConnection, worker: str, now: datetime, limit: int,
    kinds: Collection[str] | None = None,
) -> list[Row[Any]]:
    """Take up to `limit` due planned messages for `worker`, oldest first (only `kinds`, if given)."""
    conditions = [
        messages.c.state == S.PLANNED,
        messages.c.send_at <= now,
        or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
    ]
    if kinds is not None:
        conditions.append(messages.c.kind.in_(sorted(kinds)))
    due = (
        select(messages.c.id)
        .where(*conditions)
        .order_by(messages.c.send_at)  # the (state, send_at) index's order: no sort of every due row per claim
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(messages)
        .where(messages.c.id.in_(select(due.c.id)), messages.c.state == S.PLANNED)
        .values(  # next_attempt_at cleared: in `sending` a set one means "outcome unknown, look it up"
            state=S.SENDING, claimed_by=worker, claimed_at=now, attempted_at=now, updated_at=now,
            next_attempt_at=None, attempts=messages.c.attempts + 1,
        )
        .returning(*messages.c)
    )
    result = await connection.execute(statement)
    return sorted(result.fetchall(), key=lambda row: (row.send_at, row.id))


async def claim_unsettled(
    connection: AsyncConnection, worker: str, now: datetime, stalled_before: datetime, limit: int
) -> list[Row[Any]]:
    """Take messages stuck in `sending` whose outcome must be looked up before any retry:
    a provider answer we could not read (retry time passed) or a worker that died."""
    stuck = (
        select(messages.c.id)
        .where(
            messages.c.state == S.SENDING,
            or_(
                and_(messages.c.next_attempt_at.is_not(None), messages.c.next_attempt_at <= now),
                messages.c.claimed_at <= stalled_before,
            ),
        )
        .order_by(messages.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("stuck")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(messages)
        .where(messages.c.id.in_(select(stuck.c.id)), messages.c.state == S.SENDING)
        .values(claimed_by=worker, claimed_at=now, updated_at=now, next_attempt_at=None)
        .returning(*messages.c)
    )
    return list((await connection.execute(statement)).fetchall())


async def awaiting_sid(connection: AsyncConnection, recipient: str, body: str) -> list[Row[Any]]:
    """Messages being sent to `recipient` with this text whose provider SID is not known yet."""
    statement = select(messages).where(
        messages.c.state == S.SENDING, messages.c.recipient == recipient, messages.c.body == body,
        messages.c.provider_sid.is_(None),
    ).order_by(messages.c.id)
    return list((await connection.execute(statement)).fetchall())


async def stored_sids(connection: AsyncConnection, sids: Collection[str]) -> set[str]:
    """Those of `sids` some message already holds."""
    if not sids:
        return set()
    statement = select(messages.c.provider_sid).where(messages.c.provider_sid.in_(sorted(sids)))
    return set((await connection.execute(statement)).scalars().all())


async def quiet_sent(connection: AsyncConnection, before: datetime, limit: int) -> list[Row[Any]]:
    """Messages still `sent` with no news since `before` (their delivery callback may be lost)."""
    statement = select(messages).where(
        messages.c.state == S.SENT, messages.c.provider_sid.is_not(None), messages.c.updated_at <= before,
    ).order_by(messages.c.updated_at, messages.c.id).limit(limit)
    return list((await connection.execute(statement)).fetchall())


async def touch_sent(connection: AsyncConnection, message_id: int, now: datetime, provider_status: str) -> None:
    """Note that the provider was asked (and still had no final status)."""
    await connection.execute(update(messages).where(messages.c.id == message_id, messages.c.state == S.SENT)
                             .values(updated_at=now, provider_status=provider_status))


async def move(
    connection: AsyncConnection,
    message_id: int,
    target: MessageState,
    now: datetime,
    *,
    owner: str | None = None,
    **fields: Any,
) -> bool:
    """Move a message to `target` if the state machine allows it from where it is now.

    `owner` guards moves out of `sending`: only the worker holding the claim may make them.
    Returns whether the move happened.
    """
    conditions = [messages.c.id == message_id, messages.c.state.in_(sources_of(target))]
    if owner is not None:
        conditions.append(messages.c.claimed_by == owner)
    result = await connection.execute(update(messages).where(*conditions).values(**_move_values(target, now, fields)))
    return result.rowcount == 1


def _move_values(target: MessageState, now: datetime, fields: dict[str, Any]) -> dict[str, Any]:
    """The columns a move to `target` sets: the state, its time stamp, and `fields`."""
    stamp = {S.SENT: "sent_at", S.DELIVERED: "delivered_at", S.FAILED: "failed_at", S.CANCELLED: "cancelled_at"}
    values = {"state": target, "updated_at": now, **fields}
    if target in stamp:
        values[stamp[target]] = now
    if target is S.PLANNED:
        values.update(claimed_by=None, claimed_at=None)
    return values


_STATUSES_SQL = """
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS i(m, sid, target, status, n)
), found AS MATERIALIZED (
    SELECT input.n, input.sid, input.target, input.status, messages.id, messages.provider_sid
    FROM input
    CROSS JOIN LATERAL (SELECT COALESCE(
        (SELECT id FROM messages WHERE id = input.m AND (provider_sid IS NULL OR provider_sid = input.sid)),
        (SELECT id FROM messages WHERE provider_sid = input.sid)) AS id) AS match
    JOIN messages ON messages.id = match.id
    ORDER BY messages.id FOR UPDATE OF messages  -- rows locked in one order: no deadlock with another batch
), moved AS (
    UPDATE messages SET state = found.target, provider_status = found.status, updated_at = $5,
        sent_at = CASE WHEN found.target = 'sent' THEN $5 ELSE messages.sent_at END,
        delivered_at = CASE WHEN found.target = 'delivered' THEN $5 ELSE messages.delivered_at END,
        provider_sid = COALESCE(messages.provider_sid, found.sid)
    FROM found
    WHERE messages.id = found.id
      AND messages.state = ANY(CASE found.target WHEN 'sent' THEN $6::text[] ELSE $7::text[] END)
    RETURNING messages.id, messages.tenant_id, found.n, found.target, found.status
), logged AS (
    INSERT INTO events (tenant_id, message_id, type, data, occurred_at)
    SELECT tenant_id, id, 'message_' || target, json_build_object('provider_status', status, 'code', NULL), $5
    FROM moved ORDER BY n
)
SELECT input.n, found.id, moved.id IS NOT NULL, found.provider_sid IS NULL
FROM input LEFT JOIN found ON found.n = input.n LEFT JOIN moved ON moved.n = input.n
ORDER BY input.n
"""
FORWARD_STATUSES = (S.SENT, S.DELIVERED)  # what apply_statuses may apply; a failure takes `move`


async def apply_statuses(
    connection: AsyncConnection, reports: Sequence[tuple[int | None, str, MessageState, str]], now: datetime,
) -> list[tuple[int | None, bool, bool]]:
    """Provider statuses (sent or delivered; each (our id or None, SID, target, status)) in one
    PostgreSQL statement — one round trip, atomic on its own. Per report: find the message (by
    our id when its SID is ours or still unknown, else by the SID), move it forward if the state
    machine allows it, learn its SID, and append the `message_<target>` event only if it moved.
    No two reports may name the same message (an UPDATE applies one per row). A constant text
    on the driver: nothing built or compiled per callback, the prepared statement reused.

    Returns per report: (the message found, whether it moved, whether its SID was empty before)."""
    if any(target not in FORWARD_STATUSES for _, _, target, _ in reports):
        raise ValueError("apply_statuses applies sent and delivered only")
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    args = ([m for m, _, _, _ in reports], [sid for _, sid, _, _ in reports],
            [target.value for _, _, target, _ in reports], [status for _, _, _, status in reports], now,
            sorted(sources_of(S.SENT)), sorted(sources_of(S.DELIVERED)))
    if connection.in_transaction():  # behind a transaction pooler: preparation and execution in one transaction
        async with driver.transaction():
            rows = await driver.fetch(_STATUSES_SQL, *args)
    else:
        rows = await driver.fetch(_STATUSES_SQL, *args)
    return [(row[1], bool(row[2]), bool(row[3])) for row in rows]


_ARRAY_TYPES = {"body": "TEXT", "recipient": "TEXT", "segments": "INTEGER", "channel": "TEXT", "template": "TEXT",
                "updated_at": "TIMESTAMPTZ"}


async def store_columns(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Store what a batch decided per message (its `id` and the columns to set: the rendered
    text, address and segments, a changed channel): one statement for each set of columns
    (usually one, two when some messages changed channel). On PostgreSQL an `UPDATE … FROM
    unnest(…)` of column arrays: one statement for the server, not one per message."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for names, group in groups.items():
        if connection.dialect.name == "postgresql" and all(name in _ARRAY_TYPES for name in names):
            arrays = ", ".join(f"CAST(:{name} AS {_ARRAY_TYPES[name]}[])" for name in names)
            columns = ", ".join(f"{name} = v.{name}" for name in names)
            await connection.execute(text(
                f"UPDATE messages SET {columns} FROM unnest(CAST(:ids AS BIGINT[]), {arrays})"
                f" AS v(id, {', '.join(names)}) WHERE messages.id = v.id"
            ), {"ids": [row["id"] for row in group], **{name: [row[name] for row in group] for name in names}})
            continue
        statement = update(messages).where(messages.c.id == bindparam("row_id")).values(
            {name: bindparam(f"row_{name}", type_=messages.c[name].type) for name in names})
        await connection.execute(statement, [
            {"row_id": row["id"], **{f"row_{name}": row[name] for name in names}} for row in group])


_SENDS_SQL = text("""
WITH answer AS (
    SELECT * FROM unnest(CAST(:ids AS BIGINT[]), CAST(:tenants AS BIGINT[]), CAST(:sids AS TEXT[]),
                         CAST(:statuses AS TEXT[])) AS a(id, tenant_id, sid, status)
), moved AS (
    UPDATE messages SET state = :sent, provider_sid = answer.sid, provider_status = answer.status,
        error_code = NULL, error_message = NULL, sent_at = :now, updated_at = :now
    FROM answer
    WHERE messages.id = answer.id AND messages.state = ANY(CAST(:sources AS TEXT[])) AND messages.claimed_by = :owner
    RETURNING messages.id
), filled AS (  -- overtaken by a callback (or no longer ours): keep its state, learn the SID
    UPDATE messages SET provider_sid = answer.sid, sent_at = COALESCE(messages.sent_at, :now), updated_at = :now
    FROM answer
    WHERE messages.id = answer.id AND messages.provider_sid IS NULL AND answer.id NOT IN (SELECT id FROM moved)
), logged AS (
    INSERT INTO events (tenant_id, message_id, type, data, occurred_at)
    SELECT tenant_id, id, 'message_sent', json_build_object('sid', sid), :now FROM answer
)
SELECT id FROM moved
""")


async def mark_sent(
    connection: AsyncConnection, owner: str, answers: Sequence[tuple[int, int | None, str, str]], now: datetime,
) -> set[int]:
    """The provider accepted these sends ((id, tenant id, SID, status)): move each from
    `sending` (claimed by `owner`) to `sent`; one overtaken by a callback, or no longer ours,
    keeps its state and learns its SID if it lacks one; a `message_sent` event for each (not an
    event the ERP's change feed carries). On PostgreSQL one statement, atomic by itself: on an
    autocommit connection one round trip. Returns the ids that moved."""
    if not answers:
        return set()
    if connection.dialect.name != "postgresql":
        moved = set()
        for message_id, _, sid, status in answers:
            if await move(connection, message_id, S.SENT, now, owner=owner, provider_sid=sid, provider_status=status,
                          error_code=None, error_message=None):
                moved.add(message_id)
            else:
                await fill_missing(connection, message_id, now, provider_sid=sid, sent_at=now)
        await connection.execute(events.insert(), [
            {"tenant_id": tenant_id, "message_id": message_id, "type": "message_sent", "data": {"sid": sid},
             "occurred_at": now} for message_id, tenant_id, sid, _ in answers])
        return moved
    result = await connection.execute(_SENDS_SQL, {
        "sent": S.SENT.value, "now": now, "owner": owner, "sources": sorted(sources_of(S.SENT)),
        "ids": [a[0] for a in answers], "tenants": [a[1] for a in answers], "sids": [a[2] for a in answers],
        "statuses": [a[3] for a in answers]})
    return {row[0] for row in result}


async def fill_missing(connection: AsyncConnection, message_id: int, now: datetime, **fields: Any) -> None:
    """Set fields that are still empty (a provider SID learnt after a callback overtook us)."""
    for name, value in fields.items():
        column = messages.c[name]
        await connection.execute(
            update(messages).where(messages.c.id == message_id, column.is_(None)).values({name: value, "updated_at": now})
        )


async def update_fields(connection: AsyncConnection, message_id: int, **fields: Any) -> None:
    await connection.execute(update(messages).where(messages.c.id == message_id).values(**fields))


async def expire_overdue(connection: AsyncConnection, now: datetime) -> list[Row[Any]]:
    """Cancel planned messages whose moment has passed (a reminder after the debit is no use)."""
    statement = (
        update(messages)
        .where(messages.c.state == S.PLANNED, messages.c.not_after.is_not(None), messages.c.not_after <= now)
        .values(state=S.CANCELLED, cancelled_at=now, updated_at=now, error_message="expired")
        .returning(messages.c.id, messages.c.tenant_id)
    )
    return list((await connection.execute(statement)).fetchall())


async def get(connection: AsyncConnection, message_id: int) -> Row[Any] | None:
    return (await connection.execute(select(messages).where(messages.c.id == message_id))).first()


async def get_by_sid(connection: AsyncConnection, sid: str) -> Row[Any] | None:
    return (await connection.execute(select(messages).where(messages.c.provider_sid == sid))).first()


async def with_tenants(connection: AsyncConnection, message_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """The tenant of each message, keyed by message id (one query for a claimed batch).
    Messages without a tenant (a reply to an unknown number) are absent."""
    ids = list(message_ids)
    if not ids:
        return {}
    statement = (
        select(messages.c.id.label("message_id"), tenants)
        .join(tenants, tenants.c.id == messages.c.tenant_id)
        .where(messages.c.id.in_(ids))
    )
    return {row.message_id: row for row in (await connection.execute(statement)).fetchall()}


async def counts(connection: AsyncConnection, period: str | None = None) -> list[Row[Any]]:
    """Messages per channel and state: the demo's and the status page's summary."""
    statement = select(messages.c.channel, messages.c.state, func.count().label("n")).group_by(
        messages.c.channel, messages.c.state
    )
    if period:
        statement = statement.where(messages.c.period == period)
    return list((await connection.execute(statement)).fetchall())


async def summary(connection: AsyncConnection) -> list[Row[Any]]:
    """Per channel: accepted by the provider, delivered, failed, cancelled, still planned."""
    def count_state(state: MessageState) -> Any:
        return func.count().filter(messages.c.state == state)

    statement = (
        select(
            messages.c.channel,
            func.count(messages.c.provider_sid).label("accepted"),
            count_state(S.DELIVERED).label("delivered"),
            count_state(S.FAILED).label("failed"),
            count_state(S.CANCELLED).label("cancelled"),
            count_state(S.PLANNED).label("planned"),
        )
        .group_by(messages.c.channel)
        .order_by(messages.c.channel)
    )
    return list((await connection.execute(statement)).fetchall())


async def next_send_at(connection: AsyncConnection) -> datetime | None:
    """The earliest moment a planned message is due (the demo jumps its clock there)."""
    statement = (
        select(messages.c.send_at).where(messages.c.state == S.PLANNED).order_by(messages.c.send_at).limit(1)
    )
    return (await connection.execute(statement)).scalar()


async def recent(connection: AsyncConnection, limit: int, states: Sequence[str] = ()) -> list[Row[Any]]:
    statement = (
        select(messages, tenants.c.external_id, tenants.c.name)
        .outerjoin(tenants, tenants.c.id == messages.c.tenant_id)
        .order_by(messages.c.sent_at.is_(None), messages.c.sent_at, messages.c.id)
        .limit(limit)
    )
    if states:
        statement = statement.where(messages.c.state.in_(states))
    return list((await connection.execute(statement)).fetchall())
