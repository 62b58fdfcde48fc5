"""SQL for experiments as stored: the definitions (made on screen, or stored with a first
exposure) and their phases, the exposures the dispatcher records, the outcomes a payment
change brings, and the exposures with their outcomes as the per-segment table and the
simulation read them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.experiment_tables import (
    experiment_assignments,
    experiment_exposures,
    experiment_outcomes,
    experiment_payment_changes,
    experiment_phases,
    experiments,
)
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tenant_tables import tenant_segments
from herinnering.domain.payments.payments import PaymentStatus


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


# --- phases, exposures and outcomes ---------------------------------------------------------


async def last_phase(connection: AsyncConnection, key: str) -> Row[Any] | None:
    """The experiment's latest stored (phase, definition); None before its first exposure."""
    return (await connection.execute(
        select(experiment_phases.c.phase, experiment_phases.c.definition)
        .where(experiment_phases.c.experiment_key == key)
        .order_by(experiment_phases.c.phase.desc()).limit(1)
    )).first()


async def add_phase(connection: AsyncConnection, key: str, phase: int, definition: dict[str, Any],
                    now: datetime) -> None:
    await connection.execute(
        dialect_insert(connection, experiment_phases)
        .values(experiment_key=key, phase=phase, definition=definition, started_at=now)
        .on_conflict_do_nothing(index_elements=["experiment_key", "phase"])
    )


async def keep(connection: AsyncConnection, key: str, kind: str, definition: dict[str, Any], now: datetime) -> None:
    """Store the experiment's definition unless one is stored under its key already."""
    await connection.execute(
        dialect_insert(connection, experiments)
        .values(key=key, kind=kind, definition=definition, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def exposed_messages(connection: AsyncConnection, message_ids: Iterable[int]) -> set[int]:
    """Those of `message_ids` that have an exposure."""
    return {
        row.message_id for row in await connection.execute(
            select(experiment_exposures.c.message_id).where(experiment_exposures.c.message_id.in_(list(message_ids)))
        )
    }


async def paid_months(connection: AsyncConnection, tenant_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(tenant_id, period) of every paid month of these tenants."""
    return {
        (row.tenant_id, row.period) for row in await connection.execute(
            select(payment_periods.c.tenant_id, payment_periods.c.period)
            .where(payment_periods.c.tenant_id.in_(set(tenant_ids)), payment_periods.c.status == PaymentStatus.PAID)
        )
    }


async def add_assignments(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of experiment_key, tenant_id, variant, assigned_at; a tenant's first assignment stays."""
    await connection.execute(
        dialect_insert(connection, experiment_assignments).on_conflict_do_nothing(
            index_elements=["experiment_key", "tenant_id"]),
        rows,
    )


async def add_exposures(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """One exposure per message (a second for the same message is ignored)."""
    await connection.execute(
        dialect_insert(connection, experiment_exposures).on_conflict_do_nothing(index_elements=["message_id"]),
        rows,
    )


async def month_exposed(connection: AsyncConnection, tenant_id: int, period: str) -> bool:
    return (await connection.execute(
        select(experiment_exposures.c.id).where(
            experiment_exposures.c.tenant_id == tenant_id,
            experiment_exposures.c.period == period).limit(1)
    )).first() is not None


async def add_payment_change(connection: AsyncConnection, tenant_id: int, period: str, status: str,
                             occurred_at: datetime, source: str) -> None:
    """One status change of an exposed month (the report's timeline)."""
    await connection.execute(experiment_payment_changes.insert().values(
        tenant_id=tenant_id, period=period, status=status, occurred_at=occurred_at, source=source))


async def open_exposures(connection: AsyncConnection, tenant_id: int, period: str, at: datetime) -> list[Row[Any]]:
    """The month's exposures without an outcome that a payment at `at` answers: made before it,
    with a deadline not yet passed."""
    return list((await connection.execute(
        select(experiment_exposures)
        .outerjoin(experiment_outcomes, experiment_outcomes.c.exposure_id == experiment_exposures.c.id)
        .where(
            experiment_exposures.c.tenant_id == tenant_id,
            experiment_exposures.c.period == period,
            experiment_exposures.c.deadline >= at,
            experiment_exposures.c.exposed_at < at,
            experiment_outcomes.c.id.is_(None),
        )
    )).fetchall())


async def add_outcome(connection: AsyncConnection, exposure: Row[Any], converted_at: datetime, source: str) -> None:
    """The exposure's conversion; once (a second is ignored)."""
    await connection.execute(
        dialect_insert(connection, experiment_outcomes)
        .values(
            exposure_id=exposure.id, experiment_key=exposure.experiment_key, variant=exposure.variant,
            tenant_id=exposure.tenant_id, metric=exposure.metric, converted_at=converted_at, source=source,
        )
        .on_conflict_do_nothing(index_elements=["exposure_id"])
    )


async def exposure_counts(connection: AsyncConnection) -> dict[str, int]:
    """Exposures per experiment key."""
    statement = select(experiment_exposures.c.experiment_key, func.count().label("n")).group_by(
        experiment_exposures.c.experiment_key
    )
    return {row.experiment_key: int(row.n) for row in (await connection.execute(statement))}
