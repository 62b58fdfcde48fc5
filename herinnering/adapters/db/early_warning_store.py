"""SQL for early warning (vroegsignalering, Wgs): the cases a signal may go out for, what was
signalled, and the municipality's answers (each stored once by its `source_key`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrears_cases
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.legal_tables import letters, municipal_feedback
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.ladder import CaseState


async def answers_for_tenant(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    """The municipality's answers (case_id, status) on any of the tenant's cases."""
    return list((await connection.execute(
        select(municipal_feedback.c.case_id, municipal_feedback.c.status)
        .join(arrears_cases, arrears_cases.c.id == municipal_feedback.c.case_id)
        .where(arrears_cases.c.tenant_id == tenant_id)
    )).fetchall())


async def posted_letters(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    """The case's posted letters: (posted_on, post_method)."""
    return list((await connection.execute(select(letters.c.posted_on, letters.c.post_method).where(
        letters.c.case_id == case_id, letters.c.state == "posted"))).fetchall())


async def unclosed_case_ids(connection: AsyncConnection, tenant_id: int) -> list[int]:
    return list((await connection.execute(select(arrears_cases.c.id).where(
        arrears_cases.c.tenant_id == tenant_id, arrears_cases.c.state != CaseState.CLOSED.value,
    ))).scalars().all())


async def signalled_cases_since(connection: AsyncConnection, arrears_since: date) -> list[Row[Any]]:
    """Signalled cases whose arrears began that day, with the tenant's contract id and address."""
    return list((await connection.execute(
        select(arrears_cases.c.id, arrears_cases.c.tenant_id, tenants.c.external_id, tenants.c.address,
               tenants.c.postal_code, tenants.c.city)
        .join(tenants, tenants.c.id == arrears_cases.c.tenant_id)
        .where(arrears_cases.c.arrears_since == arrears_since, arrears_cases.c.signalled_at.is_not(None))
    )).fetchall())


async def add_answer(connection: AsyncConnection, **values: Any) -> bool:
    """Store one answer; False when the same answer (its `source_key`) was stored before."""
    new = (await connection.execute(dialect_insert(connection, municipal_feedback).values(**values)
                                    .on_conflict_do_nothing(index_elements=["source_key"])
                                    .returning(municipal_feedback.c.id))).scalar()
    return new is not None


async def signal_candidates(connection: AsyncConnection, since: date) -> list[Row[Any]]:
    """Cases not closed whose arrears began on or after `since` and that were not signalled for
    the amount open now, with the tenant's contact fields, oldest arrears first."""
    return list((await connection.execute(
        select(arrears_cases, tenants.c.external_id, tenants.c.name, tenants.c.phone, tenants.c.email,
               tenants.c.address, tenants.c.postal_code, tenants.c.city, tenants.c.municipality)
        .join(tenants, tenants.c.id == arrears_cases.c.tenant_id)
        .where(arrears_cases.c.state != CaseState.CLOSED.value, arrears_cases.c.arrears_since >= since,
               or_(arrears_cases.c.signalled_at.is_(None),
                   arrears_cases.c.signalled_cents < arrears_cases.c.amount_due_cents - arrears_cases.c.amount_paid_cents))
        .order_by(arrears_cases.c.arrears_since, arrears_cases.c.id)
    )).fetchall())


async def mark_signalled(connection: AsyncConnection, case_id: int, amount_cents: int, now: datetime) -> int | None:
    """Remember the signal on the case; returns the case's tenant id."""
    return (await connection.execute(update(arrears_cases).where(arrears_cases.c.id == case_id).values(
        signalled_at=now, signalled_cents=amount_cents, updated_at=now).returning(arrears_cases.c.tenant_id))).scalar()
