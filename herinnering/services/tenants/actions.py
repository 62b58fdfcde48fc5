"""What an officer does for a tenant from their page (formerly CLI-only): agree, change or cancel
a payment arrangement (with a reason; the tenant is told), pause with a reason (until a date, or open-ended) and resume, and generate a letter
(the written reminder or the 14-day letter) for the post batch. Each is one transaction of the
area's own service plus an audit entry."""

from __future__ import annotations

from datetime import date

from herinnering.adapters.db import arrangement_store, tenant_store, user_store
from herinnering.bootstrap import Runtime
from herinnering.errors import NotFound
from herinnering.services.conversations.threads import Officer
from herinnering.services.legal import letters
from herinnering.services.payments import arrangement_changes, arrangements, pause


async def _tenant(connection: object, tenant_id: int) -> object:
    tenant = await tenant_store.by_id(connection, tenant_id)  # type: ignore[arg-type]
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} does not exist")
    return tenant


async def arrange(runtime: Runtime, tenant_id: int, officer: Officer, *, count: int, first: date, every: str,
                  amount_cents: int | None) -> arrangements.Made:
    async with runtime.db.begin() as connection:
        await _tenant(connection, tenant_id)
        made = await arrangements.add_arrangement(connection, runtime, tenant_id, count=count, first=first,
                                                  every=every, amount_cents=amount_cents, by=officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="arrangement_made",
                               now=runtime.clock.now(), tenant_id=tenant_id, arrangement_id=made.arrangement_id,
                               instalments=count)
    return made


async def _owned(connection: object, tenant_id: int, arrangement_id: int) -> None:
    found = await arrangement_store.arrangement(connection, arrangement_id)  # type: ignore[arg-type]
    if found is None or found.tenant_id != tenant_id:
        raise NotFound(f"payment arrangement {arrangement_id} is not this tenant's")


async def change_arrangement(runtime: Runtime, tenant_id: int, officer: Officer, arrangement_id: int, *, count: int,
                             first: date, every: str, reason: str) -> arrangement_changes.Ended:
    async with runtime.db.begin() as connection:
        await _owned(connection, tenant_id, arrangement_id)
        ended = await arrangement_changes.change(connection, runtime, arrangement_id, count=count, first=first,
                                                 every=every, reason=reason, by=officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="arrangement_changed",
                               now=runtime.clock.now(), tenant_id=tenant_id, arrangement_id=arrangement_id,
                               new_arrangement_id=ended.new_arrangement_id, instalments=count, reason=reason.strip())
    return ended


async def cancel_arrangement(runtime: Runtime, tenant_id: int, officer: Officer, arrangement_id: int,
                             reason: str) -> arrangement_changes.Ended:
    async with runtime.db.begin() as connection:
        await _owned(connection, tenant_id, arrangement_id)
        ended = await arrangement_changes.cancel(connection, runtime, arrangement_id, reason=reason, by=officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email,
                               action="arrangement_cancelled", now=runtime.clock.now(), tenant_id=tenant_id,
                               arrangement_id=arrangement_id, reason=reason.strip())
    return ended


async def set_pause(runtime: Runtime, tenant_id: int, officer: Officer, until: date | None, reason: str) -> None:
    async with runtime.db.begin() as connection:
        await _tenant(connection, tenant_id)
        now = runtime.clock.now()
        await pause.pause(connection, runtime.settings, tenant_id, until, reason, now, officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="pause", now=now,
                               tenant_id=tenant_id, until=until.isoformat() if until else "open-ended")


async def resume(runtime: Runtime, tenant_id: int, officer: Officer) -> bool:
    async with runtime.db.begin() as connection:
        now = runtime.clock.now()
        resumed = await pause.resume(connection, tenant_id, now, officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="resume", now=now,
                               tenant_id=tenant_id)
    return resumed


async def letter(runtime: Runtime, tenant_id: int, officer: Officer, kind: str) -> int:
    """Generate a letter from the tenant's case; it waits in the next post batch (/werk)."""
    async with runtime.db.begin() as connection:
        tenant = await _tenant(connection, tenant_id)
    made = await letters.generate(runtime, tenant, kind, by=officer.email)  # type: ignore[arg-type]
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="letter_generated",
                               now=runtime.clock.now(), tenant_id=tenant_id, letter_id=made.letter_id, kind=kind)
    return made.letter_id
