"""Simulated experiments that try to break the engine, thousands at once (vectorised numpy).

Each scenario draws `runs` independent experiments with a known truth, passes them through
the engine's own pieces — `judge_arrays` (the honest month), `tenant_table` (the tenant as
unit), `batched_estimate` (uplift, CUPED), the sequential bounds, the SRM test — and counts
how often the engine declares a winner. Where the truth is "no difference" that share is the
false-positive rate, which must stay near alpha (5 %). The message-as-unit engine of before is
run on the same draws for comparison.

The world: tenants with a persistent propensity to pay on time (Beta-distributed, so tenants
differ), their on-time share over six earlier months as the CUPED covariate, collection days
spread over the month, a pre-debit reminder 5 days before the debit date, a share of tenants
(segment 4) who also get an early reminder 3 days before that, and a share who already paid.
Pure: a seeded generator in, numbers out; no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from herinnering.domain.experiments.analysis import _spending_for, batched_estimate
from herinnering.domain.experiments.outcomes import judge_arrays, tenant_table
from herinnering.domain.experiments.stats import Interval, rate_interval

__all__ = ["Draw", "Rate", "World", "draw", "message_unit", "read_daily", "run_scenarios", "scenarios",
           "srm_alarms", "tenant_z"]

WINDOW = 5.0  # days from the pre-debit reminder to the debit date (the deadline)
EARLY = 3.0  # the segment-4 early reminder goes this many days before the ordinary one
MONTH = 30.0
ALPHA = 0.05


@dataclass(frozen=True)
class World:
    tenants: int = 1000
    months: int = 1
    base: float = 0.75  # mean chance to pay by the debit date
    spread: float = 4.0  # Beta concentration of tenants' propensities (small: tenants differ a lot)
    uplift: float = 0.0  # true effect of variant B on the chance to pay by the deadline
    faster: float = 1.0  # B's payments come this many times sooner within the window (not more)
    bounced: float = 0.0  # extra share of B's tenants who pay and whose debit comes back in 2 days
    duplicates: float = 0.25  # share of tenants who also get the early reminder (segment 4)
    already_paid: float = 0.1  # share of months paid before the reminder went
    return_days: float = 3.0
    weight_b: float = 0.5


@dataclass
class Draw:
    """Exposure rows of many experiments (tenant codes global: experiment * tenants + tenant)."""

    runs: int
    world: World
    tenant: np.ndarray
    variant: np.ndarray
    month: np.ndarray
    exposed: np.ndarray
    closes: np.ndarray
    deadline: np.ndarray
    paid: np.ndarray
    returned: np.ndarray
    covariate: np.ndarray  # per global tenant
    assigned: np.ndarray  # per global tenant: 1 = B
    propensity: np.ndarray  # per global tenant: the true chance to pay by the deadline (control)


def draw(rng: np.random.Generator, runs: int, world: World) -> Draw:
    n = runs * world.tenants
    assigned = (rng.random(n) < world.weight_b).astype(np.int64)
    a = world.base * world.spread
    propensity = rng.beta(a, world.spread - a, n)
    covariate = rng.binomial(6, propensity) / 6
    day = np.tile(np.arange(world.tenants) % 28, runs).astype(float)
    early = rng.random(n) < world.duplicates
    rows = []
    for m in range(world.months):
        first = m * MONTH + day + np.where(early, 0.0, EARLY)  # the first exposure of the month
        deadline = m * MONTH + day + EARLY + WINDOW
        chance = np.clip(propensity + world.uplift * assigned, 0, 1)
        pays = rng.random(n) < chance
        speed = np.where(assigned == 1, world.faster, 1.0)
        when = first + (deadline - first) * rng.random(n) ** speed
        late = deadline + 1 + 10 * rng.random(n)
        paid = np.where(pays, when, np.where(rng.random(n) < 0.6, late, np.nan))
        already = rng.random(n) < world.already_paid
        paid = np.where(already, first - 1 - rng.random(n), paid)
        bounce = (~pays) & (~already) & (assigned == 1) & (rng.random(n) < world.bounced)
        paid = np.where(bounce, first + (deadline - first) * rng.random(n), paid)
        returned = np.where(bounce, paid + 2, np.nan)
        codes = np.arange(n)
        rows.append((codes, np.full(n, m), first, deadline, paid, returned))
        dup = codes[early]  # the ordinary reminder after the early one: a second row, same month
        rows.append((dup, np.full(dup.size, m), first[early] + EARLY, deadline[early], paid[early], returned[early]))
    tenant, month, exposed, deadline, paid, returned = (np.concatenate(parts) for parts in zip(*rows, strict=True))
    return Draw(runs, world, tenant, assigned[tenant], month, exposed, deadline + world.return_days, deadline, paid,
                returned, covariate, assigned, propensity)


@dataclass(frozen=True)
class Rate:
    scenario: str
    engine: str
    runs: int
    hits: int
    target: str  # what the share should be

    @property
    def rate(self) -> float:
        return self.hits / self.runs

    @property
    def interval(self) -> Interval:
        found = rate_interval(self.hits, self.runs)
        assert found is not None
        return found


def tenant_z(d: Draw, at: float, honest: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per experiment: z of the tenant-level (CUPED) uplift and judged tenants, as of `at`."""
    outcome = judge_arrays(d.exposed, d.deadline, d.paid, d.returned, at, d.world.return_days)
    if not honest:  # no undo of returned debits
        outcome = judge_arrays(d.exposed, d.deadline, d.paid, np.full_like(d.returned, np.nan), at,
                               d.world.return_days)
    seen = d.exposed <= at
    table = tenant_table(d.tenant[seen], d.variant[seen], d.month[seen], d.exposed[seen], outcome[seen],
                         d.covariate.size)
    group = np.arange(d.covariate.size) // d.world.tenants
    uplift, se, _ = batched_estimate(table.share, d.covariate, group, table.variant == 1, table.judged, d.runs)
    judged = np.bincount(group[table.judged], minlength=d.runs)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = uplift / se
    return z, judged, np.bincount(group[table.variant >= 0] * 2 + table.variant[table.variant >= 0],
                                            minlength=2 * d.runs).reshape(d.runs, 2)


def srm_alarms(counts: np.ndarray, weight_b: float) -> np.ndarray:
    total = counts.sum(axis=1, keepdims=True)
    expected = total * np.array([1 - weight_b, weight_b])
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.nan_to_num(((counts - expected) ** 2 / expected).sum(axis=1))
    alarms: np.ndarray = scipy_stats.chi2.sf(statistic, 1) < 0.001
    return alarms


def message_unit(d: Draw, at: float, undo: bool = False, open_fails: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The engine of before: every message a unit, a payment up to the deadline converts (before
    the message too, returned or not), open windows count as not converted. z and SRM alarm."""
    seen = d.exposed <= at
    converted = (d.paid <= np.minimum(d.deadline, at)) & seen
    if not open_fails:
        seen &= d.closes <= at
        converted &= seen
    group = d.tenant // d.world.tenants
    cell = group * 2 + d.variant
    n = np.bincount(cell[seen], minlength=2 * d.runs).reshape(d.runs, 2).astype(float)
    x = np.bincount(cell[converted], minlength=2 * d.runs).reshape(d.runs, 2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = x.sum(axis=1) / n.sum(axis=1)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n[:, 0] + 1 / n[:, 1]))
        z = (x[:, 1] / n[:, 1] - x[:, 0] / n[:, 0]) / se
    return np.nan_to_num(z), srm_alarms(n, d.world.weight_b)


def read_daily(d: Draw, days: int, planned: int) -> tuple[np.ndarray, np.ndarray]:
    """Read every day for `days` days (a one-month world): did the sequential interval, or the
    fixed-horizon interval, ever exclude 0? A tenant's month is judged once its window closed,
    so the table of day k is the final table restricted to tenants closed by then."""
    final = judge_arrays(d.exposed, d.deadline, d.paid, d.returned, math.inf, d.world.return_days)
    table = tenant_table(d.tenant, d.variant, d.month, d.exposed, final, d.covariate.size)
    closes = np.full(d.covariate.size, np.inf)
    np.minimum.at(closes, d.tenant, d.closes)
    group = np.arange(d.covariate.size) // d.world.tenants
    sequential = np.zeros(d.runs, dtype=bool)
    fixed = np.zeros(d.runs, dtype=bool)
    zs, counts = [], []
    for day in range(1, days + 1):
        judged = table.judged & (closes <= day)
        uplift, se, _ = batched_estimate(table.share, d.covariate, group, table.variant == 1, judged, d.runs)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = uplift / se
        zs.append(z)
        counts.append(np.bincount(group[judged], minlength=d.runs))
        fixed |= np.abs(np.nan_to_num(z)) >= scipy_stats.norm.isf(ALPHA / 2)
    z_all, n_all = np.array(zs).T, np.array(counts).T
    cache: dict[tuple[int, ...], list[float]] = {}
    for run in range(d.runs):
        kept = [k for k in range(days) if n_all[run, k] > 0 and not math.isnan(z_all[run, k])
                and (k == 0 or n_all[run, k] != n_all[run, k - 1])]
        key = tuple(int(n_all[run, k]) for k in kept)
        if key not in cache:
            cache[key] = _spending_for(key, planned, ALPHA)
        sequential[run] = any(abs(z_all[run, k]) >= b for k, b in zip(kept, cache[key], strict=True))
    return sequential, fixed


def scenarios(runs: int, tenants: int) -> list[tuple[str, World, str]]:
    return [
        ("A/A, 3 months, segment duplicates, heterogeneous tenants", World(tenants=tenants, months=3), "end"),
        ("A/A read daily for 30 days", World(tenants=tenants, duplicates=0.0, already_paid=0.0), "daily"),
        ("B pays sooner, not more; read daily", World(tenants=tenants, faster=4.0, duplicates=0.0,
                                                      already_paid=0.0), "daily"),
        ("B's extra payments bounce (returned in 2 days)", World(tenants=tenants, bounced=0.2), "end"),
    ]


def run_scenarios(runs: int = 2000, tenants: int = 1000, seed: int = 20261203,
                  progress: Callable[[str], None] | None = None) -> list[Rate]:
    """Every scenario with `runs` experiments of `tenants` tenants: the share of runs in which
    each engine declared a difference (all scenarios have no true difference)."""
    rng = np.random.default_rng(seed)
    found: list[Rate] = []
    for name, world, reading in scenarios(runs, tenants):
        if progress:
            progress(name)
        d = draw(rng, runs, world)
        end = float(world.months * MONTH + EARLY + WINDOW + world.return_days + 28)
        if reading == "end":
            z, _, tenants_per_arm = tenant_z(d, end)
            found.append(Rate(name, "tenant as unit, honest metric", runs,
                              int(np.sum(np.abs(np.nan_to_num(z)) >= scipy_stats.norm.isf(ALPHA / 2))), "5 %"))
            found.append(Rate(name, "SRM alarm on tenants", runs, int(np.sum(srm_alarms(tenants_per_arm,
                                                                                         world.weight_b))), "0.1 %"))
            z_old, alarm = message_unit(d, end)
            found.append(Rate(name, "before: message as unit", runs,
                              int(np.sum(np.abs(z_old) >= scipy_stats.norm.isf(ALPHA / 2))), "5 %"))
            found.append(Rate(name, "before: SRM alarm on messages", runs, int(np.sum(alarm)), "0.1 %"))
        else:
            days = 30
            closed = np.arange(tenants) % 28 + EARLY + WINDOW + world.return_days <= days
            planned = int(round(closed.sum()))
            seq, fixed = read_daily(d, days, planned)
            found.append(Rate(name, "sequential interval (default)", runs, int(seq.sum()), "≤ 5 %"))
            found.append(Rate(name, "fixed-horizon interval, read daily", runs, int(fixed.sum()), "5 % once"))
            old = np.zeros(runs, dtype=bool)
            for day in range(1, days + 1):
                z_old, _ = message_unit(d, float(day))
                old |= np.abs(z_old) >= scipy_stats.norm.isf(ALPHA / 2)
            found.append(Rate(name, "before: message unit, open windows fail, daily", runs, int(old.sum()), "5 %"))
        if reading == "end" and world.bounced:
            z_kept, _, _ = tenant_z(d, end, honest=False)
            found.append(Rate(name, "without undoing returned debits", runs,
                              int(np.sum(np.abs(np.nan_to_num(z_kept)) >= scipy_stats.norm.isf(ALPHA / 2))), "5 %"))
    return found

