"""Claiming due messages: four claimers at once, each with its own engine (as four worker
processes would have), never take the same message, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from herinnering.adapters.db import outbox
from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates
from herinnering.domain.reminders.planning import Period
from herinnering.resources import templates_dir
from herinnering.services.reminders.planning import plan_month
from tests.integration.helpers import all_messages


async def test_four_concurrent_claimers_never_claim_a_message_twice(
    db_url: str, database: Database, settings: Any, clock: Any, make_tenant: Any
) -> None:
    for day in range(1, 81):
        await make_tenant(collection_day=1 + day % 25)
    report = await plan_month(database, settings, MessageTemplates(templates_dir()), clock, Period(2026, 12))
    assert report.created == 80
    due = max(row.send_at for row in await all_messages(database))

    async def claimer(name: str) -> list[int]:
        db = Database(db_url)  # its own connections
        taken: list[int] = []
        try:
            while True:
                async with db.begin() as connection:
                    rows = await outbox.claim_due(connection, name, due, 3)
                if not rows:
                    return taken
                assert len(rows) <= 3  # the limit holds however the planner joins the subquery
                taken.extend(row.id for row in rows)
                await asyncio.sleep(0)  # let the others in between batches
        finally:
            await db.close()

    parts = await asyncio.gather(*(claimer(f"w{n}") for n in range(4)))
    ids = [i for part in parts for i in part]
    assert len(ids) == len(set(ids)) == 80
    rows = await all_messages(database)
    assert all(row.state == "sending" and row.attempts == 1 for row in rows)  # one claim each, in the database
    owners = {row.id: row.claimed_by for row in rows}
    for n, part in enumerate(parts):
        assert all(owners[i] == f"w{n}" for i in part)
