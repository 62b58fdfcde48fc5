"""Opening the database: one async engine per process, SQLite tuned for a shared file.

SQLite is the zero-set-up default: WAL mode and a busy timeout let the web server and the
dispatcher write to the same file. PostgreSQL is the production store: a pool as large as the
work a process has in flight (`pool_size`), no pre-ping round trip on every checkout (a
connection found dead is thrown away and the work retried once: `Database.run`), and, behind
PgBouncer in transaction pooling mode (`transaction_pooler`), no server-side prepared
statement kept beyond its transaction and no session-level lock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Table, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from herinnering.domain.experiments.assignment import fnv1a32

log = logging.getLogger(__name__)
T = TypeVar("T")


class Database:
    """The engine and the one way to open a transaction."""

    def __init__(self, url: str, *, pool_size: int = 10, transaction_pooler: bool = False,
                 **engine_options: Any) -> None:
        self.url = url
        engine_url, pooler_in_url = without_pooler(url)
        self.transaction_pooler = transaction_pooler or pooler_in_url
        self.engine: AsyncEngine = create_engine(engine_url, pool_size=pool_size,
                                                 transaction_pooler=self.transaction_pooler, **engine_options)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as connection:
            yield connection

    async def run(self, work: Callable[[AsyncConnection], Awaitable[T]], *, single_statement: bool = False,
                  retry: bool = True) -> T:
        """`work` in one transaction, tried a second time when the connection turned out dead
        (a restarted server, a dropped socket): the pool does not ping before every checkout.
        `work` must be safe to repeat (a forward-only move is). With `single_statement` the
        work is one statement, atomic by itself: sent without BEGIN/COMMIT (one round trip),
        except behind a transaction pooler, where a statement and its preparation must share
        a transaction. `retry=False` for work that is not safe to repeat: the caller decides."""
        for attempt in (1, 2) if retry else (2,):
            try:
                if single_statement and self.dialect == "postgresql" and not self.transaction_pooler:
                    async with self.engine.connect() as connection:
                        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                        return await work(autocommit)
                async with self.engine.begin() as connection:
                    return await work(connection)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
                log.warning("database connection lost (%s): trying once more", type(exc.orig).__name__)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def try_lock(self, name: str) -> AsyncIterator[bool]:
        """A PostgreSQL advisory lock for once-only work across processes (planning). Yields
        whether we hold it. SQLite has one process by design: always yields True.

        The lock is transaction-level (`pg_try_advisory_xact_lock`) on a connection whose
        transaction stays open while the work runs on others: it ends with that transaction,
        even if we die, and a transaction pooler keeps the transaction on one server
        connection, so the lock works behind PgBouncer too."""
        if self.dialect != "postgresql":
            yield True
            return
        async with self.engine.begin() as connection:
            key = {"name": f"herinnering:{name}"}
            held = (await connection.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), key)).scalar()
            yield bool(held)

    async def close(self) -> None:
        await self.engine.dispose()


def without_pooler(url: str) -> tuple[str, bool]:
    """`?pooler=transaction` on a PostgreSQL URL says "behind PgBouncer in transaction mode"
    (the same as `[database] transaction_pooler = true`); the driver never sees it."""
    if "pooler=" not in url:
        return url, False
    parsed = make_url(url)
    query = dict(parsed.query)
    mode = query.pop("pooler", None)
    if mode not in ("transaction", "session"):
        raise ValueError(f"database URL: pooler must be 'transaction' or 'session', not {mode!r}")
    return parsed.set(query=query).render_as_string(hide_password=False), mode == "transaction"


def dialect_insert(connection: AsyncConnection, table: Table) -> Any:
    """An INSERT with `on_conflict_do_nothing`/`_do_update`: PostgreSQL's or SQLite's, as connected."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def create_engine(url: str, *, pool_size: int = 10, transaction_pooler: bool = False, **options: Any) -> AsyncEngine:
    # A failed statement's error never carries its parameters (names, phone numbers, amounts):
    # tracebacks and logs show the SQL only.
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = dict(options.pop("connect_args", {}))
    if transaction_pooler:  # PgBouncer (transaction mode): no prepared statement outlives its transaction
        connect_args.update(statement_cache_size=0, prepared_statement_cache_size=0,
                            prepared_statement_name_func=lambda: f"__asyncpg_{uuid.uuid4().hex}__")
    # No pre-ping: a dead connection raises once, is discarded with every older one, and
    # `Database.run` tries again. The pool holds what the process has in flight, plus room.
    return create_async_engine(url, pool_size=pool_size, max_overflow=max(2, pool_size // 4),
                               connect_args=connect_args, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The experiments' hash, as PostgreSQL has it from migration 0027: the planner assigns in SQL.
    dbapi_connection.create_function("herinnering_fnv1a32", 1, fnv1a32, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
