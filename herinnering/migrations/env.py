"""Alembic environment: uses the connection handed over by herinnering.adapters.db.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from herinnering.adapters.db.schema import metadata


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    from herinnering.adapters.db.engine import create_engine
    from herinnering.config import load_settings

    engine = create_engine(load_settings().database.url)
    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the plain `alembic` command line
    asyncio.run(run_from_settings())
