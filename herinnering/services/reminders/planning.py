"""Use case: plan the pre-debit reminders of one month.

The planner's answer depends only on the collection day (the rules and the clock are the same
for everyone), so `domain.reminders.planning` is asked once per day — at most 28 times — and the month's
reminders are written by one set-based `INSERT … SELECT` that joins the tenants to those days
(adapters/db/planning_store.py), each new message with its experiment variant. Memory stays flat
from 50 tenants to the whole sector. The outbox's unique idempotency key
(`pre_debit:<tenant>:<period>`) makes planning the same month twice, or in two processes at
once, harmless; for a tenant already planned nothing is written (one probe of that key's
index), so planning again costs little more than a read of the tenants.

Segments steer the cadence (`[segments.cadence]`, services/reminders/cadence.py): a tenant who opted out
while in a segment that allows it gets none, and a segment with `extra_lead_days` also gets an
earlier reminder — one more statement per extra lead time, keyed
`pre_debit_early:<tenant>:<period>`, with the same kind and template.

How the tenant pays picks the kind (domain/payments/methods.py): `pre_debit` for direct debit,
`pre_due` (how to pay, never "we collect") for transfer and other payers, keyed
`pre_due:<tenant>:<period>`. A lease's last day ends the planning: a reminder for a debit date
on or before it is still planned, none after.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from herinnering.adapters.db import AsyncConnection, planning_store
from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates, template_path
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.experiments.experiments import Experiment
from herinnering.domain.payments.methods import (
    PRE_DEBIT_KIND,
    PRE_DUE_KIND,
    lease_covers,
    reminder_kind,
)
from herinnering.domain.reminders.planning import MAX_LEAD_DAYS, Period, Reminder, plan_reminder
from herinnering.services.experiments import experiments
from herinnering.services.reminders import cadence

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


async def plan_month(
    db: Database, settings: Settings, templates: MessageTemplates, clock: Clock, period: Period,
    *, dry_run: bool = False, preview: int = 0,
) -> PlanReport:
    now = clock.now()
    rules = settings.reminders.planning_rules()
    report = PlanReport(period=period)
    async with db.begin() as connection:
        per_day = await planning_store.days_in_use(connection, str(period), cadence.opt_out_segments(settings))
    plans = {day: plan_reminder(period, day, rules, now) for day in per_day}
    due = {day: reminder for day, reminder in sorted(plans.items()) if reminder is not None}
    report.planned = sum(per_day[day] for day in due)
    report.skipped = sum(per_day.values()) - report.planned
    if not dry_run:
        async with db.begin() as connection:
            running = await experiments.running(connection, settings, (KIND, DUE_KIND))
            report.created = await _insert(connection, settings, period, due, now, running)
            report.extra = await _insert_extra(connection, settings, period, due, now, running)
    if preview:
        async with db.begin() as connection:
            report.preview = await _preview(connection, settings, plans, period, preview)
    return report


async def _insert(
    connection: AsyncConnection, settings: Settings, period: Period, reminders: dict[int, Reminder],
    now: datetime, running: list[Experiment], *, key: str = KIND, in_segments: list[int] | None = None,
) -> int:
    """The reminders of these collection days in one statement; returns how many were new.

    A tenant who pays by direct debit gets `pre_debit` ("we collect on …"), anyone else
    `pre_due` ("please pay before …, to IBAN …"), keyed `pre_due:<tenant>:<period>`; nobody
    gets one for a date after their lease's last day. An experiment takes the new messages of
    the days it runs on (its window holds the local day of the send moment)."""
    timezone = settings.reminders.timezone
    days = [
        planning_store.PlannedDay(
            day, reminder.send_at, reminder.not_after, reminder.debit_date,
            frozenset(i for i, e in enumerate(running) if e.in_window(reminder.send_at.astimezone(timezone).date())),
        )
        for day, reminder in reminders.items()
    ]
    return await planning_store.insert_reminders(
        connection, str(period), days, now, opt_out_segments=cadence.opt_out_segments(settings), debit_kind=KIND,
        due_kind=DUE_KIND, key_prefixes=(key, key.replace(KIND, DUE_KIND)), experiments=running,
        in_segments=in_segments,
    )


async def _insert_extra(
    connection: AsyncConnection, settings: Settings, period: Period, normal: dict[int, Reminder], now: datetime,
    running: list[Experiment],
) -> int:
    """The extra earlier reminders: one statement per extra lead time over the tenants whose
    latest segment asks for it, on the days where it falls before that day's normal one."""
    created = 0
    rules = settings.reminders.planning_rules()
    for extra_days, segments in cadence.extra_reminders(settings).items():
        early_rules = replace(rules, lead_days=min(rules.lead_days + extra_days, MAX_LEAD_DAYS))
        early = {day: e for day, reminder in normal.items()
                 if (e := plan_reminder(period, day, early_rules, now)) is not None and e.send_at < reminder.send_at}
        if early:
            created += await _insert(connection, settings, period, early, now, running, key=EARLY_KEY,
                                     in_segments=segments)
    return created


async def _preview(
    connection: AsyncConnection, settings: Settings, plans: dict[int, Reminder | None], period: Period, limit: int
) -> list[PlannedReminder]:
    """The first reminders of the month, for the CLI's table."""
    days = [day for day, reminder in plans.items() if reminder is not None]
    rows = await planning_store.first_tenants(connection, str(period), cadence.opt_out_segments(settings), days,
                                              limit)
    result = []
    for row in rows:
        reminder = plans[row.collection_day]
        assert reminder is not None
        if not lease_covers(reminder.debit_date, row.contract_ended_on):
            continue
        result.append(PlannedReminder(
            tenant_id=row.id, external_id=row.external_id, name=row.name, collection_day=row.collection_day,
            debit_date=reminder.debit_date, send_at=reminder.send_at, channel=row.channel,
            template=template_path(reminder_kind(row.payment_method), row.channel, row.language),
        ))
    return sorted(result, key=lambda r: (r.send_at, r.collection_day, r.tenant_id))
