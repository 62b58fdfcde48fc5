"""Use case: plan the pre-debit reminders of one month.

The planner's answer depends only on the collection day (the rules and the clock are the same
for everyone), so it is computed once per day — at most 28 times — and each day's reminders
are written with one set-based `INSERT … SELECT` over the tenants who chose that day. Memory
stays flat from 50 tenants to the whole sector. The outbox's unique idempotency key
(`pre_debit:<tenant>:<period>`) makes planning the same month twice, or in two processes at
once, harmless.

Segments steer the cadence (`[segments.cadence]`, services/reminders/cadence.py): a tenant who opted out
while in a segment that allows it gets none, and a segment with `extra_lead_days` also gets an
earlier reminder — one more set-based statement per day and lead time, keyed
`pre_debit_early:<tenant>:<period>`, with the same kind and template.

How the tenant pays picks the kind (domain/payments/methods.py): `pre_debit` for direct debit,
`pre_due` (how to pay, never "we collect") for transfer and other payers, keyed
`pre_due:<tenant>:<period>`. A lease's last day ends the planning: a reminder for a debit date
on or before it is still planned, none after.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.engine import Database, dialect_insert
from herinnering.adapters.db.tables import UtcDateTime, messages, tenants
from herinnering.adapters.templates import MessageTemplates, template_path_sql
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.payments.methods import (
    PRE_DEBIT_KIND,
    PRE_DUE_KIND,
    lease_covers,
    reminder_kind,
)
from herinnering.domain.reminders.planning import MAX_LEAD_DAYS, Period, Reminder, plan_reminder
from herinnering.domain.reminders.states import MessageState
from herinnering.services.experiments import experiments
from herinnering.services.reminders import cadence
from herinnering.services.tenants.self_service import effective_day_sql

KIND = PRE_DEBIT_KIND
DUE_KIND = PRE_DUE_KIND  # the same reminder for tenants who pay by transfer (domain/payments/methods.py)
EARLY_KEY = "pre_debit_early"  # the extra earlier reminder of a segment with extra_lead_days


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


@dataclass
class PlanReport:
    period: Period
    planned: int = 0   # tenants with a reminder this month
    created: int = 0   # of which new now (the rest were planned before)
    skipped: int = 0   # tenants whose moment had passed
    extra: int = 0     # extra earlier reminders (segment cadence) new now
    preview: list[PlannedReminder] = field(default_factory=list)


def _plannable(settings: Settings) -> Any:
    """Active, not opted out of messages, and not opted out of this reminder (segment cadence)."""
    return and_(tenants.c.active.is_(True), tenants.c.opted_out.is_(False), cadence.wants_pre_debit_sql(settings))


async def plan_month(
    db: Database, settings: Settings, templates: MessageTemplates, clock: Clock, period: Period,
    *, dry_run: bool = False, preview: int = 0,
) -> PlanReport:
    now = clock.now()
    rules = settings.reminders.planning_rules()
    report = PlanReport(period=period)
    days = effective_day_sql(str(period)).label("day")  # the tenant's own new day, from its month on (issue 10)
    chosen = select(days).where(_plannable(settings)).subquery()
    async with db.begin() as connection:
        per_day = dict((await connection.execute(
            select(chosen.c.day, func.count()).group_by(chosen.c.day)
        )).all())
    plans = {day: plan_reminder(period, day, rules, now) for day in per_day}
    due = sorted((day, reminder) for day, reminder in plans.items() if reminder is not None)
    report.planned = sum(per_day[day] for day, _ in due)
    report.skipped = sum(per_day.values()) - report.planned
    if not dry_run:
        # PostgreSQL writes two days at once on two connections (one per core); SQLite has one writer.
        lanes = 2 if db.dialect == "postgresql" else 1

        async def lane(days: list[tuple[int, Reminder | None]]) -> int:
            created = 0
            for day, reminder in days:
                assert reminder is not None
                async with db.begin() as connection:
                    created += await _insert_day(connection, settings, period, day, reminder, now)
                    await experiments.assign_planned(connection, settings, KIND, str(period), day, reminder.send_at)
            return created

        report.created = sum(await asyncio.gather(*(lane(due[i::lanes]) for i in range(lanes))))
        report.extra = await _plan_extra(db, settings, period, dict(due), now)
    if preview:
        async with db.begin() as connection:
            report.preview = await _preview(connection, settings, plans, period, preview)
    return report


async def _plan_extra(
    db: Database, settings: Settings, period: Period, normal: dict[int, Reminder | None], now: datetime,
) -> int:
    """The extra earlier reminders: per extra lead time and collection day one statement over the
    tenants whose latest segment asks for it; only when it falls before that day's normal one."""
    created = 0
    rules = settings.reminders.planning_rules()
    for extra_days, segments in cadence.extra_reminders(settings).items():
        early_rules = replace(rules, lead_days=min(rules.lead_days + extra_days, MAX_LEAD_DAYS))
        for day, reminder in sorted(normal.items()):
            early = plan_reminder(period, day, early_rules, now)
            if reminder is None or early is None or early.send_at >= reminder.send_at:
                continue
            async with db.begin() as connection:
                created += await _insert_day(connection, settings, period, day, early, now, key_prefix=EARLY_KEY,
                                             also=cadence.in_segments_sql(segments))
                await experiments.assign_planned(connection, settings, KIND, str(period), day, early.send_at)
    return created


async def _insert_day(
    connection: AsyncConnection, settings: Settings, period: Period, day: int, reminder: Reminder, now: datetime,
    *, key_prefix: str = KIND, also: Any = None,
) -> int:
    """All reminders of one collection day in one statement; returns how many were new.

    A tenant who pays by direct debit gets `pre_debit` ("we collect on …"), anyone else
    `pre_due` ("please pay before …, to IBAN …"), keyed `pre_due:<tenant>:<period>`; nobody
    gets one for a date after their lease's last day."""
    kind = tenant_store.reminder_kind_sql()
    prefix = tenant_store.reminder_kind_sql(f"{key_prefix}:", f"{key_prefix.replace(KIND, DUE_KIND)}:")
    key = prefix + cast(tenants.c.id, String) + literal(f":{period}")  # pre_debit:<tenant>:<period>, pre_due:…
    source = select(
        tenants.c.id, kind, literal(str(period)), key, tenants.c.channel,
        template_path_sql(kind, tenants.c.language, tenants.c.channel), literal("default"),
        literal(MessageState.PLANNED.value), literal(reminder.send_at, UtcDateTime),
        literal(reminder.not_after, UtcDateTime), literal(reminder.debit_date), literal(0),
        literal(now, UtcDateTime), literal(now, UtcDateTime),
    ).where(_plannable(settings), effective_day_sql(str(period)) == day,
            tenant_store.lease_covers_sql(reminder.debit_date))
    if also is not None:
        source = source.where(also)
    if connection.dialect.name == "sqlite":
        source = source.where(literal(True))  # SQLite needs a WHERE before an upsert clause
    columns = ["tenant_id", "kind", "period", "idempotency_key", "channel", "template", "variant", "state",
               "send_at", "not_after", "debit_date", "attempts", "created_at", "updated_at"]
    insert = (
        dialect_insert(connection, messages).from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return (await connection.execute(insert)).rowcount


async def _preview(
    connection: AsyncConnection, settings: Settings, plans: dict[int, Reminder | None], period: Period, limit: int
) -> list[PlannedReminder]:
    """The first reminders of the month, for the CLI's table."""
    days = [day for day, reminder in plans.items() if reminder is not None]
    rows = (await connection.execute(
        select(tenants.c.id, tenants.c.external_id, tenants.c.name,
               effective_day_sql(str(period)).label("collection_day"), tenants.c.channel, tenants.c.language,
               tenants.c.payment_method, tenants.c.contract_ended_on)
        .where(_plannable(settings), effective_day_sql(str(period)).in_(days))
        .order_by("collection_day", tenants.c.id).limit(limit)
    )).all()
    result = []
    for row in rows:
        reminder = plans[row.collection_day]
        assert reminder is not None
        if not lease_covers(reminder.debit_date, row.contract_ended_on):
            continue
        result.append(PlannedReminder(
            tenant_id=row.id, external_id=row.external_id, name=row.name, collection_day=row.collection_day,
            debit_date=reminder.debit_date, send_at=reminder.send_at, channel=row.channel,
            template=MessageTemplates.name(reminder_kind(row.payment_method), row.channel, row.language),
        ))
    return sorted(result, key=lambda r: (r.send_at, r.collection_day, r.tenant_id))
