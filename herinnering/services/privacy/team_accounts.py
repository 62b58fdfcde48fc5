"""A team lead administers the team's accounts on screen: list, invite (an account with a
one-time password to hand over), disable (its sessions end at once) and reset a password (a new
one-time password; the old sessions end). Passwords are shown once and stored only hashed."""

from __future__ import annotations

import secrets
from typing import Any

from herinnering.adapters.db import user_store
from herinnering.errors import Conflict
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.privacy import users


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


async def accounts(runtime: Runtime) -> list[Any]:
    async with runtime.db.begin() as connection:
        return await user_store.all_users(connection)


async def _audit(runtime: Runtime, lead: Officer, action: str, **data: Any) -> None:
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=lead.id, user_email=lead.email, action=action,
                               now=runtime.clock.now(), **data)


async def invite(runtime: Runtime, lead: Officer, email: str, name: str, role: str) -> str:
    """A new account; returns its one-time password (shown once to the team lead)."""
    email = users.normalise_email(email)
    async with runtime.db.begin() as connection:
        if await user_store.by_email(connection, email) is not None:
            raise Conflict(f"{email} has an account already")
    password = one_time_password()
    await users.add_user(runtime, email, password, role, name=name.strip() or None)
    await _audit(runtime, lead, "user_invited", email=email, role=role)
    return password


async def _other(runtime: Runtime, lead: Officer, user_id: int) -> Any:
    async with runtime.db.begin() as connection:
        return await users.colleague(connection, lead, user_id)


async def set_active(runtime: Runtime, lead: Officer, user_id: int, active: bool) -> None:
    found = await _other(runtime, lead, user_id)
    async with runtime.db.begin() as connection:
        await user_store.set_active(connection, found.id, active, runtime.clock.now())
    await _audit(runtime, lead, "user_enabled" if active else "user_disabled", email=found.email)


async def reset_password(runtime: Runtime, lead: Officer, user_id: int) -> str:
    found = await _other(runtime, lead, user_id)
    password = one_time_password()
    await users.add_user(runtime, found.email, password, found.role)  # sets the new password, keeps the role
    async with runtime.db.begin() as connection:
        await user_store.end_sessions_of(connection, found.id)
    await _audit(runtime, lead, "password_reset", email=found.email)
    return password


async def email_of(runtime: Runtime, user_id: int) -> str:
    """The colleague's e-mail address ("" when there is no such account)."""
    async with runtime.db.begin() as connection:
        found = await user_store.by_id(connection, user_id)
    return str(found.email) if found else ""
