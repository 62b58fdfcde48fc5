"""Use case: the team lead's early-warning view — who is at risk this month, how the segments
move over time, and which cases are ready for the municipality (Wgs).

A tenant is at risk for any of: a returned debit last month, more than one month open (the
balance grows), an instalment missed in the last 30 days, a segment that moved up in the last
30 days. Each row carries the reasons and the tenant's conversation, so the view is one click
from the thread (a thread is made for a tenant who never wrote). Wgs readiness comes from the
lawful area's gate (`services.early_warning.verdict_for`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from herinnering.adapters.db import AsyncConnection, risk_store, tenant_store, thread_store
from herinnering.config import Settings
from herinnering.domain.reminders.planning import Period
from herinnering.domain.tenants.segments import LABELS, Segment
from herinnering.runtime import Runtime
from herinnering.services.legal.early_warning import verdict_for
from herinnering.services.tenants.segments import counts_over_time, segment_of

log = logging.getLogger(__name__)


@dataclass
class RiskRow:
    tenant_id: int
    external_id: str
    name: str
    reasons: list[str] = field(default_factory=list)
    segment: str = ""
    thread_id: int | None = None


async def at_risk(connection: AsyncConnection, settings: Settings, today: date, now: datetime) -> list[RiskRow]:
    rows: dict[int, list[str]] = {}
    last_month = str(Period(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1))
    for tenant_id, code in await risk_store.returned_in(connection, last_month):
        rows.setdefault(tenant_id, []).append(f"terugboeking vorige maand ({code or '?'})")
    open_months: dict[int, int] = {}
    for tenant_id in await risk_store.open_month_tenants(connection):
        open_months[tenant_id] = open_months.get(tenant_id, 0) + 1
    for tenant_id, n in open_months.items():
        if n > 1:
            rows.setdefault(tenant_id, []).append(f"achterstand groeit: {n} maanden open")
    month_ago = today - timedelta(days=30)
    missed = await risk_store.missed_instalments_since(connection, month_ago)
    for tenant_id, due in missed:
        rows.setdefault(tenant_id, []).append(f"termijn gemist ({due:%d-%m-%Y})")
    since = datetime.combine(month_ago, time(), tzinfo=UTC)
    for tenant_id, data in await risk_store.events_since(connection, "segment_moved_up", since):
        rows.setdefault(tenant_id, []).append(f"segment omhoog naar {data.get('segment')}")
    found = []
    for tenant_id, reasons in sorted(rows.items()):
        tenant = await tenant_store.by_id(connection, tenant_id)
        if tenant is None or not tenant.active:
            continue
        thread = await thread_store.thread_for(connection, tenant.id, tenant.phone, tenant.channel, now)
        current = await segment_of(connection, tenant.id)
        label = f"{current.segment}: {LABELS[Segment(current.segment)]}" if current is not None else ""
        found.append(RiskRow(tenant.id, tenant.external_id, tenant.name, sorted(set(reasons)), label, thread.id))
    return found


async def wgs_ready(connection: AsyncConnection, settings: Settings, today: date, now: datetime) -> list[RiskRow]:
    """Open cases the lawful gate says may be signalled to the municipality now."""
    cases = await risk_store.open_cases_with_contact(connection)
    found = []
    for case in cases:
        try:
            verdict = await verdict_for(connection, settings, case, case.municipality, today)
        except Exception:  # the gate is another area's; a failure there must not break this view
            log.exception("Wgs verdict for case %s failed", case.id)
            continue
        if getattr(verdict, "ready", False):
            thread = await thread_store.thread_for(connection, case.tenant_id, case.phone, case.channel, now)
            found.append(RiskRow(case.tenant_id, case.external_id, case.name, [f"{case.period}: klaar voor de gemeente"],
                                 thread_id=thread.id))
    return found


def segment_plot(counts: dict[date, Any]) -> bytes:
    """Tenants per segment per day, as a PNG."""
    from matplotlib.figure import Figure  # matplotlib: when the risk page asks, not at start

    from herinnering.adapters.plots import COLOURS, _png  # it loads matplotlib too

    figure = Figure(figsize=(6.4, 3.4))
    axes = figure.subplots()
    days = sorted(counts)
    for index, segment in enumerate(Segment):
        axes.plot(days, [counts[d].get(int(segment), 0) for d in days], marker=".",  # type: ignore[arg-type]  # matplotlib plots dates through its unit converters; its stubs name numbers only
                  color=COLOURS[index % len(COLOURS)], label=f"{int(segment)}: {LABELS[segment]}")
    axes.set_ylabel("huurders")
    axes.set_title("Segmenten per dag", fontsize=10)
    axes.grid(alpha=0.3)
    if days:
        axes.legend(fontsize=7)
    figure.autofmt_xdate()
    return _png(figure)


async def overview(runtime: Runtime) -> tuple[list[RiskRow], list[RiskRow], dict[date, Any]]:
    """The risk page in one transaction: tenants at risk, cases ready for the municipality, and
    the segment counts of the last year."""
    now = runtime.clock.now()
    today = now.astimezone(runtime.settings.reminders.timezone).date()
    async with runtime.db.begin() as connection:
        risky = await at_risk(connection, runtime.settings, today, now)
        wgs = await wgs_ready(connection, runtime.settings, today, now)
        counts = await counts_over_time(connection, today - timedelta(days=365))
    return risky, wgs, counts
