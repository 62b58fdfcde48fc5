"""Opening the database: one async engine per process, SQLite tuned for a shared file.

SQLite is the zero-set-up default: WAL mode and a busy timeout let the web server and the
dispatcher write to the same file. PostgreSQL is the production store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


class Database:
    """The engine and the one way to open a transaction."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url, **engine_options)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def try_lock(self, name: str) -> AsyncIterator[bool]:
        """A PostgreSQL advisory lock for once-only work across processes (planning). Yields
        whether we hold it. SQLite has one process by design: always yields True."""
        if self.dialect != "postgresql":
            yield True
            return
        async with self.engine.connect() as connection:
            key = {"name": f"herinnering:{name}"}
            held = (await connection.execute(text("SELECT pg_try_advisory_lock(hashtext(:name))"), key)).scalar()
            await connection.commit()
            try:
                yield bool(held)
            finally:
                if held:
                    await connection.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), key)
                    await connection.commit()

    async def close(self) -> None:
        await self.engine.dispose()


def dialect_insert(connection: AsyncConnection, table: Table) -> Any:
    """An INSERT with `on_conflict_do_nothing`/`_do_update`: PostgreSQL's or SQLite's, as connected."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def create_engine(url: str, **options: Any) -> AsyncEngine:
    # A failed statement's error never carries its parameters (names, phone numbers, amounts):
    # tracebacks and logs show the SQL only.
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
