"""SQL for the experiment report: phases, exposures, the payment history of exposed tenants, and
the guardrail counts (opt-outs, replies that needed an officer) per variant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, Subquery, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.experiment_tables import (
    experiment_exposures,
    experiment_payment_changes,
    experiment_phases,
)
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import tasks, tenants


def _exposed(key: str) -> Any:
    return select(experiment_exposures.c.tenant_id).where(experiment_exposures.c.experiment_key == key)


async def phases(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    return list(await connection.execute(
        select(experiment_phases).where(experiment_phases.c.experiment_key == key).order_by(experiment_phases.c.phase)))


async def payment_changes_of_exposed(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    """(tenant_id, period, status, occurred_at) of every payment change of an exposed tenant, in order."""
    return list(await connection.execute(
        select(experiment_payment_changes.c.tenant_id, experiment_payment_changes.c.period,
               experiment_payment_changes.c.status, experiment_payment_changes.c.occurred_at)
        .where(experiment_payment_changes.c.tenant_id.in_(_exposed(key)))
        .order_by(experiment_payment_changes.c.occurred_at, experiment_payment_changes.c.id)))


async def months_of_exposed(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    """(tenant_id, period, status, updated_at, collection_day) of every rent month of an exposed tenant."""
    return list(await connection.execute(
        select(payment_periods.c.tenant_id, payment_periods.c.period, payment_periods.c.status,
               payment_periods.c.updated_at, tenants.c.collection_day)
        .join(tenants, tenants.c.id == payment_periods.c.tenant_id)
        .where(payment_periods.c.tenant_id.in_(_exposed(key)))))


async def exposures(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    """The experiment's exposures in the order they happened."""
    return list((await connection.execute(
        select(experiment_exposures.c.tenant_id, experiment_exposures.c.variant, experiment_exposures.c.period,
               experiment_exposures.c.exposed_at, experiment_exposures.c.deadline, experiment_exposures.c.phase,
               experiment_exposures.c.paid_at_exposure)
        .where(experiment_exposures.c.experiment_key == key)
        .order_by(experiment_exposures.c.exposed_at, experiment_exposures.c.id)
    )).all())


def _first_exposures(key: str) -> Any:
    return (
        select(experiment_exposures.c.tenant_id, experiment_exposures.c.variant,
               func.min(experiment_exposures.c.exposed_at).label("first_at"))
        .where(experiment_exposures.c.experiment_key == key)
        .group_by(experiment_exposures.c.tenant_id, experiment_exposures.c.variant)
        .subquery()
    )


async def opt_outs_per_variant(connection: AsyncConnection, key: str) -> dict[str, tuple[int, int]]:
    """Per variant: (tenants, tenants who opted out after their first message in it)."""
    first = _first_exposures(key)
    hit = and_(tenants.c.opted_out_at.is_not(None), tenants.c.opted_out_at >= first.c.first_at)
    return await _per_variant(connection, first, first.join(tenants, tenants.c.id == first.c.tenant_id), hit)


async def any_tasks(connection: AsyncConnection, kind: str) -> bool:
    return bool((await connection.execute(select(func.count()).select_from(tasks).where(tasks.c.kind == kind))).scalar_one())


async def tasks_per_variant(connection: AsyncConnection, key: str, kind: str) -> dict[str, tuple[int, int]]:
    """Per variant: (tenants, tenants who got a task of this kind after their first message in it)."""
    first = _first_exposures(key)
    replied = (
        select(tasks.c.tenant_id, func.min(tasks.c.created_at).label("at"))
        .where(tasks.c.kind == kind).group_by(tasks.c.tenant_id).subquery()
    )
    hit = and_(replied.c.at.is_not(None), replied.c.at >= first.c.first_at)
    return await _per_variant(connection, first, first.outerjoin(replied, replied.c.tenant_id == first.c.tenant_id),
                              hit)


async def _per_variant(connection: AsyncConnection, first: Subquery, source: FromClause,
                       hit: ColumnElement[bool]) -> dict[str, tuple[int, int]]:
    """Per variant of the first exposures: (tenants, tenants for whom `hit` holds)."""
    statement = (
        select(first.c.variant, func.count().label("tenants"), func.count().filter(hit).label("events"))
        .select_from(source)
        .group_by(first.c.variant)
    )
    return {row.variant: (int(row.tenants), int(row.events)) for row in (await connection.execute(statement))}
