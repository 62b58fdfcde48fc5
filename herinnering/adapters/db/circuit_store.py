"""The provider circuit as the fleet sees it: one row per provider in `provider_circuits`.

Each worker keeps its own breaker (`services.provider_circuit`) and writes here whenever its
state changes; every worker reads the row before a batch (one worker that found the provider
down pauses the others), and `/healthz` on the web process reads it, so the web process tells
the truth about sending it does not do itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Row, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import UtcDateTime, metadata

provider_circuits = Table(
    "provider_circuits",
    metadata,
    Column("provider", String(32), primary_key=True),  # "twilio"
    Column("state", String(16), nullable=False),  # closed | open | half_open
    Column("opened_at", UtcDateTime),  # when it last opened: the cool-down counts from here
    Column("changed_by", String(64), nullable=False),  # the worker whose breaker changed it
    Column("changed_at", UtcDateTime, nullable=False),
)


async def publish(connection: AsyncConnection, provider: str, state: str, opened_at: datetime | None,
                  worker: str, now: datetime) -> None:
    values = {"state": state, "opened_at": opened_at, "changed_by": worker, "changed_at": now}
    statement = dialect_insert(connection, provider_circuits).values(provider=provider, **values)
    await connection.execute(statement.on_conflict_do_update(index_elements=["provider"], set_=values))


async def read(connection: AsyncConnection, provider: str) -> Row[Any] | None:
    return (await connection.execute(
        select(provider_circuits).where(provider_circuits.c.provider == provider))).first()
