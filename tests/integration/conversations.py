"""Helpers for the conversations tests: a tenant writes to us through the fake Twilio."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.conversation_tables import thread_messages, threads
from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.tables import messages, tasks, tenants
from herinnering.fakes.twilio_inbound import InboundPost, send_inbound


def inbound_url(runtime: Any) -> str:
    return f"{runtime.settings.server.public_url}/webhooks/twilio/inbound"


async def tenant_writes(runtime: Any, fake: Any, phone: str, body: str, **options: Any) -> InboundPost:
    post = await send_inbound(fake, inbound_url(runtime), phone, body, **options)
    assert post.status == 200, post.response
    return post


async def rows(db: Database, table: Any, *where: Any) -> list[Any]:
    async with db.begin() as connection:
        return list((await connection.execute(select(table).where(*where).order_by(table.c.id))).fetchall())


async def outbox(db: Database, *kinds: str) -> list[Any]:
    return await rows(db, messages, messages.c.kind.in_(kinds))


async def thread_of(db: Database, tenant_id: int) -> Any:
    [thread] = await rows(db, threads, threads.c.tenant_id == tenant_id)
    return thread


async def conversation(db: Database, thread_id: int) -> list[Any]:
    return await rows(db, thread_messages, thread_messages.c.thread_id == thread_id)


async def tenant(db: Database, tenant_id: int) -> Any:
    [row] = await rows(db, tenants, tenants.c.id == tenant_id)
    return row


async def open_tasks(db: Database, tenant_id: int) -> list[Any]:
    return await rows(db, tasks, tasks.c.tenant_id == tenant_id)
