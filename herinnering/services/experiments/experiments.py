"""Use cases of the experiments area: assign while planning, expose on send, convert on payment,
report.

- Assignment happens while planning, in the planner's INSERT (adapters/db/planning_store.py):
  each new message gets its `variant` and the variant's `template` from the pure hash (or from
  the stored assignment of a tenant already exposed); nothing is updated afterwards.
- `record_exposure(connection, settings, message, now)`: the dispatcher calls it when the
  provider accepted a message; only then is a tenant exposed. It stores the assignment (first
  exposure wins for the life of the experiment) and the deadline for a conversion.
- `record_payment_outcome(connection, change)`: every payment status change of an exposed
  tenant's month joins that month's timeline (`experiment_payment_changes`; the report judges
  the month from it), and a PAID change after an exposure and before its deadline is that
  exposure's conversion (once; a database constraint; used by the per-segment split).
- The report is `services.experiment_report.build_report`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import jinja2

from herinnering.adapters.db import AsyncConnection, experiment_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import payment_round_store as round_store
from herinnering.adapters.templates import MessageTemplates, template_name
from herinnering.config import Settings
from herinnering.domain.experiments.experiments import Experiment, Metric, Status
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.services.experiments import admin as experiment_admin

log = logging.getLogger(__name__)

DEFAULT_VARIANT = "default"


# --- planning and sending ---------------------------------------------------------------------
# The planner assigns each new message its variant in its own INSERT (adapters/db/planning_store.py,
# the same pure hash as `Experiment.assign`, and a tenant's stored assignment first).


async def running(connection: AsyncConnection, settings: Settings, kinds: Sequence[str]) -> list[Experiment]:
    """The running experiments on any of `kinds`, from the file and from the screen, in the
    order that decides when several could take a tenant (the first that does wins)."""
    candidates = tuple(settings.experiments) + await experiment_admin.managed(connection)
    return [e for e in candidates if e.kind in kinds and e.status is Status.RUNNING]


def template_kind(message: Any) -> str:
    """The template name to render a message with: its variant's template for an experiment
    message (stored as messages/<lang>/<name>.<channel>.j2), otherwise its kind."""
    if getattr(message, "variant", DEFAULT_VARIANT) in (None, DEFAULT_VARIANT) or not message.template:
        return str(message.kind)
    return template_name(message.template)


# --- exposure and outcome ---------------------------------------------------------------------


def experiment_of(settings: Settings, message: Any, candidates: Sequence[Experiment] = ()) -> Experiment | None:
    """The experiment a sent message belongs to (kind, planned day and variant name decide),
    among the configured ones and `candidates` (those made on screen)."""
    if message.tenant_id is None or message.variant in (None, DEFAULT_VARIANT):
        return None
    day = message.send_at.astimezone(settings.reminders.timezone).date()
    for experiment in (*settings.experiments, *candidates):
        if experiment.records(message.kind, day) and experiment.variant(message.variant) is not None:
            return experiment
    return None


def deadline(experiment: Experiment, debit_date: date | None, exposed_at: datetime, timezone: tzinfo) -> datetime:
    """Until when a payment converts: the end of the debit date (local), or N days after the message."""
    if experiment.metric is Metric.PAID_BY_DEBIT_DATE and debit_date is not None:
        return datetime.combine(debit_date + timedelta(days=1), time(0), timezone)
    return exposed_at + timedelta(days=experiment.metric_days)


def phase_definition(experiment: Experiment) -> dict[str, Any]:
    """What makes a phase: the variants with their templates and weights, and the coverage."""
    return {"variants": [{"name": v.name, "template": v.template, "weight": v.weight} for v in experiment.variants],
            "coverage": experiment.coverage}


async def current_phase(connection: AsyncConnection, experiment: Experiment, now: datetime) -> int:
    """The phase number the experiment runs in now; a change of variants, weights or coverage
    since the last stored phase starts a new one."""
    last = await experiment_store.last_phase(connection, experiment.key)
    wanted = phase_definition(experiment)
    if last is not None and last.definition == wanted:
        return int(last.phase)
    number = 1 if last is None else int(last.phase) + 1
    await experiment_store.add_phase(connection, experiment.key, number, wanted, now)
    return number


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
    if all(m.variant in (None, DEFAULT_VARIANT) for m, _ in sent):
        return 0
    screen = await experiment_admin.managed(connection)
    found = [(m, at, e) for m, at in sent if (e := experiment_of(settings, m, screen)) is not None]
    if not found:
        return 0
    known = await experiment_store.exposed_messages(connection, [m.id for m, _, _ in found])
    found = [(m, at, e) for m, at, e in found if m.id not in known]
    if not found:
        return 0
    timezone = settings.reminders.timezone
    first_at = min(at for _, at, _ in found)
    phases: dict[str, int] = {}
    for experiment in {e.key: e for _, _, e in found}.values():
        await experiment_store.keep(connection, experiment.key, experiment.kind, definition(experiment), first_at)
        phases[experiment.key] = await current_phase(connection, experiment, first_at)
    paid_months = await experiment_store.paid_months(connection, {m.tenant_id for m, _, _ in found})
    await experiment_store.add_assignments(connection, [
        {"experiment_key": e.key, "tenant_id": m.tenant_id, "variant": m.variant, "assigned_at": at}
        for m, at, e in found])
    await experiment_store.add_exposures(connection, [
        {"experiment_key": e.key, "variant": m.variant, "tenant_id": m.tenant_id, "message_id": m.id,
          "period": m.period, "metric": str(e.metric), "exposed_at": at,
          "deadline": deadline(e, m.debit_date, at, timezone), "phase": phases[e.key],
          "paid_at_exposure": (m.tenant_id, m.period) in paid_months} for m, at, e in found])
    await event_log.append(connection, [
        event_log.event(m.tenant_id, "experiment_exposed", at, m.id, experiment=e.key, variant=m.variant)
        for m, at, e in found
    ])
    return len(found)


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Subscriber (bootstrap): a paid month converts the exposures it answers."""
    await record_payment_outcome(connection, change)


async def on_payment_changes(connection: AsyncConnection, settings: Settings, changes: Sequence[PaymentChange]) -> None:
    """`on_payment_change` for a round of distinct tenants: only an exposed month has an outcome."""
    exposed = await round_store.exposed_months(connection, ((c.tenant_id, c.period) for c in changes))
    for change in changes:
        if (change.tenant_id, change.period) in exposed:
            await record_payment_outcome(connection, change)


async def record_payment_outcome(connection: AsyncConnection, change: PaymentChange) -> None:
    """Log a status change of an exposed tenant's month (the report's timeline), and turn a PAID
    change into a conversion for each exposure of that month it came after and in time for (a
    late payment, or one made before the message, is not a conversion). Idempotent."""
    if not await experiment_store.month_exposed(connection, change.tenant_id, change.period):
        return
    await experiment_store.add_payment_change(connection, change.tenant_id, change.period, str(change.status),
                                              change.occurred_at, change.source[:16])
    if change.status is not PaymentStatus.PAID:
        return
    for exposure in await experiment_store.open_exposures(connection, change.tenant_id, change.period,
                                                          change.occurred_at):
        await experiment_store.add_outcome(connection, exposure, change.occurred_at, change.source[:16])


# --- lookups --------------------------------------------------------------------------------


def find(settings: Settings, key: str) -> Experiment | None:
    return next((e for e in settings.experiments if e.key == key), None)


async def exposure_counts(connection: AsyncConnection) -> dict[str, int]:
    """Exposures per experiment key (the list page and command)."""
    return await experiment_store.exposure_counts(connection)


def missing_templates(experiment: Experiment, templates: MessageTemplates, languages: Sequence[str],
                      channels: Sequence[str] = ("sms", "whatsapp")) -> list[str]:
    """Template files a variant needs that do not exist (checked by `experiment list`)."""
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
