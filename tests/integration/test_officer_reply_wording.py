"""An officer's reply goes through the templates' wording check with the case's real state: a
bailiff ("deurwaarder") is refused, with the reason, while no 14-day letter has been posted to
the tenant, and may be named once it has. A posted written reminder is no 14-day letter."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from herinnering.adapters.db.tables import messages
from herinnering.clock import local_day
from herinnering.demo.workplace_scene import PASSWORD, build
from herinnering.services.legal.letters import generate, make_post_batch, mark_batch_posted
from tests.integration.conversations import rows, thread_of

BAILIFF = "Als u niet betaalt, schakelen we de deurwaarder in."


async def _post_letter(runtime: Any, tenant: Any, kind: str) -> None:
    await generate(runtime, tenant, kind, by="test")
    batch = await make_post_batch(runtime, by="test")
    await mark_batch_posted(runtime, batch.batch_id, local_day(runtime.clock.now(), runtime.settings), by="test")


async def _reply(anna: Any, thread_id: int, text: str) -> str:
    _, html = await anna.get(f"/inbox/threads/{thread_id}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    _, where = await anna.post(f"/inbox/threads/{thread_id}/reply", nonce=nonce, text=text)
    return unquote_plus(where)


async def test_a_bailiff_is_refused_before_the_14_day_letter_is_posted_and_allowed_after(
    runtime: Any, browser: Any,
) -> None:
    scene = await build(runtime)
    jan = scene.tenants["HC-204520"]
    thread = await thread_of(runtime.db, jan.id)
    anna = browser()
    assert await anna.log_in("anna@delinde.nl", PASSWORD) == 303
    _, where = await anna.post(f"/inbox/threads/{thread.id}/take-over", seen_holder="")
    assert "notice=take-over" in where

    await _post_letter(runtime, jan, "written_reminder")  # a reminder in writing names no bailiff
    where = await _reply(anna, thread.id, BAILIFF)
    assert "notice=threat" in where and "deurwaarder" in where, where
    assert await rows(runtime.db, messages, messages.c.kind == "officer_reply") == []
    _, html = await anna.get(where.removeprefix(anna.base))
    assert "deurwaarder" in html and "veertiendagenbrief" in html  # the reason, on the page the officer sees

    await generate(runtime, jan, "veertiendagenbrief", by="test")  # generated, not yet posted: still refused
    where = await _reply(anna, thread.id, BAILIFF)
    assert "notice=threat" in where, where

    batch = await make_post_batch(runtime, by="test")
    await mark_batch_posted(runtime, batch.batch_id, local_day(runtime.clock.now(), runtime.settings), by="test")
    where = await _reply(anna, thread.id, BAILIFF)
    assert "notice=reply" in where, where
    [sent] = await rows(runtime.db, messages, messages.c.kind == "officer_reply")
    assert sent.body == BAILIFF and sent.tenant_id == jan.id


async def test_a_threat_to_an_unknown_number_is_always_refused(runtime: Any, browser: Any) -> None:
    scene = await build(runtime)
    from sqlalchemy import select

    from herinnering.adapters.db.conversation_tables import threads

    async with runtime.db.begin() as connection:
        thread_id = (await connection.execute(select(threads.c.id).where(
            threads.c.phone == scene.unknown_phone))).scalar_one()
    anna = browser()
    assert await anna.log_in("anna@delinde.nl", PASSWORD) == 303
    await anna.post(f"/inbox/threads/{thread_id}/take-over", seen_holder="")
    where = await _reply(anna, thread_id, BAILIFF)
    assert "notice=threat" in where, where
