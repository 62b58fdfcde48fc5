"""SQL for our own payment links: at most one open link per tenant, month and amount (the
unique `open_key`, cleared when a link stops being open), found by id, public id or provider ref."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.link_tables import payment_links


def _same_month(tenant_id: int, period: str) -> tuple[Any, ...]:
    return (payment_links.c.tenant_id == tenant_id, payment_links.c.period == period, payment_links.c.state == "open")


async def expire_overdue(connection: AsyncConnection, tenant_id: int, period: str, now: datetime) -> None:
    """The month's open links whose time is up become expired."""
    await connection.execute(update(payment_links).where(*_same_month(tenant_id, period),
                                                         payment_links.c.expires_at <= now)
                             .values(state="expired", open_key=None, updated_at=now))


async def cancel_open(connection: AsyncConnection, tenant_id: int, period: str, now: datetime) -> list[int]:
    """Cancel the month's open links (a new amount replaces them); their ids."""
    replaced = await connection.execute(update(payment_links).where(*_same_month(tenant_id, period)).values(
        state="cancelled", open_key=None, updated_at=now).returning(payment_links.c.id))
    return [row.id for row in replaced]


async def insert_open(connection: AsyncConnection, values: dict[str, Any]) -> int | None:
    """A new open link; None when another open link took the same `open_key` a moment ago."""
    inserted = (await connection.execute(
        dialect_insert(connection, payment_links).on_conflict_do_nothing(index_elements=["open_key"])
        .returning(payment_links.c.id), [values])).first()
    return None if inserted is None else int(inserted.id)


async def _one(connection: AsyncConnection, *condition: Any) -> Row[Any] | None:
    return (await connection.execute(select(payment_links).where(*condition))).first()


async def by_id(connection: AsyncConnection, link_id: int) -> Row[Any] | None:
    return await _one(connection, payment_links.c.id == link_id)


async def by_open_key(connection: AsyncConnection, open_key: str) -> Row[Any] | None:
    return await _one(connection, payment_links.c.open_key == open_key)


async def by_public_id(connection: AsyncConnection, public_id: str, provider: str | None = None) -> Row[Any] | None:
    condition = [payment_links.c.public_id == public_id]
    if provider is not None:
        condition.append(payment_links.c.provider == provider)
    return await _one(connection, *condition)


async def by_provider_ref(connection: AsyncConnection, ref: str, provider: str) -> Row[Any] | None:
    return await _one(connection, payment_links.c.provider_ref == ref, payment_links.c.provider == provider)


async def provider_ref(connection: AsyncConnection, link_id: int) -> str | None:
    return (await connection.execute(select(payment_links.c.provider_ref).where(payment_links.c.id == link_id))).scalar()


async def of_tenant(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return list(await connection.execute(
        select(payment_links).where(payment_links.c.tenant_id == tenant_id).order_by(payment_links.c.id)))


async def set_paid(connection: AsyncConnection, link_id: int, paid_at: datetime, now: datetime) -> bool:
    """Mark the link paid; False when it was paid before (a repeated webhook or a second click)."""
    moved = await connection.execute(
        update(payment_links).where(payment_links.c.id == link_id, payment_links.c.state != "paid")
        .values(state="paid", paid_at=paid_at, open_key=None, updated_at=now))
    return moved.rowcount == 1
