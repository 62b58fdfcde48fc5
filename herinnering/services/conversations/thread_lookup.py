"""Finding a conversation thread without an officer's page around it: a tenant's first thread,
or the thread a phone number started (the workplace scene walks to them)."""

from __future__ import annotations

from typing import Any

from herinnering.adapters.db import Row, tenant_view_store, thread_store
from herinnering.runtime import Runtime


async def of_tenant(runtime: Runtime, tenant_id: int) -> Row[Any] | None:
    async with runtime.db.begin() as connection:
        return await tenant_view_store.thread_of(connection, tenant_id)


async def of_phone(runtime: Runtime, phone: str) -> int | None:
    """The id of the first thread with this number."""
    async with runtime.db.begin() as connection:
        return await thread_store.id_by_phone(connection, phone)
