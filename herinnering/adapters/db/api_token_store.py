"""SQL for the API tokens of the payments API: stored by hash, revoked rather than deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.security_tables import api_tokens


async def named(connection: AsyncConnection, name: str) -> bool:
    """Whether a token (live or revoked) has this name."""
    return (await connection.execute(select(api_tokens.c.id).where(api_tokens.c.name == name))).first() is not None


async def insert(connection: AsyncConnection, name: str, token_hash: str, prefix: str, now: datetime) -> None:
    await connection.execute(api_tokens.insert().values(name=name, token_hash=token_hash, prefix=prefix,
                                                        created_at=now))


async def revoke(connection: AsyncConnection, name: str, now: datetime) -> bool:
    """Revoke the live token of this name; False when there is none."""
    result = await connection.execute(update(api_tokens).where(
        api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None)).values(revoked_at=now))
    return bool(result.rowcount)


async def all_tokens(connection: AsyncConnection) -> list[Row[Any]]:
    return list((await connection.execute(select(api_tokens).order_by(api_tokens.c.name))).fetchall())


async def live_by_hash(connection: AsyncConnection, token_hash: str) -> Row[Any] | None:
    """(id, name) of the live token with this hash."""
    return (await connection.execute(select(api_tokens.c.id, api_tokens.c.name).where(
        api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)))).first()


async def mark_used(connection: AsyncConnection, token_id: int, now: datetime) -> None:
    await connection.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now))
