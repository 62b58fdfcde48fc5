"""The Wgs early-warning export on screen, per municipality: what is ready (and what is refused,
with the missing step), the file for one municipality, and marking its cases as signalled — the
same `wgs_export.collect` the CLI uses, filtered to one municipality."""

from __future__ import annotations

from datetime import date

from herinnering.adapters.db import user_store
from herinnering.clock import local_day
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.legal import wgs_export


async def collect(runtime: Runtime, since: date) -> wgs_export.WgsExport:
    async with runtime.db.begin() as connection:
        return await wgs_export.collect(connection, runtime.settings, since, local_day(runtime.clock.now(),
                                                                                      runtime.settings))


def only(export: wgs_export.WgsExport, municipality: str) -> wgs_export.WgsExport:
    picked = [i for i, row in enumerate(export.rows) if row.municipality == municipality]
    return wgs_export.WgsExport(rows=[export.rows[i] for i in picked], case_ids=[export.case_ids[i] for i in picked],
                                amounts=[export.amounts[i] for i in picked], refused=[])


async def mark_signalled(runtime: Runtime, officer: Officer, since: date, municipality: str) -> int:
    export = only(await collect(runtime, since), municipality)
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await wgs_export.mark_signalled(connection, export, now)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="wgs_signalled",
                               now=now, municipality=municipality, cases=len(export.rows))
    return len(export.rows)
