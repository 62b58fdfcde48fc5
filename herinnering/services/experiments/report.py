"""An experiment's report from the tables: per phase, the tenant as the unit, the honest month.

`build_report(connection, experiment, timezone, now)`:
1. the phases the experiment ran in (variants and weights of each; a removed variant stays);
2. its exposures, each month's payment timeline, and each tenant's on-time share over up to
   six months before their first exposure (the CUPED covariate: paid, and last changed by the
   end of the debit day);
3. each tenant-month judged at `now` (`domain.experiment_outcomes.judge_month`);
4. per phase — the tenants whose first exposure fell in it, with that phase's weights — the
   analysis of `domain.experiment_analysis`, with a look at the end of every local day;
5. the guardrails (opt-outs, officer replies) per variant, as before.
Notes for the page are codes with numbers; the page words them (in Dutch).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import numpy as np

from herinnering.adapters.db import AsyncConnection, experiment_report_store
from herinnering.domain.experiments.analysis import ExperimentAnalysis, ExposureRows, analyse
from herinnering.domain.experiments.experiments import Experiment, Guardrail, Variant
from herinnering.domain.experiments.outcomes import MonthOutcome, judge_month
from herinnering.domain.experiments.stats import (
    Comparison,
    Interval,
    VariantCounts,
    compare,
    rate_interval,
)
from herinnering.domain.reminders.planning import Period, debit_date

__all__ = ["ExperimentReport", "GuardrailResult", "Note", "PhaseReport", "build_report"]

REPLY_TASK_KIND = "reply_needed"
HISTORY_MONTHS = 6
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class GuardrailResult:
    guardrail: Guardrail
    available: bool  # False: the data this needs does not exist yet
    note: str
    rows: tuple[tuple[str, int, int, float | None, Interval | None, Comparison | None], ...] = ()
    # (variant, tenants, events, rate, rate CI, comparison with control)


@dataclass(frozen=True)
class Note:
    code: str  # srm, mixed, open, already_paid, repeats, no_plan, early, phases
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PhaseReport:
    phase: int
    started_at: datetime | None
    variants: tuple[Variant, ...]  # as the phase ran; `removed`: not in today's configuration
    removed: tuple[str, ...]
    analysis: ExperimentAnalysis
    look_days: dict[float, date]  # look moment -> local day (for the chart)


@dataclass(frozen=True)
class ExperimentReport:
    experiment: Experiment
    phases: tuple[PhaseReport, ...]  # oldest first; the last one is the current phase
    guardrails: tuple[GuardrailResult, ...]
    now: datetime
    mixed: int = 0  # tenants exposed to more than one variant over all phases

    @property
    def current(self) -> PhaseReport:
        return self.phases[-1]

    @property
    def analysis(self) -> ExperimentAnalysis:
        return self.current.analysis

    def notes(self, phase: PhaseReport | None = None) -> list[Note]:
        a = (phase or self.current).analysis
        notes: list[Note] = []
        if a.srm.mismatch:
            notes.append(Note("srm", {"p": a.srm.p_value, "observed": a.srm.observed, "expected": a.srm.expected}))
        if a.mixed or (phase is None and self.mixed):
            notes.append(Note("mixed", {"tenants": a.mixed if phase is not None else max(a.mixed, self.mixed)}))
        if a.planned == 0:
            notes.append(Note("no_plan"))
        elif not a.planned_reached:
            notes.append(Note("early", {"judged": sum(a.judged), "planned": a.planned}))
        if a.open_months:
            notes.append(Note("open", {"months": a.open_months}))
        if a.already_paid_months:
            notes.append(Note("already_paid", {"months": a.already_paid_months}))
        if a.repeat_exposures:
            notes.append(Note("repeats", {"messages": a.repeat_exposures}))
        if len(self.phases) > 1 and phase is None:
            notes.append(Note("phases", {"count": len(self.phases)}))
        return notes


def _days(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400


async def _phases(connection: AsyncConnection, experiment: Experiment) -> list[tuple[int, datetime | None, list[Variant]]]:
    found = [
        (int(row.phase), row.started_at,
         [Variant(v["name"], v["template"], float(v["weight"])) for v in row.definition["variants"]])
        for row in await experiment_report_store.phases(connection, experiment.key)
    ]
    return found or [(1, None, list(experiment.variants))]


async def _timelines(connection: AsyncConnection, experiment: Experiment) -> dict[tuple[int, str], list[tuple[datetime, str]]]:
    changes: dict[tuple[int, str], list[tuple[datetime, str]]] = defaultdict(list)
    for row in await experiment_report_store.payment_changes_of_exposed(connection, experiment.key):
        changes[(row.tenant_id, row.period)].append((row.occurred_at, row.status))
    return changes


async def _on_time_shares(
    connection: AsyncConnection, experiment: Experiment, first_period: dict[int, str], timezone: tzinfo,
) -> dict[int, float]:
    """Each tenant's share of months paid by the end of the debit day, over up to six months
    before the month of their first exposure."""
    history: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for row in await experiment_report_store.months_of_exposed(connection, experiment.key):
        if row.tenant_id not in first_period or row.period >= first_period[row.tenant_id]:
            continue
        try:
            due = debit_date(Period.parse(row.period), row.collection_day)
        except ValueError:
            continue
        end_of_due = datetime.combine(due + timedelta(days=1), time(0), timezone)
        history[row.tenant_id].append((row.period, row.status == "paid" and row.updated_at <= end_of_due))
    return {tenant: float(np.mean([ok for _, ok in sorted(months)[-HISTORY_MONTHS:]]))
            for tenant, months in history.items()}


async def build_report(
    connection: AsyncConnection, experiment: Experiment, timezone: tzinfo, now: datetime,
) -> ExperimentReport:
    phases = await _phases(connection, experiment)
    exposures = await experiment_report_store.exposures(connection, experiment.key)
    first: dict[int, Any] = {}
    for row in exposures:
        first.setdefault(row.tenant_id, row)
    timelines = await _timelines(connection, experiment)
    shares = await _on_time_shares(connection, experiment, {t: r.period for t, r in first.items()}, timezone)
    reports = []
    for number, started_at, variants in phases:
        rows = [r for r in exposures if r.phase == number and first[r.tenant_id].phase == number]
        reports.append(_phase_report(experiment, number, started_at, variants, rows, timelines, shares, timezone, now))
    guardrails = tuple([await _guardrail(connection, experiment, g, experiment.alpha) for g in experiment.guardrails])
    seen: dict[int, set[str]] = defaultdict(set)
    for row in exposures:
        seen[row.tenant_id].add(row.variant)
    mixed = sum(len(variants) > 1 for variants in seen.values())
    return ExperimentReport(experiment, tuple(reports), guardrails, now, mixed)


def _phase_report(
    experiment: Experiment, number: int, started_at: datetime | None, variants: list[Variant], rows: list[Any],
    timelines: dict[tuple[int, str], list[tuple[datetime, str]]], shares: dict[int, float], timezone: tzinfo,
    now: datetime,
) -> PhaseReport:
    configured = {v.name for v in experiment.variants}
    names = [v.name for v in variants]
    for row in rows:  # a variant seen but not in the phase's definition stays visible
        if row.variant not in names:
            names.append(row.variant)
            variants.append(Variant(row.variant, "?", 0.0))
    codes = {t: i for i, t in enumerate(dict.fromkeys(r.tenant_id for r in rows))}
    periods = {p: i for i, p in enumerate(sorted({r.period for r in rows}))}
    month_first: dict[tuple[int, str], Any] = {}
    for row in rows:
        month_first.setdefault((row.tenant_id, row.period), row)
    judged = {}
    for key, row in month_first.items():
        if row.paid_at_exposure:
            judged[key] = MonthOutcome.ALREADY_PAID
        else:
            judged[key] = judge_month(timelines.get(key, []), row.exposed_at, row.deadline, experiment.return_days, now)
    covariate = np.full(len(codes), np.nan)
    for tenant, code in codes.items():
        covariate[code] = shares.get(tenant, np.nan)
    data = ExposureRows(
        tenant=np.array([codes[r.tenant_id] for r in rows], dtype=np.int64),
        variant=np.array([names.index(r.variant) for r in rows], dtype=np.int64),
        month=np.array([periods[r.period] for r in rows], dtype=np.int64),
        exposed=np.array([_days(r.exposed_at) for r in rows]),
        closes=np.array([_days(r.deadline) + experiment.return_days for r in rows]),
        outcome=np.array([judged[(r.tenant_id, r.period)] for r in rows], dtype=np.int8),
        covariate=covariate,
    )
    look_days: dict[float, date] = {}
    if rows:
        day = rows[0].exposed_at.astimezone(timezone).date()
        today = now.astimezone(timezone).date()
        while day <= today:
            end = min(now, datetime.combine(day + timedelta(days=1), time(0), timezone))
            look_days[_days(end)] = day
            day += timedelta(days=1)
    running = (now - rows[0].exposed_at).total_seconds() / 86400 if rows else 0.0
    control = experiment.control if experiment.control in names else names[0]
    analysis = analyse(
        data, names, [v.weight for v in variants], control, look_times=sorted(look_days), alpha=experiment.alpha,
        power=experiment.power, planned=experiment.planned_sample_size, target_uplift=experiment.target_uplift,
        correction=experiment.correction, days_running=running,
    )
    return PhaseReport(number, started_at, tuple(variants), tuple(n for n in names if n not in configured),
                       analysis, look_days)


async def _guardrail(
    connection: AsyncConnection, experiment: Experiment, guardrail: Guardrail, alpha: float
) -> GuardrailResult:
    if guardrail is Guardrail.OPT_OUT_RATE:
        found = await experiment_report_store.opt_outs_per_variant(connection, experiment.key)
        note = "huurders die zich afmeldden (STOP) na hun eerste bericht in het experiment"
    else:
        if not await experiment_report_store.any_tasks(connection, REPLY_TASK_KIND):
            return GuardrailResult(guardrail, False, "nog niet beschikbaar: er zijn nog geen antwoorden die een "
                                                     "medewerker nodig hadden")
        found = await experiment_report_store.tasks_per_variant(connection, experiment.key, REPLY_TASK_KIND)
        note = "huurders van wie een antwoord een medewerker nodig had, na hun eerste bericht"
    counts = [VariantCounts(v.name, *found.get(v.name, (0, 0)), v.weight) for v in experiment.variants]
    control = next(c for c in counts if c.name == experiment.control)
    rows = tuple(
        (c.name, c.exposures, c.conversions, c.conversions / c.exposures if c.exposures else None,
         rate_interval(c.conversions, c.exposures, alpha),
         None if c.name == experiment.control else compare(c, control, alpha))
        for c in counts
    )
    return GuardrailResult(guardrail, True, note, rows)
