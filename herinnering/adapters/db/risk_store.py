"""SQL for the risk view: the signals that a tenant is sliding (a return last month, months
piling up, a missed instalment, a move to a heavier segment) and the open cases the Wgs gate reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, arrears_cases, instalments
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import events, tenants


async def returned_in(connection: AsyncConnection, period: str) -> list[Row[int, str | None]]:
    """(tenant_id, reason_code) of every debit of this month that came back."""
    return list((await connection.execute(select(payment_periods.c.tenant_id, payment_periods.c.reason_code)
                                          .where(payment_periods.c.period == period,
                                                 payment_periods.c.status == "returned"))).all())


async def open_month_tenants(connection: AsyncConnection) -> list[int]:
    """A tenant id for every month not fully paid (a tenant once per open month)."""
    gap = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
    return [row.tenant_id for row in (await connection.execute(select(payment_periods.c.tenant_id).where(gap > 0))).all()]


async def missed_instalments_since(connection: AsyncConnection, since: date) -> list[Row[int, date]]:
    """(tenant_id, due_on) of every instalment missed that fell due on or after `since`."""
    return list((await connection.execute(
        select(arrangements.c.tenant_id, instalments.c.due_on).join(
            arrangements, arrangements.c.id == instalments.c.arrangement_id)
        .where(instalments.c.state == "missed", instalments.c.due_on >= since))).all())


async def events_since(connection: AsyncConnection, kind: str, since: datetime) -> list[Row[int, dict[str, Any]]]:
    """(tenant_id, data) of every event of this type since that moment."""
    return list((await connection.execute(select(events.c.tenant_id, events.c.data).where(
        events.c.type == kind, events.c.occurred_at >= since))).all())


async def open_cases_with_contact(connection: AsyncConnection) -> list[Row[Any]]:
    """Open cases with the tenant's municipality, contract id, name, phone and channel."""
    return list((await connection.execute(select(arrears_cases, tenants.c.municipality, tenants.c.external_id,
                                                 tenants.c.name, tenants.c.phone, tenants.c.channel)
                                          .join(tenants, tenants.c.id == arrears_cases.c.tenant_id)
                                          .where(arrears_cases.c.state == "open"))).fetchall())
