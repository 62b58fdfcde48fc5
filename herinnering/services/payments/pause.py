"""The pauzeknop (Gereedschapskist 3.5): freeze collection for a tenant until a date or until
released, with a reason — e.g. while a debt counsellor works on the case.

`tenants.paused_until` is what the dispatcher checks before every reminder, link and ladder
message (kinds that follow the reminder rules): through that day inclusive nothing goes out.
An open-ended pause stores the far date `OPEN_ENDED` there and no end date in `pauses`. Ladder
messages already planned are cancelled with the reason "pauzeknop", so the ladder does them
again after the pause, one step at a time (domain/payments/ladder.py), instead of losing them or
sending them all at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, pause_store, tenant_store
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.clock import local_day
from herinnering.config import Settings
from herinnering.domain.payments.ladder import OPEN_ENDED
from herinnering.errors import BadInput, NotFound
from herinnering.services.payments.cases import message_kinds


async def current(connection: AsyncConnection, tenant_id: int, today: date) -> Row[Any] | None:
    """The pause in force today, if any."""
    return await pause_store.current(connection, tenant_id, today)


async def pause(
    connection: AsyncConnection, settings: Settings, tenant_id: int, until: date | None, reason: str,
    now: datetime, by: str,
) -> int:
    """Pause the tenant through `until` (None: until resumed). Returns the pause's id."""
    today = local_day(now, settings)
    if not reason.strip():
        raise BadInput("a pause needs a reason (--reason), e.g. \"schuldhulpverlening loopt\"")
    if until is not None and until < today:
        raise BadInput(f"--until {until.isoformat()} is in the past")
    await _end_open(connection, tenant_id, now, by)
    pause_id = await pause_store.insert(
        connection, tenant_id=tenant_id, starts_on=today, until=until, reason=reason.strip(), created_by=by,
        created_at=now)
    await tenant_store.set_pause(connection, tenant_id, until or OPEN_ENDED, now)
    cancelled = await store.cancel_planned(connection, tenant_id, now, store.PAUSE_REASON, kinds=message_kinds(settings))
    await event_log.append(connection, [event_log.event(
        tenant_id, "tenant_paused", now, pause_id=pause_id, until=until.isoformat() if until else None,
        reason=reason.strip(), by=by, messages_cancelled=cancelled)])
    return pause_id


async def resume(connection: AsyncConnection, tenant_id: int, now: datetime, by: str) -> bool:
    """End the pause now; the ladder continues from where it was. False when not paused."""
    row = await pause_store.paused_until(connection, tenant_id)
    if row is None:
        raise NotFound(f"tenant {tenant_id} does not exist")
    ended = await _end_open(connection, tenant_id, now, by)
    if row.paused_until is None and not ended:
        return False
    await tenant_store.set_pause(connection, tenant_id, None, now)
    await event_log.append(connection, [event_log.event(tenant_id, "tenant_resumed", now, by=by)])
    return True


async def _end_open(connection: AsyncConnection, tenant_id: int, now: datetime, by: str) -> int:
    return await pause_store.end_open(connection, tenant_id, now, by)
