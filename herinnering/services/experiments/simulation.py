"""Simulated experiments with a known truth: does the engine find an effect that is there, and
not find one that is not?

`simulate` runs one experiment end to end on a real (throwaway) database: synthetic tenants
are imported, the REAL planner plans their pre-debit reminders (and so assigns variants by
the hash), each planned message is claimed and marked sent, and its exposure recorded through the
same `record_exposure(s)` the dispatcher calls when the provider accepts a message, synthetic payments with a known conversion
rate per variant go through the REAL `record_payment_outcome`, and the report is built from
the tables. Only the provider is skipped: no text is rendered or sent.

Thousands of experiments that try to break the engine (A/A with daily peeking, segment
duplicates, faster-not-more, returned debits) run in `domain.experiment_simulation`, vectorised.

Never point `simulate` at a production database: it creates tenants and messages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from herinnering.adapters.db import Row, experiment_store, message_store, outbox, tenant_store
from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates
from herinnering.clock import SettableClock
from herinnering.config import Settings
from herinnering.domain.experiments.experiments import (
    Experiment,
    Guardrail,
    Metric,
    Status,
    Variant,
)
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.reminders.planning import Period
from herinnering.domain.tenants.tenant_csv import TenantRecord
from herinnering.services.experiments import experiments as experiment_service
from herinnering.services.experiments.report import ExperimentReport, build_report
from herinnering.services.reminders.planning import plan_month

KEY = "simulation"
LANGUAGES = ("nl", "nl", "nl", "en", "tr", "ar", "pl")  # Dutch most, every language present


@dataclass(frozen=True)
class Spec:
    tenants: int = 2000
    base_rate: float = 0.255  # HvA/Rochdale: 25.5 % of the control group paid within 5 days
    uplift: float = 0.05  # true absolute effect of the treatment wording
    seed: int = 1
    actual_weights: tuple[float, float] | None = None  # force another split than declared (SRM)
    late_payers: float = 0.6  # share of non-converters who still pay, after the deadline


def experiment(spec: Spec, start: date, stop: date | None = None) -> Experiment:
    """The declared experiment: control against a kinder wording, 50/50, paid by the debit date."""
    return Experiment(
        key=KEY, title=f"Simulatie: werkelijk verschil {spec.uplift * 100:+.1f} %-punt op {spec.base_rate * 100:.1f} %"
        .replace(".", ","), kind="pre_debit",
        status=Status.RUNNING, start=start, stop=stop,
        variants=(Variant("control", "pre_debit", 0.5), Variant("kind", "pre_debit_kind", 0.5)),
        control="control", metric=Metric.PAID_BY_DEBIT_DATE, metric_days=5,
        guardrails=(Guardrail.OPT_OUT_RATE,), planned_sample_size=spec.tenants, seed=f"{KEY}-{spec.seed}",
    )


def _actual(declared: Experiment, spec: Spec) -> Experiment:
    if spec.actual_weights is None:
        return declared
    variants = tuple(replace(v, weight=w) for v, w in zip(declared.variants, spec.actual_weights, strict=True))
    return replace(declared, variants=variants)


def _true_rate(spec: Spec, variant: str, control: str) -> float:
    return spec.base_rate if variant == control else min(1.0, max(0.0, spec.base_rate + spec.uplift))


def _tenants(spec: Spec) -> list[TenantRecord]:
    rng = random.Random(f"tenants-{spec.seed}")
    return [
        TenantRecord(
            external_id=f"SIM{spec.seed}-{i:07d}", name=f"Huurder {i}", phone=f"+3162{i:07d}",
            channel="whatsapp" if rng.random() < 0.2 else "sms", language=rng.choice(LANGUAGES),
            monthly_rent_cents=rng.randrange(55000, 95000, 50), collection_day=rng.randint(1, 25), iban=None,
        )
        for i in range(spec.tenants)
    ]


async def simulate(
    db: Database, settings: Settings, templates: MessageTemplates, spec: Spec, month: Period,
) -> ExperimentReport:
    """One experiment through the real planner, exposure and outcome path on `db` (throwaway!).
    `month` is the rent month whose reminders are simulated."""
    first = date(month.year, month.month, 1)
    clock = SettableClock(datetime.combine(first - timedelta(days=31), datetime.min.time(), UTC))
    declared = experiment(spec, start=first - timedelta(days=40), stop=first + timedelta(days=62))
    actual = _actual(declared, spec)
    running = replace(settings, experiments=(actual,))
    records = _tenants(spec)
    for start in range(0, len(records), 1000):
        async with db.begin() as connection:
            await tenant_store.upsert(connection, records[start:start + 1000], clock.now())
    await plan_month(db, running, templates, clock, month)

    async with db.begin() as connection:  # what the dispatcher does when the provider accepts
        later = datetime.combine(first + timedelta(days=31), datetime.min.time(), UTC)
        claimed = await outbox.claim_due(connection, "simulation", later, limit=len(records) + 1)
        await message_store.accepted_at_send_time(connection, [m.id for m in claimed])
        # recorded as declared: a forced split is a broken assignment, not a new phase
        declared_settings = replace(settings, experiments=(declared,))
        await experiment_service.record_exposures(connection, declared_settings, [(m, m.send_at) for m in claimed])

    rng = random.Random(f"outcomes-{spec.seed}")
    async with db.begin() as connection:
        exposures = await experiment_store.exposures_of(connection, KEY)
        for exposure in exposures:
            paid_at = _payment_moment(rng, spec, exposure, declared.control)
            if paid_at is None:
                continue
            change = PaymentChange(
                tenant_id=exposure.tenant_id, period=exposure.period, status=PaymentStatus.PAID,
                amount_due_cents=1, amount_paid_cents=1, reason_code=None, source="simulation",
                occurred_at=paid_at,
            )
            await experiment_service.record_payment_outcome(connection, change)
        after = datetime.combine(first + timedelta(days=62), datetime.min.time(), UTC)  # every window closed
        return await build_report(connection, declared, settings.reminders.timezone, after)


def _payment_moment(rng: random.Random, spec: Spec, exposure: Row[Any], control: str) -> datetime | None:
    """When this tenant pays: before the deadline with the variant's true rate; otherwise
    late (some) or not at all."""
    exposed_at: datetime = exposure.exposed_at
    deadline: datetime = exposure.deadline
    if rng.random() < _true_rate(spec, exposure.variant, control):
        return exposed_at + (deadline - exposed_at) * rng.random()
    if rng.random() < spec.late_payers:
        return deadline + timedelta(hours=rng.randint(1, 240))
    return None
