"""SQL for the privacy terms (AVG) beside `tenant_data`'s exports and deletions: finding a tenant
by id or contract id, ending a contract, the counts kept when rows go (`retention_aggregates`),
and clearing payment data of tenants kept for proof."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.security_tables import retention_aggregates
from herinnering.adapters.db.tables import messages, tenants


async def tenant_by_key(connection: AsyncConnection, key: str) -> Row[Any] | None:
    """The tenant with this contract id, or (for digits) this database id."""
    condition = tenants.c.external_id == key
    if key.isdigit():
        condition = condition | (tenants.c.id == int(key))
    return (await connection.execute(select(tenants).where(condition))).first()


async def set_contract_end(connection: AsyncConnection, tenant_id: int, on: date | None, active: bool,
                           now: datetime) -> None:
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(
        contract_ended_on=on, active=active, updated_at=now))


async def messages_to_count(connection: AsyncConnection, tenant_ids: Sequence[int]) -> list[Row[Any]]:
    """(send_at, kind, channel, state) of these tenants' messages."""
    return list(await connection.execute(
        select(messages.c.send_at, messages.c.kind, messages.c.channel, messages.c.state)
        .where(messages.c.tenant_id.in_(list(tenant_ids)))))


async def periods_to_count(connection: AsyncConnection, tenant_ids: Sequence[int]) -> list[Row[Any]]:
    """(period, status) of these tenants' rent months."""
    return list(await connection.execute(select(payment_periods.c.period, payment_periods.c.status)
                                         .where(payment_periods.c.tenant_id.in_(list(tenant_ids)))))


async def tenants_to_count(connection: AsyncConnection, tenant_ids: Sequence[int]) -> list[Row[Any]]:
    """(contract_ended_on, channel, language) of these tenants."""
    return list(await connection.execute(select(tenants.c.contract_ended_on, tenants.c.channel, tenants.c.language)
                                         .where(tenants.c.id.in_(list(tenant_ids)))))


async def add_counts(connection: AsyncConnection, counts: Mapping[tuple[str, str, str, str, str], int]) -> None:
    """Add each (month, source, kind, channel, state) count to its aggregate row (made when new)."""
    table = retention_aggregates
    for (month, source, kind, channel, state), n in sorted(counts.items()):
        key = (table.c.month == month, table.c.source == source, table.c.kind == kind,
               table.c.channel == channel, table.c.state == state)
        existing = (await connection.execute(select(table.c.id, table.c.count).where(*key))).first()
        if existing is None:
            await connection.execute(table.insert().values(month=month, source=source, kind=kind, channel=channel,
                                                           state=state, count=n))
        else:
            await connection.execute(update(table).where(table.c.id == existing.id).values(count=existing.count + n))


async def ended_before(connection: AsyncConnection, day: date) -> list[int]:
    """Ids of tenants whose contract ended before `day`, in order."""
    return [int(row.id) for row in await connection.execute(
        select(tenants.c.id).where(tenants.c.contract_ended_on.is_not(None),
                                   tenants.c.contract_ended_on < day).order_by(tenants.c.id))]


async def clear_payment_data(connection: AsyncConnection, tenant_ids: Sequence[int], now: datetime) -> None:
    """Forget IBAN and SEPA mandate of these tenants (those that still have either)."""
    if tenant_ids:
        await connection.execute(update(tenants).where(tenants.c.id.in_(list(tenant_ids)), tenants.c.iban.is_not(None)
                                                       | tenants.c.mandate_id.is_not(None)).values(
            iban=None, mandate_id=None, mandate_signed_on=None, pre_notification_days=None, updated_at=now))


async def aggregates(connection: AsyncConnection) -> list[Row[Any]]:
    table = retention_aggregates
    return list((await connection.execute(select(table).order_by(
        table.c.month, table.c.source, table.c.kind, table.c.channel, table.c.state))).fetchall())
