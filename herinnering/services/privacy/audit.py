"""Audit entries for what an operator does at the command line (the web app's officers are
audited by their own services): tokens made or revoked, a tenant's data exported, a purge,
a contract ended — and, through `commands/audit_hook.py`, every other command that changes or
hands out tenants' data. The actor is the operating-system user, as `cli:<user>`."""

from __future__ import annotations

import getpass
from typing import Any

from herinnering.adapters.db import user_store
from herinnering.adapters.db.engine import Database
from herinnering.bootstrap import Runtime
from herinnering.clock import SystemClock
from herinnering.config import Settings


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
