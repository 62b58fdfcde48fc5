"""What an officer records in the legal file from the command line: an MVI step by hand, a
ladder task done, the tenant's objection to the Wgs signal, the municipality's answers, and the
cases passed on in a Wgs export. Each is one transaction; the command writes its own audit
entry (commands/audit_hook.py)."""

from __future__ import annotations

from typing import Any

from herinnering.adapters.db import Row, case_store
from herinnering.adapters.db import events as event_log
from herinnering.clock import local_day
from herinnering.errors import NotFound
from herinnering.runtime import Runtime
from herinnering.services.legal import early_warning, mvi, wgs_export
from herinnering.services.tenants.lookup import by_contract_id


async def record_step(runtime: Runtime, contract_id: str, *, period: str | None, step: str, channel: str, text: str,
                      by: str) -> tuple[Row[Any], str, bool]:
    """Record a step on the case of `period` (default: the latest open one); returns the tenant,
    the case's period and False when the same step was recorded before."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        rows = await case_store.cases_of(connection, tenant.id)
        rows = [row for row in rows if row.period == period] if period else [row for row in rows
                                                                             if row.state != "closed"]
        if not rows:
            raise NotFound(f"{tenant.external_id} has no {'such' if period else 'open'} arrears case")
        case = rows[-1]
        new = await mvi.record(connection, case_id=case.id, tenant_id=tenant.id, step=step, channel=channel,
                               text=text, occurred_at=now, by=by, now=now,
                               source_key=mvi.manual_key(case.id, step, channel, text, now))
    return tenant, case.period, new


async def complete_task(runtime: Runtime, task_id: int, *, by: str, channel: str | None, note: str | None) -> int:
    """Mark a ladder task done; the MVI steps it recorded."""
    async with runtime.db.begin() as connection:
        return await mvi.complete_task(connection, runtime.settings, task_id, runtime.clock.now(), by=by,
                                       channel=channel, note=note)


async def record_objection(runtime: Runtime, contract_id: str, *, channel: str, text: str,
                           by: str) -> tuple[Row[Any], int]:
    """The tenant objects to the Wgs signal: recorded on every open case; returns the tenant and
    how many cases (0: none open, nothing recorded)."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        rows = await early_warning.record_objection(connection, tenant.id, channel=channel, text=text, by=by,
                                                    key=f"officer:{now:%Y%m%dT%H%M%S}", now=now)
        await event_log.append(connection, rows)
    return tenant, rows[0]["data"]["cases"] if rows else 0


async def import_feedback(runtime: Runtime, text: str, *, by: str, dry_run: bool) -> early_warning.FeedbackReport:
    """The municipality's answers (CSV); nothing is stored on a dry run or when a line is wrong."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        report = await early_warning.import_feedback(connection, runtime.settings, text, now,
                                                     local_day(now, runtime.settings), by)
        if dry_run or report.errors:
            await connection.rollback()
    return report


async def mark_signalled(runtime: Runtime, export: wgs_export.WgsExport) -> None:
    """The exported cases were passed on: the next export does not repeat them."""
    async with runtime.db.begin() as connection:
        await wgs_export.mark_signalled(connection, export, runtime.clock.now())
