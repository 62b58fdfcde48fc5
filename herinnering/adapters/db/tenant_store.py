"""Queries on `tenants`: upsert an import batch by external id, read who may be planned."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, case, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import messages, tenants
from herinnering.domain.payments.methods import (
    BEFORE_DUE_KINDS,
    PRE_DEBIT_KIND,
    PRE_DUE_KIND,
    PaymentMethod,
    stale_reminder,
)
from herinnering.domain.reminders.states import MessageState
from herinnering.domain.tenants.fields import street_line
from herinnering.domain.tenants.tenant_csv import COLUMNS as FILE_COLUMNS
from herinnering.domain.tenants.tenant_csv import TenantRecord
from herinnering.logging_setup import remember_names

# Always in an import file (or given their default there), so always written.
IMPORTED_FIELDS = ("name", "phone", "channel", "language", "monthly_rent_cents", "collection_day", "iban")
# The rest of the tenant record: written only when the file has the column, so an older export
# without them never wipes what is stored. Record attribute -> column where the names differ.
RECORD_FIELDS = ("street", "house_number", "house_number_addition", "postal_code", "city", "municipality",
                 "email", "lease_start", "lease_end", "payment_method", "mandate_id", "mandate_date",
                 "pre_notification_days")
_COLUMN_OF = {"lease_end": "contract_ended_on", "mandate_date": "mandate_signed_on"}
_ADDRESS_PARTS = ("street", "house_number", "house_number_addition")
STORED_COLUMNS = (*IMPORTED_FIELDS, *(_COLUMN_OF.get(f, f) for f in RECORD_FIELDS), "address")


def stored_values(record: TenantRecord, present: Iterable[str] = FILE_COLUMNS) -> dict[str, Any]:
    """Column -> value for what the file gave: the always-imported fields, and of the rest of
    the record only the columns `present` in the file (`address` follows its parts)."""
    values: dict[str, Any] = {field: getattr(record, field) for field in IMPORTED_FIELDS}
    given = set(present)
    for field in RECORD_FIELDS:
        if field in given:
            values[_COLUMN_OF.get(field, field)] = getattr(record, field)
    if given & set(_ADDRESS_PARTS):
        values["address"] = street_line(record.street, record.house_number, record.house_number_addition)
    return values


async def upsert(
    connection: AsyncConnection, records: Sequence[TenantRecord], now: datetime,
    present: Iterable[str] = FILE_COLUMNS,
) -> tuple[int, int]:
    """Insert new tenants and update changed ones; returns (inserted, updated).

    `present` are the file's columns: a stored value whose column the file lacks is kept.
    Each change is an event naming the changed fields (not their values: the log holds no
    phone numbers)."""
    present = frozenset(present)
    remember_names(record.name for record in records)  # the log filter masks them from now on
    ids = [record.external_id for record in records]
    existing = {
        row.external_id: row
        for row in (await connection.execute(select(tenants).where(tenants.c.external_id.in_(ids)))).fetchall()
    }
    new = [record for record in records if record.external_id not in existing]
    changed: list[tuple[dict[str, Any], Row[Any], list[str]]] = []
    for record in records:
        row = existing.get(record.external_id)
        if row is not None:
            values = stored_values(record, present)
            fields = [f for f, value in values.items() if getattr(row, f) != value]
            if fields:
                changed.append((values, row, fields))

    log: list[dict[str, Any]] = []
    if new:
        statement = (
            dialect_insert(connection, tenants)
            .on_conflict_do_nothing(index_elements=["external_id"])
            .returning(tenants.c.id, tenants.c.external_id)
        )
        rows = [
            {"external_id": record.external_id, **stored_values(record),
             "active": True, "opted_out": False, "created_at": now, "updated_at": now}
            for record in new
        ]
        for row in (await connection.execute(statement, rows)).fetchall():
            log.append(event_log.event(row.id, "tenant_imported", now, external_id=row.external_id))
    if changed:
        written = list(changed[0][0])  # the same columns for every row of one file
        statement = (
            update(tenants)
            .where(tenants.c.id == bindparam("tenant_id"))
            .values({f: bindparam(f) for f in (*written, "updated_at")})
        )
        await connection.execute(
            statement, [{**values, "tenant_id": row.id, "updated_at": now} for values, row, _ in changed],
        )
        log.extend(event_log.event(row.id, "tenant_updated", now, fields=fields) for _, row, fields in changed)
    await event_log.append(connection, log)
    return len(new), len(changed)


async def plannable(connection: AsyncConnection) -> list[Row[Any]]:
    """Active tenants who did not opt out: the ones a reminder may be planned for."""
    statement = (
        select(tenants.c.id, tenants.c.external_id, tenants.c.name, tenants.c.channel, tenants.c.language,
               tenants.c.collection_day)
        .where(tenants.c.active.is_(True), tenants.c.opted_out.is_(False))
        .order_by(tenants.c.collection_day, tenants.c.id)
    )
    return list((await connection.execute(statement)).fetchall())


async def set_opted_out(connection: AsyncConnection, tenant_id: int, now: datetime) -> bool:
    result = await connection.execute(
        update(tenants)
        .where(tenants.c.id == tenant_id, tenants.c.opted_out.is_(False))
        .values(opted_out=True, opted_out_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def set_inactive(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    """The dispatcher and planner skip an inactive tenant (MD07: the debtor died)."""
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(active=False, updated_at=now))


async def set_pause(connection: AsyncConnection, tenant_id: int, until: Any, now: datetime) -> None:
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(paused_until=until, updated_at=now))


async def contract_ids(connection: AsyncConnection, tenant_ids: Iterable[int]) -> dict[int, str]:
    """Database id → contract id, for output that names tenants as people do."""
    wanted = sorted(set(tenant_ids))
    if not wanted:
        return {}
    rows = await connection.execute(select(tenants.c.id, tenants.c.external_id).where(tenants.c.id.in_(wanted)))
    return {int(row.id): str(row.external_id) for row in rows}


async def by_id(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """The tenant row as stored now (the one place that reads a tenant by id)."""
    return (await connection.execute(select(tenants).where(tenants.c.id == tenant_id))).first()


async def by_external_id(connection: AsyncConnection, external_id: str) -> Row[Any] | None:
    return (await connection.execute(select(tenants).where(tenants.c.external_id == external_id))).first()


def reminder_kind_sql(debit: str = PRE_DEBIT_KIND, due: str = PRE_DUE_KIND) -> ColumnElement[str]:
    """`domain.payment_methods.reminder_kind` as SQL, for set-based planning: `debit` for a
    tenant who pays by direct debit, `due` for anyone else."""
    return case((tenants.c.payment_method == PaymentMethod.INCASSO.value, literal(debit)), else_=literal(due))


def lease_covers_sql(debit_date: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """`domain.payment_methods.lease_covers` as SQL: no lease end, or not before `debit_date`
    (a date, or a column of the planner's table of days)."""
    return or_(tenants.c.contract_ended_on.is_(None), tenants.c.contract_ended_on >= debit_date)


async def cancel_stale_reminders(connection: AsyncConnection, tenant_ids: Iterable[int], now: datetime) -> int:
    """Cancel the planned reminders before the due day that no longer fit their tenant (the
    payment method changed, or the lease now ends before the date); returns how many. The
    planner then plans the right kind, if any."""

    ids = list(tenant_ids)
    if not ids:
        return 0
    rows = (await connection.execute(
        select(messages.c.id, messages.c.tenant_id, messages.c.kind, messages.c.debit_date,
               tenants.c.payment_method, tenants.c.contract_ended_on)
        .join(tenants, tenants.c.id == messages.c.tenant_id)
        .where(messages.c.tenant_id.in_(ids), messages.c.state == MessageState.PLANNED.value,
               messages.c.kind.in_(sorted(BEFORE_DUE_KINDS)))
    )).fetchall()
    log = []
    for row in rows:
        reason = stale_reminder(row.kind, row.debit_date, row.payment_method, row.contract_ended_on)
        if reason and await outbox.move(connection, row.id, MessageState.CANCELLED, now, error_message=reason):
            log.append(event_log.event(row.tenant_id, "message_cancelled", now, row.id, reason=reason))
    await event_log.append(connection, log)
    return len(log)
