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

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
_LOCK_ID = 0x6865_7269  # "heri"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    async with database.begin() as connection:
        if database.dialect == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
