"""SQL for the tenant's one running self-service dialog (a keyword conversation with the bot)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.tenant_tables import dialogs


async def get(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    return (await connection.execute(select(dialogs).where(dialogs.c.tenant_id == tenant_id))).first()


async def replace(connection: AsyncConnection, tenant_id: int, values: dict[str, Any] | None, now: datetime) -> None:
    """The tenant's dialog becomes `values` (kind, step, data, expires_at), or none."""
    await connection.execute(dialogs.delete().where(dialogs.c.tenant_id == tenant_id))
    if values is not None:
        await connection.execute(dialogs.insert().values(tenant_id=tenant_id, started_at=now, updated_at=now, **values))
