"""SQL for experiments as stored: the definitions made on screen, and the exposures with their
outcomes as the per-segment table and the simulation read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.experiment_tables import (
    experiment_exposures,
    experiment_outcomes,
    experiments,
)
from herinnering.adapters.db.tenant_tables import tenant_segments


async def definitions(connection: AsyncConnection) -> list[Row[Any]]:
    """Every stored experiment's (key, definition), in the order they were made."""
    return list((await connection.execute(
        select(experiments.c.key, experiments.c.definition).order_by(experiments.c.id))).fetchall())


async def exists(connection: AsyncConnection, key: str) -> bool:
    return (await connection.execute(select(experiments.c.id).where(experiments.c.key == key))).first() is not None


async def insert(connection: AsyncConnection, key: str, kind: str, definition: dict[str, Any], now: datetime) -> None:
    await connection.execute(experiments.insert().values(key=key, kind=kind, created_at=now, definition=definition))


async def lock(connection: AsyncConnection, key: str) -> Row[Any] | None:
    """The experiment's row, locked until commit (PostgreSQL) so two status changes do not cross."""
    return (await connection.execute(select(experiments).where(experiments.c.key == key).with_for_update())).first()


async def set_definition(connection: AsyncConnection, experiment_id: int, definition: dict[str, Any]) -> None:
    await connection.execute(update(experiments).where(experiments.c.id == experiment_id).values(definition=definition))


async def exposures_converted(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    """Each exposure's (tenant_id, variant, exposed_at, converted)."""
    return list((await connection.execute(
        select(experiment_exposures.c.tenant_id, experiment_exposures.c.variant, experiment_exposures.c.exposed_at,
               experiment_outcomes.c.id.is_not(None).label("converted"))
        .outerjoin(experiment_outcomes, experiment_outcomes.c.exposure_id == experiment_exposures.c.id)
        .where(experiment_exposures.c.experiment_key == key))).all())


async def segment_days_of_exposed(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    """(tenant_id, day, segment) of every tenant exposed in the experiment, by tenant and day."""
    exposed = select(experiment_exposures.c.tenant_id).where(experiment_exposures.c.experiment_key == key)
    return list((await connection.execute(
        select(tenant_segments.c.tenant_id, tenant_segments.c.day, tenant_segments.c.segment)
        .where(tenant_segments.c.tenant_id.in_(exposed))
        .order_by(tenant_segments.c.tenant_id, tenant_segments.c.day))).all())


async def exposures_of(connection: AsyncConnection, key: str) -> list[Row[Any]]:
    return list((await connection.execute(
        select(experiment_exposures).where(experiment_exposures.c.experiment_key == key)
        .order_by(experiment_exposures.c.id))).all())
