"""Audit entries for what an operator does at the command line (the web app's officers are
audited by their own services): tokens made or revoked, a tenant's data exported, a purge,
a contract ended — and, through `commands/audit_hook.py`, every other command that changes or
hands out tenants' data. The actor is the operating-system user, as `cli:<user>`."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

from herinnering.adapters.db import user_store
from herinnering.adapters.db.engine import Database
from herinnering.clock import SystemClock
from herinnering.config import Settings
from herinnering.runtime import Runtime


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


async def operator_action(runtime: Runtime, action: str, tenant_id: int | None = None, **data: Any) -> None:
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=None, user_email=cli_actor(), action=action,
                               now=runtime.clock.now(), tenant_id=tenant_id, **data)


async def command_run(settings: Settings, command: str, arguments: dict[str, Any], exit_code: int) -> None:
    """One audit entry for a command that changed or handed out tenants' data."""
    db = Database(settings.database.url)
    try:
        async with db.begin() as connection:
            await user_store.audit(connection, user_id=None, user_email=cli_actor(), action=f"cli {command}"[:48],
                                   now=SystemClock().now(), arguments=arguments, exit_code=exit_code)
    finally:
        await db.close()


async def search(runtime: Runtime, *, officer: str, tenant: str, action: str, since: datetime | None,
                 until: datetime | None, limit: int) -> list[Any]:
    """The audit log as team leads filter it (newest first)."""
    async with runtime.db.begin() as connection:
        return await user_store.audit_search(connection, officer=officer, tenant=tenant, action=action,
                                             since=since, until=until, limit=limit)


async def actions(runtime: Runtime) -> list[str]:
    """Every action the audit log holds, for the filter."""
    async with runtime.db.begin() as connection:
        return list(await user_store.audit_actions(connection))
