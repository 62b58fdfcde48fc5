"""What an officer does for a tenant from their page (formerly CLI-only): agree, change or cancel
a payment arrangement (with a reason; the tenant is told), pause with a reason (until a date, or open-ended) and resume, and generate a letter
(the written reminder or the 14-day letter) for the post batch. Each is one transaction of the
area's own service plus an audit entry.

At the command line the same actions find the tenant by contract id and are done `by` a name;
the command writes its own audit entry (commands/audit_hook.py). The collection-day changes,
a fresh "mijn huur" link and the pre-debit opt-out are done there too."""

from __future__ import annotations

from datetime import date
from typing import Any

from herinnering.adapters.db import Row, arrangement_store, tenant_store, user_store
from herinnering.errors import NotFound
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.legal import letters
from herinnering.services.payments import arrangement_changes, arrangements, pause
from herinnering.services.reminders import cadence
from herinnering.services.tenants import self_service, tenant_page
from herinnering.services.tenants.lookup import by_contract_id


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


# --- at the command line: the tenant by contract id, the officer by name ---------------------------


async def pause_by_contract(runtime: Runtime, contract_id: str, until: date | None, reason: str,
                            by: str) -> Row[Any]:
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        await pause.pause(connection, runtime.settings, tenant.id, until, reason, runtime.clock.now(), by)
    return tenant


async def resume_by_contract(runtime: Runtime, contract_id: str, by: str) -> tuple[Row[Any], bool]:
    """The tenant, and False when they were not paused."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        return tenant, await pause.resume(connection, tenant.id, runtime.clock.now(), by)


async def arrange_by_contract(runtime: Runtime, contract_id: str, *, count: int, first: date, every: str,
                              amount_cents: int | None, by: str) -> tuple[Row[Any], arrangements.Made]:
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        made = await arrangements.add_arrangement(connection, runtime, tenant.id, count=count, first=first,
                                                  every=every, amount_cents=amount_cents, by=by)
    return tenant, made


async def change_arrangement_by(runtime: Runtime, arrangement_id: int, *, count: int, first: date, every: str,
                                reason: str, by: str) -> arrangement_changes.Ended:
    async with runtime.db.begin() as connection:
        return await arrangement_changes.change(connection, runtime, arrangement_id, count=count, first=first,
                                                every=every, reason=reason, by=by)


async def cancel_arrangement_by(runtime: Runtime, arrangement_id: int, reason: str, by: str) -> arrangement_changes.Ended:
    async with runtime.db.begin() as connection:
        return await arrangement_changes.cancel(connection, runtime, arrangement_id, reason=reason, by=by)


async def day_changes(runtime: Runtime, contract_id: str) -> tuple[Row[Any], list[Row[Any]]]:
    """The tenant and the collection-day changes they made (DAG, mijn huur)."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        return tenant, await self_service.day_changes(connection, tenant.id)


async def reverse_day_change(runtime: Runtime, change_id: int, by: str) -> bool:
    """False when there is no scheduled change with this number."""
    async with runtime.db.begin() as connection:
        return await self_service.reverse_day_change(connection, change_id, by, runtime.clock.now())


async def page_link(runtime: Runtime, contract_id: str, *, send: bool) -> tuple[str | None, int | None]:
    """A fresh "mijn huur" link: its URL to print, or (with `send`) the id of the message that
    carries it to the tenant."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        now = runtime.clock.now()
        if send:
            return None, await tenant_page.send_page_link(connection, runtime.settings, tenant, now)
        token = await tenant_page.issue_token(connection, runtime.settings, tenant.id, now)
    return tenant_page.page_url(runtime.settings, token), None


async def set_pre_debit_opt_out(runtime: Runtime, contract_id: str, *, on: bool, source: str) -> Row[Any]:
    """The tenant's own wish, recorded by an officer; refused outside the segments that allow it."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        await cadence.set_pre_debit_opt_out(connection, runtime.settings, tenant.id, on=on, source=source,
                                            now=runtime.clock.now())
    return tenant
