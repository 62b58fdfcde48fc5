"""Use case: plan the pre-debit reminders of one month.

For every active tenant the pure planner gives the debit date and the send moment; the
outbox's unique idempotency key (`pre_debit:<tenant>:<period>`) makes planning the same
month twice, or in two processes at once, harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox, tenant_store
from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.planning import Period, plan_reminder
from herinnering.domain.states import MessageState

KIND = "pre_debit"
CHUNK = 1000


@dataclass(frozen=True)
class PlannedReminder:
    tenant_id: int
    external_id: str
    name: str
    collection_day: int
    debit_date: date
    send_at: datetime
    channel: str
    template: str
    created: bool


@dataclass
class PlanReport:
    period: Period
    reminders: list[PlannedReminder]
    skipped: int  # the moment had passed

    @property
    def created(self) -> int:
        return sum(r.created for r in self.reminders)


def idempotency_key(kind: str, tenant_id: int, period: Period) -> str:
    return f"{kind}:{tenant_id}:{period}"


async def plan_month(
    db: Database, settings: Settings, templates: MessageTemplates, clock: Clock, period: Period,
    *, dry_run: bool = False,
) -> PlanReport:
    now = clock.now()
    rules = settings.reminders.planning_rules()
    async with db.begin() as connection:
        tenants = await tenant_store.plannable(connection)
    rows: list[dict[str, Any]] = []
    skipped = 0
    for tenant in tenants:
        reminder = plan_reminder(period, tenant.collection_day, rules, now)
        if reminder is None:
            skipped += 1
            continue
        rows.append({
            "tenant_id": tenant.id, "kind": KIND, "period": str(period),
            "idempotency_key": idempotency_key(KIND, tenant.id, period),
            "channel": tenant.channel, "template": templates.name(KIND, tenant.channel, tenant.language),
            "variant": "default", "state": MessageState.PLANNED, "send_at": reminder.send_at,
            "not_after": reminder.not_after, "debit_date": reminder.debit_date, "attempts": 0,
            "created_at": now, "updated_at": now,
        })
    created: set[int] = set()
    if not dry_run:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            async with db.begin() as connection:
                new = await outbox.insert_planned(connection, chunk)
                await event_log.append(connection, [
                    event_log.event(row.tenant_id, "message_planned", now, row.id, kind=KIND, period=str(period))
                    for row in new
                ])
            created.update(row.tenant_id for row in new)
    by_id = {tenant.id: tenant for tenant in tenants}
    return PlanReport(
        period=period,
        skipped=skipped,
        reminders=[
            PlannedReminder(
                tenant_id=row["tenant_id"], external_id=by_id[row["tenant_id"]].external_id,
                name=by_id[row["tenant_id"]].name, collection_day=by_id[row["tenant_id"]].collection_day,
                debit_date=row["debit_date"], send_at=row["send_at"], channel=row["channel"],
                template=row["template"], created=row["tenant_id"] in created,
            )
            for row in rows
        ],
    )
