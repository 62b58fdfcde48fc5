"""PostgreSQL connections killed under a worker (`pg_terminate_backend` from another
connection, as a failover or an administrator would): the worker reconnects and finishes,
and the fake provider's log shows every message exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from herinnering.adapters.db.engine import Database
from herinnering.runtime import Runtime
from herinnering.scheduler import database_gone, dispatch_job
from herinnering.services.reminders.dispatch import Dispatcher
from tests.conftest import fresh_postgres
from tests.integration.helpers import all_messages, wait_for_states
from tests.integration.test_dispatch import SEND_MOMENT, plan

WORKER = "herinnering-worker-under-test"


@pytest.fixture
async def db_url(postgres_url: str) -> str:
    """PostgreSQL only (the module's own override of the two-backend fixture)."""
    await fresh_postgres(postgres_url)
    return postgres_url


def worker_database(url: str) -> Database:
    """A worker's own engine, named so that the killer finds its connections."""
    return Database(url, connect_args={"server_settings": {"application_name": WORKER}})


async def terminate_worker_connections(url: str) -> int:
    """From a separate connection: end every backend of the worker; returns how many."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", WORKER)
    finally:
        await connection.close()
    return sum(1 for row in rows if row[0])


async def test_a_connection_killed_mid_transaction_fails_that_transaction_only(db_url: str) -> None:
    db = worker_database(db_url)
    try:
        with pytest.raises(DBAPIError) as broken:
            async with db.begin() as connection:
                await connection.execute(text("SELECT 1"))
                assert await terminate_worker_connections(db_url) == 1
                await connection.execute(text("SELECT 2"))
        assert database_gone(broken.value)  # what the dispatch job treats as "try the next tick"
        async with db.begin() as connection:  # a fresh connection, no restart needed
            assert (await connection.execute(text("SELECT 3"))).scalar() == 3
    finally:
        await db.close()


async def test_a_connection_killed_while_idle_in_the_pool_costs_one_retry_not_an_error(db_url: str) -> None:
    """No pre-ping round trip on every checkout: the dead connection is found by the work itself,
    thrown away with the rest of the pool, and `Database.run` tries once more."""
    db = worker_database(db_url)
    calls = 0

    async def work(connection: Any) -> int:
        nonlocal calls
        calls += 1
        return (await connection.execute(text("SELECT 4"))).scalar()

    try:
        for single_statement in (False, True):
            assert await db.run(work, single_statement=single_statement) == 4
            calls = 0
            assert await terminate_worker_connections(db_url) == 1  # now idle in the pool
            assert await db.run(work, single_statement=single_statement) == 4
            assert calls == 2  # the first try met the dead connection
    finally:
        await db.close()


async def test_a_worker_whose_connections_are_killed_mid_run_finishes_with_nothing_lost_or_doubled(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    settings = replace(runtime.settings, dispatch=replace(
        runtime.settings.dispatch, rate_per_second=1000, concurrency=4, batch_size=5))
    db = worker_database(runtime.db.url)
    dispatcher = Dispatcher(Runtime(settings, db, runtime.clock, runtime.templates, runtime.sender), "w1")
    try:
        for _ in range(40):
            await make_tenant(collection_day=1)
        await plan(runtime)
        runtime.clock.set(SEND_MOMENT)
        fake_twilio.add_fault(delay=0.05, times=40)  # every send takes a moment: the kills land mid-run

        killed = 0
        for _ in range(30):  # one scheduler run after another, as APScheduler would start them
            job = asyncio.create_task(dispatch_job(dispatcher))
            while not job.done():  # every third provider call, end all of the worker's connections
                seen = len(fake_twilio.requests)
                while not job.done() and len(fake_twilio.requests) < seen + 3:
                    await asyncio.sleep(0.005)
                if not job.done():
                    killed += await terminate_worker_connections(runtime.db.url)
            await job
            if not any(m.state == "planned" for m in await all_messages(runtime.db)):
                break
        for _ in range(10):  # later runs settle the claims the broken ticks left behind
            runtime.clock.advance(timedelta(seconds=settings.dispatch.stall_seconds + 1))
            await dispatch_job(dispatcher)
            if all(m.state in {"sent", "delivered"} for m in await all_messages(runtime.db)):
                break
        assert killed >= 3

        rows = await wait_for_states(runtime.db, {"delivered"})
        stored = {m["to"]: m["sid"] for m in fake_twilio.messages}
        assert len(fake_twilio.messages) == len(stored) == 40  # each tenant exactly once
        assert {m.recipient: m.provider_sid for m in rows} == stored
        assert {m.state for m in rows} == {"delivered"}
    finally:
        await db.close()
