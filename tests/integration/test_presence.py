"""Who has a conversation open, and who is typing, is shared by every web process: two app
instances on one database (each with its own process state) see each other's officers; a
presence ends a few seconds after the page stops asking."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.conversation_tables import thread_presence
from herinnering.bootstrap import open_runtime
from herinnering.services.conversations.team_threads import PRESENCE_SECONDS
from herinnering.web.app import serving
from tests.integration.conversations import thread_of
from tests.integration.officer_browser import Browser, officer


async def _present(runtime: Any) -> list[int]:
    async with runtime.db.begin() as connection:
        return list((await connection.execute(select(thread_presence.c.user_id))).scalars())


async def live(b: Browser, thread_id: int, typing: bool = False) -> dict[str, Any]:
    status, text = await b.get(f"/inbox/threads/{thread_id}/live.json?v=-1" + ("&typing=1" if typing else ""))
    assert status == 200, text
    return json.loads(text)


async def test_two_web_processes_see_each_others_officers(
    runtime: Any, browser: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    from tests.integration.conversations import tenant_writes

    tenant = await make_tenant(name="Fatma Yılmaz")
    await tenant_writes(runtime, fake_twilio, tenant.phone, "Kan ik later betalen?")
    thread = await thread_of(runtime.db, tenant.id)
    anna = await officer(runtime, browser, "anna@delinde.nl")
    await officer(runtime, browser, "bram@delinde.nl")
    async with open_runtime(runtime.settings, runtime.clock) as second, serving(second, "127.0.0.1", 0) as url:
        assert url != runtime.settings.server.public_url  # another app, another process's state, one database
        bram = Browser(url)
        try:
            assert await bram.log_in("bram@delinde.nl") == 303
            assert (await live(anna, thread.id))["others"] == []
            seen_by_bram = await live(bram, thread.id, typing=True)
            assert seen_by_bram["others"] == [{"name": "Anna", "typing": False}]
            assert (await live(anna, thread.id))["others"] == [{"name": "Bram", "typing": True}]
            assert len(await _present(runtime)) == 2

            runtime.clock.advance(timedelta(seconds=PRESENCE_SECONDS / 2))
            assert (await live(bram, thread.id))["others"] == [{"name": "Anna", "typing": False}]
            assert (await live(anna, thread.id))["others"] == [{"name": "Bram", "typing": False}]  # stopped typing

            runtime.clock.advance(timedelta(seconds=PRESENCE_SECONDS + 1))  # Bram closed the page
            assert (await live(anna, thread.id))["others"] == []
            assert len(await _present(runtime)) == 1  # his expired row went with Anna's write
        finally:
            await bram.session.close()


async def test_presence_of_a_conversation_that_does_not_exist_is_a_404(runtime: Any, browser: Any) -> None:
    anna = await officer(runtime, browser, "anna@delinde.nl")
    status, _ = await anna.get("/inbox/threads/999999/live.json?v=-1")
    assert status == 404
