from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.db.schema import metadata


def _described(name: str | None, kind: str, parent: object) -> bool:
    """Whether the metadata describes it: not the full-text search's own objects (migration 0023),
    which SQLAlchemy cannot: SQLite's FTS5 tables and PostgreSQL's expression indexes."""
    return not (name or "").endswith(("_fts", "_fts_data", "_fts_idx", "_fts_content", "_fts_docsize",
                                      "_fts_config"))


async def test_the_migrations_create_exactly_the_schema_the_code_uses(database: Database) -> None:
    def differences(connection):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection, opts={"include_name": _described}), metadata)

    async with database.begin() as connection:
        assert await connection.run_sync(differences) == []


async def test_upgrading_twice_is_harmless(database: Database) -> None:
    await upgrade(database)
    await upgrade(database)
