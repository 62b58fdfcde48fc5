"""SQL for the tenant's own page (mijn huur): its links, stored by hash and valid for a while."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.tenant_tables import tenant_page_tokens


async def add_token(connection: AsyncConnection, token_hash: str, tenant_id: int, now: datetime,
                    expires_at: datetime) -> None:
    await connection.execute(tenant_page_tokens.insert().values(
        token_hash=token_hash, tenant_id=tenant_id, created_at=now, expires_at=expires_at))


async def token(connection: AsyncConnection, token_hash: str) -> Row[Any] | None:
    return (await connection.execute(select(tenant_page_tokens).where(
        tenant_page_tokens.c.token_hash == token_hash))).first()


async def mark_used(connection: AsyncConnection, token_id: int, now: datetime) -> None:
    await connection.execute(update(tenant_page_tokens).where(tenant_page_tokens.c.id == token_id)
                             .values(last_used_at=now))
