"""SQLite shared by the web process and a worker: WAL mode and a busy timeout, and no request
fails with "database is locked" while the other side is writing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from herinnering.adapters.db.engine import Database
from tests.conftest import fresh_sqlite
from tests.integration.helpers import all_messages
from tests.integration.test_webhooks import post_status, sent_message


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only (the module's own override of the two-backend fixture)."""
    return fresh_sqlite(sqlite_template, tmp_path / "herinnering.db")


async def test_every_connection_uses_wal_and_waits_when_busy(db_url: str) -> None:
    db = Database(db_url)
    try:
        async with db.begin() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 30_000
    finally:
        await db.close()


async def test_a_webhook_writes_while_a_worker_holds_a_write_transaction(runtime: Any, make_tenant: Any) -> None:
    message = await sent_message(runtime, make_tenant)
    worker = Database(runtime.db.url)  # a second engine: the worker's own connections
    try:
        async with worker.begin() as connection:
            await connection.execute(text("UPDATE tenants SET name = name"))  # the worker holds the write lock
            callback = asyncio.create_task(post_status(runtime, message.id, "delivered"))
            await asyncio.sleep(0.3)  # the web request has read and now waits for the lock
            assert not callback.done()
        assert await callback == 204  # it waited and then wrote; no "database is locked"
        [row] = await all_messages(runtime.db)
        assert row.state == "delivered"
    finally:
        await worker.close()
