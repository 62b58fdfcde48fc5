"""Use cases of the experiments area: assign while planning, expose on send, convert on payment,
report.

- `assign_planned(connection, settings, kind, period)`: the planner calls it once after its
  set-based insert; it sets each planned message's `variant` and variant `template` from the
  pure hash (or from the stored assignment of a tenant already exposed), in bulk: no
  database round trip per tenant.
- `record_exposure(connection, settings, message, now)`: the dispatcher calls it when the
  provider accepted a message; only then is a tenant exposed. It stores the assignment (first
  exposure wins for the life of the experiment) and the deadline for a conversion.
- `record_payment_outcome(connection, change)`: a PAID change before an exposure's deadline is
  that exposure's conversion (once; a database constraint).
- `build_report(connection, experiment, timezone)`: counts from the tables, figures from
  `domain.stats`, guardrails, and the daily series for the cumulative plot.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.experiment_tables import (
    experiment_assignments,
    experiment_exposures,
    experiment_outcomes,
    experiments,
)
from herinnering.adapters.db.tables import messages, tasks, tenants
from herinnering.adapters.templates import MessageTemplates
from herinnering.config import Settings
from herinnering.domain.experiments import Experiment, Guardrail, Metric, Status
from herinnering.domain.payments import PaymentChange, PaymentStatus

if TYPE_CHECKING:  # scipy loads only when a report is built, not for planning or sending
    from herinnering.domain.stats import Analysis, Comparison, Interval, VariantCounts

log = logging.getLogger(__name__)

DEFAULT_VARIANT = "default"
REPLY_TASK_KIND = "reply_needed"


# --- planning ---------------------------------------------------------------------------------


ASSIGN_CHUNK = 5000


async def assign_planned(
    connection: AsyncConnection, settings: Settings, kind: str, period: str,
    collection_day: int | None = None, send_at: datetime | None = None,
) -> int:
    """Give this period's planned `kind` messages (of tenants with `collection_day` and planned
    for `send_at`, if given: the planner's one day, found through the state/send_at index)
    their experiment variant and template.

    Called by the planner after its set-based insert, in the same transaction, so no message
    can be claimed before it has its variant. Nothing happens (not even a query) unless a
    running experiment covers `kind`. Otherwise: one query for the still-default planned
    messages with their tenant's contract id and language, one for
    the stored assignments (a tenant keeps the variant of its first exposure), the pure hash
    per tenant in memory, and one UPDATE per variant, template and chunk of ids. Returns how
    many messages got a variant."""
    running = [e for e in settings.experiments if e.kind == kind and e.status is Status.RUNNING]
    if not running:
        return 0
    statement = (
        select(messages.c.id, messages.c.tenant_id, messages.c.channel, messages.c.send_at,
               tenants.c.external_id, tenants.c.language)
        .join(tenants, tenants.c.id == messages.c.tenant_id)
        .where(messages.c.kind == kind, messages.c.period == period, messages.c.state == "planned",
               messages.c.variant == DEFAULT_VARIANT)
        .with_for_update(of=messages)  # PostgreSQL: no worker claims them until we commit
    )
    if collection_day is not None:  # the tenant's own new day counts from its month on (issue 10)
        from herinnering.services.self_service import effective_day_sql

        statement = statement.where(effective_day_sql(period) == collection_day)
    if send_at is not None:
        statement = statement.where(messages.c.send_at == send_at)
    rows = (await connection.execute(statement)).all()
    if not rows:
        return 0
    kept = (
        select(experiment_assignments.c.experiment_key, experiment_assignments.c.tenant_id,
               experiment_assignments.c.variant)
        .where(experiment_assignments.c.experiment_key.in_([e.key for e in running]))
    )
    if collection_day is not None:
        kept = kept.join(tenants, tenants.c.id == experiment_assignments.c.tenant_id).where(
            effective_day_sql(period) == collection_day)
    stored = {(r.experiment_key, r.tenant_id): r.variant for r in await connection.execute(kept)}
    timezone = settings.reminders.timezone
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    covering: dict[datetime, Experiment | None] = {}  # one answer per send moment, not per row
    for row in rows:
        if row.send_at not in covering:
            day = row.send_at.astimezone(timezone).date()
            covering[row.send_at] = next((e for e in running if e.assigns(kind, day)), None)
        experiment = covering[row.send_at]
        if experiment is None:
            continue
        previous = stored.get((experiment.key, row.tenant_id))
        variant = (experiment.variant(previous) if previous else None) or experiment.assign(row.external_id)
        if variant is None:  # outside the coverage: the ordinary message, not in the experiment
            continue
        template = MessageTemplates.name(variant.template, row.channel, row.language)
        groups[(variant.name, template)].append(row.id)
    assigned = 0
    for (variant_name, template), ids in groups.items():
        for start in range(0, len(ids), ASSIGN_CHUNK):
            chunk = ids[start:start + ASSIGN_CHUNK]
            await connection.execute(  # by id only: the rows are ours (locked, or SQLite's one writer)
                update(messages).where(messages.c.id.in_(chunk)).values(variant=variant_name, template=template)
            )
            assigned += len(chunk)
    return assigned


def template_kind(message: Any) -> str:
    """The template name to render a message with: its variant's template for an experiment
    message (stored as messages/<lang>/<name>.<channel>.j2), otherwise its kind."""
    if getattr(message, "variant", DEFAULT_VARIANT) in (None, DEFAULT_VARIANT) or not message.template:
        return str(message.kind)
    return PurePosixPath(message.template).name.split(".", 1)[0]


# --- exposure and outcome ---------------------------------------------------------------------


def experiment_of(settings: Settings, message: Any) -> Experiment | None:
    """The experiment a sent message belongs to (kind, planned day and variant name decide)."""
    if message.tenant_id is None or message.variant in (None, DEFAULT_VARIANT):
        return None
    day = message.send_at.astimezone(settings.reminders.timezone).date()
    for experiment in settings.experiments:
        if experiment.records(message.kind, day) and experiment.variant(message.variant) is not None:
            return experiment
    return None


def deadline(experiment: Experiment, debit_date: date | None, exposed_at: datetime, timezone: tzinfo) -> datetime:
    """Until when a payment converts: the end of the debit date (local), or N days after the message."""
    if experiment.metric is Metric.PAID_BY_DEBIT_DATE and debit_date is not None:
        return datetime.combine(debit_date + timedelta(days=1), time(0), timezone)
    return exposed_at + timedelta(days=experiment.metric_days)


def definition(experiment: Experiment) -> dict[str, Any]:
    """The experiment as plain JSON (stored with the first exposure)."""
    return {
        "title": experiment.title, "kind": experiment.kind, "status": str(experiment.status),
        "start": experiment.start.isoformat(), "stop": experiment.stop.isoformat() if experiment.stop else None,
        "control": experiment.control, "metric": str(experiment.metric), "metric_days": experiment.metric_days,
        "guardrails": [str(g) for g in experiment.guardrails], "coverage": experiment.coverage,
        "seed": experiment.hash_seed, "hash_version": experiment.hash_version,
        "planned_sample_size": experiment.planned_sample_size,
        "variants": [{"name": v.name, "template": v.template, "weight": v.weight} for v in experiment.variants],
    }


async def record_exposure(connection: AsyncConnection, settings: Settings, message: Any, now: datetime) -> bool:
    """The provider accepted `message` at `now`: if it belongs to an experiment, its tenant is
    exposed. Idempotent (one exposure per message). Returns whether a new exposure was stored."""
    return await record_exposures(connection, settings, [(message, now)]) == 1


async def record_exposures(
    connection: AsyncConnection, settings: Settings, sent: Sequence[tuple[Any, datetime]]
) -> int:
    """`record_exposure` for many accepted messages at once (a few statements in all)."""
    found = [(m, at, e) for m, at in sent if (e := experiment_of(settings, m)) is not None]
    if not found:
        return 0
    known = {
        row.message_id for row in await connection.execute(
            select(experiment_exposures.c.message_id)
            .where(experiment_exposures.c.message_id.in_([m.id for m, _, _ in found]))
        )
    }
    found = [(m, at, e) for m, at, e in found if m.id not in known]
    if not found:
        return 0
    timezone = settings.reminders.timezone
    first_at = min(at for _, at, _ in found)
    for experiment in {e.key: e for _, _, e in found}.values():
        await connection.execute(
            dialect_insert(connection, experiments)
            .values(key=experiment.key, kind=experiment.kind, definition=definition(experiment), created_at=first_at)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    await connection.execute(
        dialect_insert(connection, experiment_assignments).on_conflict_do_nothing(
            index_elements=["experiment_key", "tenant_id"]),
        [{"experiment_key": e.key, "tenant_id": m.tenant_id, "variant": m.variant, "assigned_at": at}
         for m, at, e in found],
    )
    await connection.execute(
        dialect_insert(connection, experiment_exposures).on_conflict_do_nothing(index_elements=["message_id"]),
        [{"experiment_key": e.key, "variant": m.variant, "tenant_id": m.tenant_id, "message_id": m.id,
          "period": m.period, "metric": str(e.metric), "exposed_at": at,
          "deadline": deadline(e, m.debit_date, at, timezone)} for m, at, e in found],
    )
    await event_log.append(connection, [
        event_log.event(m.tenant_id, "experiment_exposed", at, m.id, experiment=e.key, variant=m.variant)
        for m, at, e in found
    ])
    return len(found)


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Subscriber (bootstrap): a paid month converts the exposures it answers."""
    await record_payment_outcome(connection, change)


async def record_payment_outcome(connection: AsyncConnection, change: PaymentChange) -> None:
    """Turn a PAID change into a conversion for each of the tenant's exposures in that period
    whose deadline the payment met (a late payment is not a conversion). Idempotent."""
    if change.status is not PaymentStatus.PAID:
        return
    open_exposures = (
        select(experiment_exposures)
        .outerjoin(experiment_outcomes, experiment_outcomes.c.exposure_id == experiment_exposures.c.id)
        .where(
            experiment_exposures.c.tenant_id == change.tenant_id,
            experiment_exposures.c.period == change.period,
            experiment_exposures.c.deadline >= change.occurred_at,
            experiment_outcomes.c.id.is_(None),
        )
    )
    rows = (await connection.execute(open_exposures)).fetchall()
    for exposure in rows:
        await connection.execute(
            dialect_insert(connection, experiment_outcomes)
            .values(
                exposure_id=exposure.id, experiment_key=exposure.experiment_key, variant=exposure.variant,
                tenant_id=exposure.tenant_id, metric=exposure.metric, converted_at=change.occurred_at,
                source=change.source[:16],
            )
            .on_conflict_do_nothing(index_elements=["exposure_id"])
        )


# --- report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardrailResult:
    guardrail: Guardrail
    available: bool  # False: the data this needs does not exist yet
    note: str
    rows: tuple[tuple[str, int, int, float | None, Interval | None, Comparison | None], ...] = ()
    # (variant, tenants, events, rate, rate CI, comparison with control)


@dataclass(frozen=True)
class DailyPoint:
    day: date
    exposures: int  # cumulative
    conversions: int  # cumulative

    @property
    def rate(self) -> float:
        return self.conversions / self.exposures if self.exposures else 0.0


@dataclass(frozen=True)
class ExperimentReport:
    experiment: Experiment
    analysis: Analysis
    guardrails: tuple[GuardrailResult, ...]
    series: dict[str, list[DailyPoint]] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        return self.analysis.warnings()


async def _variant_counts(connection: AsyncConnection, experiment: Experiment) -> list[VariantCounts]:
    from herinnering.domain.stats import VariantCounts
    statement = (
        select(experiment_exposures.c.variant, func.count(experiment_exposures.c.id).label("exposures"),
               func.count(experiment_outcomes.c.id).label("conversions"))
        .outerjoin(experiment_outcomes, experiment_outcomes.c.exposure_id == experiment_exposures.c.id)
        .where(experiment_exposures.c.experiment_key == experiment.key)
        .group_by(experiment_exposures.c.variant)
    )
    found = {row.variant: row for row in (await connection.execute(statement)).fetchall()}
    return [
        VariantCounts(v.name, int(found[v.name].exposures) if v.name in found else 0,
                      int(found[v.name].conversions) if v.name in found else 0, v.weight)
        for v in experiment.variants
    ]


def _first_exposures(experiment: Experiment) -> Any:
    return (
        select(experiment_exposures.c.tenant_id, experiment_exposures.c.variant,
               func.min(experiment_exposures.c.exposed_at).label("first_at"))
        .where(experiment_exposures.c.experiment_key == experiment.key)
        .group_by(experiment_exposures.c.tenant_id, experiment_exposures.c.variant)
        .subquery()
    )


async def _guardrail(
    connection: AsyncConnection, experiment: Experiment, guardrail: Guardrail, alpha: float
) -> GuardrailResult:
    from herinnering.domain.stats import VariantCounts, compare, rate_interval
    first = _first_exposures(experiment)
    if guardrail is Guardrail.OPT_OUT_RATE:
        hit = and_(tenants.c.opted_out_at.is_not(None), tenants.c.opted_out_at >= first.c.first_at)
        statement = (
            select(first.c.variant, func.count().label("tenants"), func.count().filter(hit).label("events"))
            .select_from(first.join(tenants, tenants.c.id == first.c.tenant_id))
            .group_by(first.c.variant)
        )
        note = "tenants who opted out (STOP) after their first message in the experiment"
    else:
        any_reply_tasks = (await connection.execute(
            select(func.count()).select_from(tasks).where(tasks.c.kind == REPLY_TASK_KIND)
        )).scalar_one()
        if not any_reply_tasks:
            return GuardrailResult(guardrail, False, "not yet available: no reply_needed tasks recorded yet "
                                                     "(the officer inbox creates them)")
        replied = (
            select(tasks.c.tenant_id, func.min(tasks.c.created_at).label("at"))
            .where(tasks.c.kind == REPLY_TASK_KIND).group_by(tasks.c.tenant_id).subquery()
        )
        hit = and_(replied.c.at.is_not(None), replied.c.at >= first.c.first_at)
        statement = (
            select(first.c.variant, func.count().label("tenants"), func.count().filter(hit).label("events"))
            .select_from(first.outerjoin(replied, replied.c.tenant_id == first.c.tenant_id))
            .group_by(first.c.variant)
        )
        note = "tenants whose reply needed an officer (a reply_needed task) after their first message"
    found = {row.variant: (int(row.tenants), int(row.events)) for row in (await connection.execute(statement))}
    counts = [VariantCounts(v.name, *found.get(v.name, (0, 0)), v.weight) for v in experiment.variants]
    control = next(c for c in counts if c.name == experiment.control)
    rows = tuple(
        (c.name, c.exposures, c.conversions, c.conversions / c.exposures if c.exposures else None,
         rate_interval(c.conversions, c.exposures, alpha),
         None if c.name == experiment.control else compare(c, control, alpha))
        for c in counts
    )
    return GuardrailResult(guardrail, True, note, rows)


async def _series(connection: AsyncConnection, experiment: Experiment, timezone: tzinfo) -> dict[str, list[DailyPoint]]:
    statement = (
        select(experiment_exposures.c.variant, experiment_exposures.c.exposed_at,
               experiment_outcomes.c.id.is_not(None).label("converted"))
        .outerjoin(experiment_outcomes, experiment_outcomes.c.exposure_id == experiment_exposures.c.id)
        .where(experiment_exposures.c.experiment_key == experiment.key)
    )
    per_day: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in (await connection.execute(statement)):
        cell = per_day[row.variant][row.exposed_at.astimezone(timezone).date()]
        cell[0] += 1
        cell[1] += int(bool(row.converted))
    series: dict[str, list[DailyPoint]] = {}
    for variant in experiment.variants:
        exposures = conversions = 0
        points: list[DailyPoint] = []
        for day in sorted(per_day.get(variant.name, {})):
            exposures += per_day[variant.name][day][0]
            conversions += per_day[variant.name][day][1]
            points.append(DailyPoint(day, exposures, conversions))
        series[variant.name] = points
    return series


async def build_report(connection: AsyncConnection, experiment: Experiment, timezone: tzinfo) -> ExperimentReport:
    from herinnering.domain.stats import analyse
    counts = await _variant_counts(connection, experiment)
    analysis = analyse(counts, experiment.control, alpha=experiment.alpha, power=experiment.power,
                       planned_sample_size=experiment.planned_sample_size)
    guardrails = tuple([await _guardrail(connection, experiment, g, experiment.alpha) for g in experiment.guardrails])
    return ExperimentReport(experiment, analysis, guardrails, await _series(connection, experiment, timezone))


def find(settings: Settings, key: str) -> Experiment | None:
    return next((e for e in settings.experiments if e.key == key), None)


async def exposure_counts(connection: AsyncConnection) -> dict[str, int]:
    """Exposures per experiment key (the list page and command)."""
    statement = select(experiment_exposures.c.experiment_key, func.count().label("n")).group_by(
        experiment_exposures.c.experiment_key
    )
    return {row.experiment_key: int(row.n) for row in (await connection.execute(statement))}


def missing_templates(experiment: Experiment, templates: MessageTemplates, languages: Sequence[str],
                      channels: Sequence[str] = ("sms", "whatsapp")) -> list[str]:
    """Template files a variant needs that do not exist (checked by `experiment list`)."""
    import jinja2

    missing = []
    for variant in experiment.variants:
        for language in languages:
            for channel in channels:
                name = templates.name(variant.template, channel, language)
                try:
                    templates.env.get_template(name)
                except jinja2.TemplateNotFound:
                    missing.append(name)
    return missing
