"""Queries on officers' accounts, their sessions, login attempts and the audit log.

Only hashes reach these tables: an argon2 hash of each password, a SHA-256 digest of each
session token. The audit log, like the event log, is only ever inserted into.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.conversation_tables import (
    audit_log,
    login_attempts,
    login_guards,
    sessions,
    users,
)
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tenants


async def add_user(connection: AsyncConnection, *, email: str, name: str, role: str, password_hash: str,
                   now: datetime) -> int:
    result = await connection.execute(insert(users).values(
        email=email, name=name, role=role, password_hash=password_hash, active=True, created_at=now, updated_at=now,
    ).returning(users.c.id))
    return int(result.scalar_one())


async def set_password(connection: AsyncConnection, user_id: int, password_hash: str, role: str,
                       now: datetime) -> None:
    await connection.execute(update(users).where(users.c.id == user_id).values(
        password_hash=password_hash, role=role, updated_at=now))


async def by_email(connection: AsyncConnection, email: str) -> Row[Any] | None:
    return (await connection.execute(select(users).where(users.c.email == email))).first()


async def by_id(connection: AsyncConnection, user_id: int) -> Row[Any] | None:
    return (await connection.execute(select(users).where(users.c.id == user_id))).first()


async def colleagues(connection: AsyncConnection) -> list[Row[Any]]:
    statement = select(users.c.id, users.c.name, users.c.email, users.c.role).where(
        users.c.active.is_(True)).order_by(users.c.name)
    return list((await connection.execute(statement)).fetchall())


async def record_attempt(connection: AsyncConnection, email: str, succeeded: bool, now: datetime) -> None:
    await connection.execute(insert(login_attempts).values(email=email, succeeded=succeeded, at=now))


async def count_attempt(connection: AsyncConnection, email: str, now: datetime, window_start_before: datetime) -> int:
    """Count one login attempt for `email` in one atomic upsert and return the attempts in the
    current window (a window that began before `window_start_before` starts again at 1).
    Parallel attempts each get their own number, so no more than the limit are let through."""
    old = login_guards.c.window_start <= window_start_before
    statement = dialect_insert(connection, login_guards).values(email=email, window_start=now, attempts=1)
    statement = statement.on_conflict_do_update(index_elements=["email"], set_={
        "attempts": case((old, 1), else_=login_guards.c.attempts + 1),
        "window_start": case((old, now), else_=login_guards.c.window_start),
    }).returning(login_guards.c.attempts)
    return int((await connection.execute(statement)).scalar_one())


async def clear_attempts(connection: AsyncConnection, email: str) -> None:
    """A successful login: the count starts again."""
    await connection.execute(delete(login_guards).where(login_guards.c.email == email))


async def add_session(connection: AsyncConnection, *, token_hash: str, user_id: int, csrf_token: str,
                      now: datetime, expires_at: datetime, pending: str | None = None) -> None:
    await connection.execute(insert(sessions).values(
        token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at,
        pending=pending))


async def session_user(connection: AsyncConnection, token_hash: str, now: datetime) -> Row[Any] | None:
    """The session's user (with `csrf_token`), if the session exists, is current, is signed in
    (owes no second factor) and the user active."""
    statement = (
        select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.language, sessions.c.csrf_token)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now, users.c.active.is_(True),
               sessions.c.pending.is_(None))
    )
    return (await connection.execute(statement)).first()


async def pending_session(connection: AsyncConnection, token_hash: str, now: datetime) -> Row[Any] | None:
    """A current session that still owes the second factor, with its user (`pending`, `csrf_token`,
    the user's TOTP columns)."""
    statement = (
        select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.language, users.c.totp_secret,
               users.c.totp_pending, users.c.totp_last_step, sessions.c.csrf_token, sessions.c.pending)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now, users.c.active.is_(True),
               sessions.c.pending.is_not(None))
    )
    return (await connection.execute(statement)).first()


async def set_totp_pending(connection: AsyncConnection, user_id: int, secret: str, now: datetime) -> None:
    await connection.execute(update(users).where(users.c.id == user_id).values(totp_pending=secret, updated_at=now))


async def enable_totp(connection: AsyncConnection, user_id: int, secret: str, step: int, now: datetime) -> bool:
    """Make the confirmed pending secret the account's; False when another confirmation (or a
    reset) changed the pending secret meanwhile."""
    result = await connection.execute(update(users).where(users.c.id == user_id, users.c.totp_pending == secret).values(
        totp_secret=secret, totp_pending=None, totp_enabled_at=now, totp_last_step=step, updated_at=now))
    return result.rowcount == 1


async def use_totp_step(connection: AsyncConnection, user_id: int, step: int) -> bool:
    """Record `step` as used, only if it is later than the last one used: of two requests with
    the same code, one wins."""
    last = users.c.totp_last_step
    result = await connection.execute(update(users).where(
        users.c.id == user_id, users.c.totp_secret.is_not(None), last.is_(None) | (last < step)).values(
        totp_last_step=step))
    return result.rowcount == 1


async def clear_totp(connection: AsyncConnection, user_id: int, now: datetime) -> None:
    await connection.execute(update(users).where(users.c.id == user_id).values(
        totp_secret=None, totp_pending=None, totp_enabled_at=None, totp_last_step=None, updated_at=now))


async def set_language(connection: AsyncConnection, user_id: int, language: str, now: datetime) -> None:
    await connection.execute(update(users).where(users.c.id == user_id).values(language=language, updated_at=now))


async def end_session(connection: AsyncConnection, token_hash: str) -> None:
    await connection.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


async def audit(connection: AsyncConnection, *, user_id: int | None, user_email: str, action: str, now: datetime,
                tenant_id: int | None = None, thread_id: int | None = None, **data: Any) -> None:
    await connection.execute(insert(audit_log).values(
        user_id=user_id, user_email=user_email, action=action, tenant_id=tenant_id, thread_id=thread_id,
        data=data, at=now))


async def audit_entries(connection: AsyncConnection, limit: int = 500) -> list[Row[Any]]:
    statement = (
        select(audit_log, tenants.c.name.label("tenant_name"), tenants.c.external_id)
        .outerjoin(tenants, tenants.c.id == audit_log.c.tenant_id)
        .order_by(audit_log.c.id.desc()).limit(limit)
    )
    return list((await connection.execute(statement)).fetchall())


async def audit_search(connection: AsyncConnection, *, officer: str = "", tenant: str = "", action: str = "",
                       since: datetime | None = None, until: datetime | None = None,
                       limit: int = 500) -> list[Row[Any]]:
    """The audit log filtered by officer (e-mail), tenant (contract or name), action and time."""
    statement = (
        select(audit_log, tenants.c.name.label("tenant_name"), tenants.c.external_id)
        .outerjoin(tenants, tenants.c.id == audit_log.c.tenant_id)
        .order_by(audit_log.c.id.desc()).limit(limit)
    )
    if officer:
        statement = statement.where(func.lower(audit_log.c.user_email).like(f"%{officer.lower()}%"))
    if tenant:
        pattern = f"%{tenant.lower()}%"
        statement = statement.where(func.lower(tenants.c.external_id).like(pattern)
                                    | func.lower(tenants.c.name).like(pattern))
    if action:
        statement = statement.where(audit_log.c.action == action)
    if since is not None:
        statement = statement.where(audit_log.c.at >= since)
    if until is not None:
        statement = statement.where(audit_log.c.at < until)
    return list((await connection.execute(statement)).fetchall())


async def audit_actions(connection: AsyncConnection) -> list[str]:
    return list((await connection.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action))).scalars())


async def all_users(connection: AsyncConnection) -> list[Row[Any]]:
    statement = select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.active, users.c.created_at,
                       users.c.totp_enabled_at)
    return list((await connection.execute(statement.order_by(users.c.active.desc(), users.c.name))).fetchall())


async def set_active(connection: AsyncConnection, user_id: int, active: bool, now: datetime) -> bool:
    result = await connection.execute(update(users).where(users.c.id == user_id).values(active=active, updated_at=now))
    if not active:
        await connection.execute(delete(sessions).where(sessions.c.user_id == user_id))
    return result.rowcount == 1


async def end_sessions_of(connection: AsyncConnection, user_id: int) -> None:
    await connection.execute(delete(sessions).where(sessions.c.user_id == user_id))
