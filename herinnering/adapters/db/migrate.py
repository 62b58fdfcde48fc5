"""Running the Alembic migrations from inside the program.

Every command that touches the database upgrades it first, so a fresh machine needs no set-up
step. On PostgreSQL an advisory lock keeps two starting workers from migrating at once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from herinnering.adapters.db.engine import Database
from herinnering.errors import MigrationError

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
_LOCK_ID = 0x6865_7269  # "heri"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    if database.dialect == "sqlite":
        await _upgrade_sqlite(database, revision)
        return
    async with database.begin() as connection:
        if database.dialect == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def _upgrade_sqlite(database: Database, revision: str) -> None:
    """SQLite changes a table's constraints by rebuilding it (Alembic's batch mode), which a
    foreign key pointing at that table refuses while checks are on. So the migration's own
    connection runs with them off, and checks every foreign key as a whole afterwards."""
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or it is a no-op
        await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(_upgrade, revision)
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
            await connection.commit()
        finally:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()
    if broken:
        table, row, parent, _ = broken[0]
        raise MigrationError(f"after migrating, {len(broken)} row(s) point nowhere, e.g. {table} row {row} → {parent}")
