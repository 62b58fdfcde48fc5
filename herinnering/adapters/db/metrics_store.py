"""Prometheus gauges read from the database when /metrics is scraped: ladder steps taken and
experiment exposures. Like the outbox depth, they count rows, so every process (and a
restarted one) reports the same truth; both tables only grow, so the gauges only rise and
`increase()` works on them as on a counter."""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import ladder_steps
from herinnering.adapters.db.experiment_tables import experiment_exposures
from herinnering.metrics import REGISTRY

LADDER_STEPS = Gauge("herinnering_ladder_steps", "Follow-up ladder steps taken, by step", ["step"],
                     registry=REGISTRY)
EXPOSURES = Gauge("herinnering_experiment_exposures", "Tenants exposed to an experiment's variant (message sent)",
                  ["experiment", "variant"], registry=REGISTRY)


async def refresh(connection: AsyncConnection) -> None:
    steps = await connection.execute(select(ladder_steps.c.step, func.count()).group_by(ladder_steps.c.step))
    LADDER_STEPS.clear()
    for step, n in steps:
        LADDER_STEPS.labels(step=step).set(n)
    table = experiment_exposures
    exposures = await connection.execute(select(table.c.experiment_key, table.c.variant, func.count())
                                         .group_by(table.c.experiment_key, table.c.variant))
    EXPOSURES.clear()
    for key, variant, n in exposures:
        EXPOSURES.labels(experiment=key, variant=variant).set(n)
