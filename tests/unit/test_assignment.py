"""Assignment: GrowthBook's FNV-1a hash and bucketing, pinned by its published test vectors,
stable, and honouring the weights within sampling error."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from scipy.stats import chisquare

from herinnering.domain.experiments.assignment import bucket_ranges, choose, fnv1a32, gbhash
from herinnering.domain.experiments.experiments import (
    Experiment,
    Guardrail,
    Metric,
    Status,
    Variant,
)

CASES = json.loads((Path(__file__).parent / "assignment_cases.json").read_text())


def experiment(*weights: float, coverage: float = 1.0, seed: str = "") -> Experiment:
    names = ["control", "kind", "short", "link"][: len(weights)]
    return Experiment(
        key="pre_debit_wording", title="t", kind="pre_debit", status=Status.RUNNING, start=date(2027, 1, 1),
        stop=None, variants=tuple(Variant(n, f"pre_debit_{n}", w) for n, w in zip(names, weights, strict=True)),
        control="control", metric=Metric.PAID_BY_DEBIT_DATE, metric_days=5, guardrails=(Guardrail.OPT_OUT_RATE,),
        planned_sample_size=0, coverage=coverage, seed=seed,
    )


def test_fnv1a32_matches_the_published_fnv_test_vectors() -> None:
    assert fnv1a32("") == 0x811C9DC5  # the offset basis
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968


@pytest.mark.parametrize(("seed", "value", "version", "expected"), CASES["hash"])
def test_the_hash_matches_growthbooks_cases(seed: str, value: str, version: int, expected: float | None) -> None:
    assert gbhash(seed, value, version) == expected


@pytest.mark.parametrize(("name", "args", "expected"), CASES["getBucketRange"], ids=[c[0] for c in CASES["getBucketRange"]])
def test_bucket_ranges_match_growthbooks_cases(name: str, args: list, expected: list) -> None:
    count, coverage, weights = args
    ranges = bucket_ranges(count, coverage, weights)
    assert [(round(a, 6), round(b, 6)) for a, b in ranges] == [tuple(r) for r in expected]


@pytest.mark.parametrize(("name", "seed", "value", "version", "weights", "count", "bucket", "variation"),
                         CASES["bucketing"], ids=[c[0] for c in CASES["bucketing"]])
def test_a_tenant_lands_where_growthbook_puts_the_same_user(
    name: str, seed: str, value: str, version: int, weights: list | None, count: int, bucket: float, variation: int,
) -> None:
    n = gbhash(seed, value, version)
    assert n == bucket
    assert choose(n, bucket_ranges(count, 1.0, weights)) == variation


def test_a_tenant_gets_the_same_variant_every_time_and_everywhere() -> None:
    first = experiment(0.5, 0.5)
    again = experiment(0.5, 0.5)  # a fresh object: no state carried between calls
    ids = [f"HC-{n:06d}" for n in range(2000)]
    assert [first.assign(i) for i in ids] == [again.assign(i) for i in ids]
    # pinned: these must never change, or running experiments would reshuffle tenants
    assert [gbhash("pre_debit_wording", i, 2) for i in ("HC-000001", "HC-000002", "HC-000003", "HC-000004")] == \
        [0.7094, 0.3285, 0.9993, 0.1271]
    assert [first.assign(i).name for i in ("HC-000001", "HC-000002", "HC-000003", "HC-000004")] == \
        ["kind", "control", "kind", "control"]


def test_another_seed_reshuffles_the_tenants() -> None:
    ids = [f"HC-{n:06d}" for n in range(2000)]
    a = [experiment(0.5, 0.5).assign(i).name for i in ids]
    b = [experiment(0.5, 0.5, seed="pre_debit_wording_2").assign(i).name for i in ids]
    agree = sum(x == y for x, y in zip(a, b, strict=True)) / len(ids)
    assert 0.45 < agree < 0.55  # independent halves agree about half the time


@pytest.mark.parametrize("weights", [
    (0.5, 0.5),        # the usual split
    (0.2, 0.3, 0.5),   # three variants, uneven
    (0.1, 0.9),        # a small treatment group
])
def test_assignment_matches_the_weights_within_sampling_error_on_100000_ids(weights: tuple[float, ...]) -> None:
    e = experiment(*weights)
    counts = Counter(e.assign(f"HC-{n:07d}").name for n in range(100_000))
    observed = [counts[v.name] for v in e.variants]
    assert sum(observed) == 100_000
    assert chisquare(observed, [100_000 * w for w in weights]).pvalue > 0.001


def test_reduced_coverage_leaves_tenants_out_of_the_experiment() -> None:
    e = experiment(0.5, 0.5, coverage=0.2)
    assigned = [e.assign(f"HC-{n:06d}") for n in range(20_000)]
    share_in = sum(a is not None for a in assigned) / len(assigned)
    assert 0.18 < share_in < 0.22
    assert {a.name for a in assigned if a is not None} == {"control", "kind"}
