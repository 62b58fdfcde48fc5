"""The planner assigns variants in its INSERT with the database's copy of the pure hash: it must
agree with `domain.experiments.assignment` to the bit, on SQLite and PostgreSQL, for any contract id."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import BigInteger, func, literal, select

from herinnering.adapters.db.tables import messages
from herinnering.adapters.templates import MessageTemplates
from herinnering.clock import SettableClock
from herinnering.domain.experiments.assignment import fnv1a32
from herinnering.domain.experiments.experiments import (
    Experiment,
    Guardrail,
    Metric,
    Status,
    Variant,
)
from herinnering.domain.reminders.planning import Period
from herinnering.resources import templates_dir
from herinnering.services.reminders.planning import plan_month
from tests.conftest import database_examples

CASES = json.loads((Path(__file__).parents[1] / "unit" / "assignment_cases.json").read_text())
TEXTS = sorted({seed + value for seed, value, _, _ in CASES["hash"]} | {value + seed for seed, value, _, _ in CASES["hash"]}
               | {"", "a", "foobar", "zoë", "Hüseyin-Ğ", "حضرتك", "B-😀-1"})

SERIAL = itertools.count()


async def test_the_database_hash_is_the_domain_hash(database: Any) -> None:
    async with database.begin() as connection:
        found = [(await connection.execute(select(func.herinnering_fnv1a32(literal(text), type_=BigInteger)))).scalar()
                 for text in TEXTS]
    assert found == [fnv1a32(text) for text in TEXTS]


def experiment(weights: tuple[float, ...], coverage: float, namespace_range: tuple[float, float] | None,
               seed: str) -> Experiment:
    names = ("control", "kind", "short")[: len(weights)]
    return Experiment(
        key="pre_debit_wording", title="t", kind="pre_debit", status=Status.RUNNING, start=date(2026, 11, 1),
        stop=None, variants=tuple(Variant(n, "pre_debit" if n == "control" else "pre_debit_kind", w)
                                  for n, w in zip(names, weights, strict=True)),
        control="control", metric=Metric.PAID_BY_DEBIT_DATE, metric_days=5, guardrails=(Guardrail.OPT_OUT_RATE,),
        planned_sample_size=0, coverage=coverage, seed=seed,
        namespace="pre_debit" if namespace_range else "", namespace_range=namespace_range or (0.0, 1.0),
    )


@database_examples(6)  # HYPOTHESIS_PROFILE=deep: 60
@given(ids=st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=0x1F64F, exclude_categories=("Cs",)),
                            min_size=1, max_size=20), min_size=1, max_size=8, unique=True),
       weights=st.sampled_from([(0.5, 0.5), (0.2, 0.8), (0.34, 0.33, 0.33)]),
       coverage=st.sampled_from([1.0, 0.5, 0.05]),
       namespace_range=st.sampled_from([None, (0.0, 0.5), (0.3, 0.9)]),
       seed=st.text(st.characters(min_codepoint=97, max_codepoint=122), max_size=8))
async def test_the_planner_assigns_each_tenant_the_variant_of_the_pure_hash(
    database: Any, settings: Any, make_tenant: Any, ids: list[str], weights: tuple[float, ...], coverage: float,
    namespace_range: tuple[float, float] | None, seed: str,
) -> None:
    wording = experiment(weights, coverage, namespace_range, seed)
    made = [await make_tenant(external_id=f"{next(SERIAL)}-{id_}") for id_ in ids]  # each example its own tenants
    clock = SettableClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    await plan_month(database, replace(settings, experiments=(wording,)), MessageTemplates(templates_dir()), clock,
                     Period(2026, 12))
    async with database.begin() as connection:
        rows = {m.tenant_id: m for m in await connection.execute(
            select(messages).where(messages.c.tenant_id.in_([t.id for t in made])))}
    for tenant in made:
        variant = wording.assign(tenant.external_id)
        message = rows[tenant.id]
        assert message.variant == (variant.name if variant else "default"), tenant.external_id
        assert message.template == f"messages/nl/{variant.template if variant else 'pre_debit'}.sms.j2"
