"""An experiment's analysis with the tenant as the unit: what a team lead may conclude today.

Input: one row per exposure (tenant, variant, month, moment, when the month's window closes,
the month's judged outcome — see `experiment_outcomes`) and each tenant's on-time share over
the months before the experiment (the CUPED covariate). Output: values, no text.

- **Unit and metric**: the tenant, and the share of their judged months that were paid
  (for a one-month experiment: paid or not). Means per variant, Welch standard errors.
- **CUPED** (Deng, Xu, Kohavi & Walker 2013): y' = y - theta (x - mean x), theta = cov(x, y) / var(x)
  over the tenants of both variants; x is measured before the experiment, so the estimate stays
  unbiased and its variance shrinks by corr(x, y)². Tenants without history get the mean.
- **Every day a look**: the tables are rebuilt as they were at the end of each day (months
  whose window closed by then); the sequential interval (`domain.sequential`) is valid at all
  those looks at once. With several treatments the error rate is split (Bonferroni) there.
- **Fixed horizon** beside it: the normal interval with Holm or Benjamini–Hochberg adjusted
  p-values and intervals at the level alpha · p / p_adjusted, so an interval excludes 0 exactly
  when the adjusted p-value is below alpha. It gives a verdict only at the planned size with
  every window closed.
- **Bayesian**: chance to win and expected loss (`domain.bayesian`).
- **Power**: MDE at the planned size, and how many more tenants (and days, at the pace so far)
  the target uplift needs.
- **SRM** on tenants (first exposure) against the weights; while it fails, no verdict at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats as scipy_stats

from herinnering.domain.experiments import sequential
from herinnering.domain.experiments.bayesian import BayesResult, compare_beta
from herinnering.domain.experiments.outcomes import MonthOutcome, TenantTable, tenant_table
from herinnering.domain.experiments.stats import Interval, SrmCheck, adjust_p_values, srm_check

__all__ = ["Estimate", "ExperimentAnalysis", "ExposureRows", "Look", "VariantEffect", "Verdict", "analyse",
           "batched_estimate", "estimate"]


class Verdict(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    NO_DIFFERENCE = "no_difference"  # planned size reached, windows closed, interval holds 0
    UNDECIDED = "undecided"  # nog geen conclusie
    SRM = "srm"  # the split is broken: no verdict


@dataclass(frozen=True)
class ExposureRows:
    tenant: np.ndarray  # tenant code 0..T-1
    variant: np.ndarray  # variant index
    month: np.ndarray  # month index
    exposed: np.ndarray  # moment (days, any origin)
    closes: np.ndarray  # when the month's window closes (deadline + return days), same scale
    outcome: np.ndarray  # MonthOutcome judged now (OPEN while not closed)
    covariate: np.ndarray  # per tenant: on-time share before the experiment (NaN: no history)

    def table(self, at: float | None = None) -> TenantTable:
        """The tenant table as it was at moment `at` (None: now)."""
        if at is None:
            return tenant_table(self.tenant, self.variant, self.month, self.exposed, self.outcome,
                                self.covariate.size)
        seen = self.exposed <= at
        outcome = np.where(self.closes <= at, self.outcome, MonthOutcome.OPEN)[seen]
        return tenant_table(self.tenant[seen], self.variant[seen], self.month[seen], self.exposed[seen], outcome,
                            self.covariate.size)


@dataclass(frozen=True)
class Estimate:
    uplift: float  # treatment - control, CUPED-adjusted when a covariate helps
    se: float
    raw_uplift: float
    raw_se: float
    variance_reduction: float  # 1 - var(adjusted) / var(raw) of the uplift (0: no CUPED)
    tenants: tuple[int, int]  # (treatment, control) judged tenants
    means: tuple[float, float]  # raw means (treatment, control)
    sums: tuple[float, float]  # sum of tenant shares (Beta-Binomial successes)
    variances: tuple[float, float]  # adjusted per-tenant variances (treatment, control)


def estimate(share: np.ndarray, covariate: np.ndarray, treated: np.ndarray, control: np.ndarray) -> Estimate | None:
    """The uplift of `treated` over `control` tenants (boolean masks over judged tenants)."""
    n_t, n_c = int(treated.sum()), int(control.sum())
    if n_t < 2 or n_c < 2:
        return None
    both = treated | control
    y = share[both]
    x = covariate[both]
    known = ~np.isnan(x)
    x = np.where(known, x, x[known].mean() if known.any() else 0.0)
    var_x = float(x.var())
    theta = float(np.cov(x, y, ddof=0)[0, 1] / var_x) if var_x > 1e-12 else 0.0
    adjusted = np.empty_like(share)
    adjusted[both] = y - theta * (x - x.mean())
    yt, yc, at, ac = share[treated], share[control], adjusted[treated], adjusted[control]
    raw_var = yt.var(ddof=1) / n_t + yc.var(ddof=1) / n_c
    var = at.var(ddof=1) / n_t + ac.var(ddof=1) / n_c
    if var > raw_var:  # an unhelpful covariate: keep the plain estimate
        var, at, ac = raw_var, yt, yc
    reduction = 1 - var / raw_var if raw_var > 0 else 0.0
    return Estimate(
        uplift=float(at.mean() - ac.mean()), se=math.sqrt(var), raw_uplift=float(yt.mean() - yc.mean()),
        raw_se=math.sqrt(raw_var), variance_reduction=float(reduction), tenants=(n_t, n_c),
        means=(float(yt.mean()), float(yc.mean())), sums=(float(yt.sum()), float(yc.sum())),
        variances=(float(at.var(ddof=1)), float(ac.var(ddof=1))),
    )


@dataclass(frozen=True)
class Look:
    """One treatment's figures at the end of one day."""

    at: float
    tenants: int  # judged tenants in the whole experiment
    uplift: float
    se: float
    low: float  # the sequential interval at that look
    high: float


@dataclass(frozen=True)
class VariantEffect:
    name: str
    estimate: Estimate | None
    sequential_ci: Interval | None
    sequential_p: float | None
    fixed_ci: Interval | None  # at the corrected level
    fixed_p: float | None
    fixed_p_adjusted: float | None
    bayes: BayesResult | None
    verdict: Verdict
    fixed_verdict: Verdict
    looks: tuple[Look, ...]
    mde_at_plan: float | None  # smallest uplift the planned size finds with the planned power
    tenants_needed: int | None  # total judged tenants the target uplift needs
    more_tenants: int | None
    more_days: int | None


@dataclass(frozen=True)
class ExperimentAnalysis:
    names: tuple[str, ...]
    control: str
    tenants: tuple[int, ...]  # exposed tenants per variant (first exposure)
    judged: tuple[int, ...]  # of which with at least one judged month
    rates: tuple[float | None, ...]  # mean share paid per variant
    srm: SrmCheck
    effects: tuple[VariantEffect, ...]
    alpha: float
    correction: str
    planned: int
    open_months: int
    already_paid_months: int
    repeat_exposures: int
    mixed: int
    sequential_method: str  # "spending" (planned size) or "mixture" (none planned)

    @property
    def planned_reached(self) -> bool:
        return self.planned > 0 and sum(self.judged) >= self.planned


def analyse(
    rows: ExposureRows, names: Sequence[str], weights: Sequence[float], control: str, *,
    look_times: Sequence[float] = (), alpha: float = 0.05, power: float = 0.8, planned: int = 0,
    target_uplift: float = 0.03, correction: str = "holm", days_running: float = 0.0,
) -> ExperimentAnalysis:
    """The analysis now, with a sequential look at the end of each of `look_times` (ascending;
    the last should be now)."""
    table = rows.table()
    c = list(names).index(control)
    treatments = [i for i in range(len(names)) if i != c]
    m = max(1, len(treatments))
    tenants = tuple(int(np.sum(table.variant == i)) for i in range(len(names)))
    judged_mask = table.judged
    judged = tuple(int(np.sum(judged_mask & (table.variant == i))) for i in range(len(names)))
    share = table.share
    rates = tuple(float(np.nanmean(share[judged_mask & (table.variant == i)])) if judged[i] else None
                  for i in range(len(names)))
    srm = srm_check(list(tenants), list(weights))
    method = "spending" if planned > 0 else "mixture"
    seq_alpha = alpha / m

    history = _history(rows, look_times, treatments, c, planned, seq_alpha, method)
    estimates = [estimate(share, rows.covariate, judged_mask & (table.variant == i), judged_mask & (table.variant == c))
                 for i in treatments]
    fixed_p = [None if e is None else float(2 * scipy_stats.norm.sf(abs(e.uplift) / e.se)) if e.se > 0 else 1.0
               for e in estimates]
    known = [p for p in fixed_p if p is not None]
    adjusted_known = iter(adjust_p_values(known, correction) if len(known) > 1 else known)
    adjusted = [None if p is None else next(adjusted_known) for p in fixed_p]
    complete = planned > 0 and sum(judged) >= planned and table.open_months == 0
    effects = []
    for k, i in enumerate(treatments):
        e, looks = estimates[k], history[k]
        seq_ci = seq_p = fixed_ci = None
        verdict = fixed_verdict = Verdict.UNDECIDED
        if e is not None and e.se > 0:
            seq_ci, seq_p = _sequential_now(e, looks, planned, seq_alpha, method, sum(judged))
            p, p_adj = fixed_p[k], adjusted[k]
            assert p is not None and p_adj is not None
            level = alpha * p / p_adj if p_adj > 0 else alpha
            z = float(scipy_stats.norm.isf(level / 2))
            fixed_ci = Interval(e.uplift - z * e.se, e.uplift + z * e.se)
            verdict = _verdict(seq_ci, planned > 0 and sum(judged) >= planned and table.open_months == 0)
            fixed_verdict = _verdict(fixed_ci, True) if complete else Verdict.UNDECIDED
        if srm.mismatch:
            verdict = fixed_verdict = Verdict.SRM
        bayes = compare_beta(e.sums[0], e.tenants[0], e.sums[1], e.tenants[1]) if e is not None else None
        mde, needed, more_n, more_d = _power(e, weights[i], weights[c], planned, alpha, power, target_uplift,
                                             sum(judged), days_running)
        effects.append(VariantEffect(
            names[i], e, seq_ci, seq_p, fixed_ci, fixed_p[k], adjusted[k], bayes, verdict, fixed_verdict,
            tuple(looks), mde, needed, more_n, more_d,
        ))
    return ExperimentAnalysis(
        names=tuple(names), control=control, tenants=tenants, judged=judged, rates=rates, srm=srm,
        effects=tuple(effects), alpha=alpha, correction=correction if len(treatments) > 1 else "none",
        planned=planned, open_months=table.open_months, already_paid_months=table.already_paid_months,
        repeat_exposures=table.repeat_exposures, mixed=table.mixed, sequential_method=method,
    )


def _verdict(ci: Interval, settled: bool) -> Verdict:
    if ci.low > 0:
        return Verdict.BETTER
    if ci.high < 0:
        return Verdict.WORSE
    return Verdict.NO_DIFFERENCE if settled else Verdict.UNDECIDED


def _fractions(counts: Sequence[int], planned: int) -> list[float]:
    """Information fractions of the looks; every look at or past the plan is the final one."""
    fractions = []
    for n in counts:
        fractions.append(n / planned if n < planned else max(1.0, n / planned))
    return fractions


def _history(
    rows: ExposureRows, look_times: Sequence[float], treatments: Sequence[int], c: int, planned: int,
    alpha: float, method: str,
) -> list[list[Look]]:
    """Each treatment's uplift and sequential interval at the end of each look."""
    points: list[list[tuple[float, int, Estimate]]] = [[] for _ in treatments]
    for at in look_times:
        table = rows.table(at)
        share, judged = table.share, table.judged
        total = int(judged.sum())
        for k, i in enumerate(treatments):
            e = estimate(share, rows.covariate, judged & (table.variant == i), judged & (table.variant == c))
            if e is not None and e.se > 0 and (not points[k] or points[k][-1][1] != total):
                points[k].append((at, total, e))
    history: list[list[Look]] = []
    for series in points:
        counts = [n for _, n, _ in series]
        bounds: list[float | None]
        if method == "spending":
            bounds = list(_spending_for(counts, planned, alpha))
        else:
            bounds = [None] * len(series)
        looks = []
        for (at, n, e), bound in zip(series, bounds, strict=True):
            pair = sum(e.tenants)  # the mixture counts the units of this comparison
            half = bound * e.se if bound is not None else float(sequential.mixture_half_width(e.se, pair, alpha))
            looks.append(Look(at, n, e.uplift, e.se, e.uplift - half, e.uplift + half))
        history.append(looks)
    return history


def _spending_for(counts: Sequence[int], planned: int, alpha: float) -> list[float]:
    """Bounds per look; looks beyond the first one at the plan reuse the final look's bound."""
    fractions = _fractions(counts, planned)
    final = next((k for k, f in enumerate(fractions) if f >= 1), None)
    if final is None:
        return list(sequential.spending_bounds(fractions, alpha))
    head = list(sequential.spending_bounds(fractions[:final + 1], alpha))
    return head + [head[-1]] * (len(fractions) - final - 1)


def _sequential_now(
    e: Estimate, looks: Sequence[Look], planned: int, alpha: float, method: str, total: int,
) -> tuple[Interval, float]:
    """Today's sequential interval and p-value (the repeated p-value over the looks so far);
    `total`: judged tenants in all variants (the information fraction counts them all)."""
    pair = sum(e.tenants)
    if method == "mixture":
        half = float(sequential.mixture_half_width(e.se, pair, alpha))
        return Interval(e.uplift - half, e.uplift + half), sequential.mixture_p_value(e.uplift / e.se, pair, alpha)
    n = total
    if looks and looks[-1].tenants == n:
        ci = Interval(looks[-1].low, looks[-1].high)
    else:  # no daily history given: today is the only look
        looks = [Look(0.0, n, e.uplift, e.se, math.nan, math.nan)]
        bound = _spending_for([n], planned, alpha)[0]
        ci = Interval(e.uplift - bound * e.se, e.uplift + bound * e.se)
    fractions = _fractions([look.tenants for look in looks], planned)
    final = next((k for k, f in enumerate(fractions) if f >= 1), len(fractions) - 1)
    z_values = [look.uplift / look.se for look in looks]
    return ci, sequential.repeated_p_value(z_values[:final + 1], fractions[:final + 1])


def _power(
    e: Estimate | None, w_t: float, w_c: float, planned: int, alpha: float, power: float, target: float,
    judged: int, days_running: float,
) -> tuple[float | None, int | None, int | None, int | None]:
    if e is None:
        return None, None, None, None
    z = float(scipy_stats.norm.isf(alpha / 2) + scipy_stats.norm.isf(1 - power))
    share_t, share_c = w_t / (w_t + w_c), w_c / (w_t + w_c)
    unit = e.variances[0] / share_t + e.variances[1] / share_c  # variance of the uplift times N
    mde = z * math.sqrt(unit / planned) if planned > 0 else None
    needed = math.ceil(z * z * unit / (target * target)) if target > 0 else None
    if needed is None:
        return mde, None, None, None
    more = max(0, needed - sum(e.tenants))
    pace = judged / days_running if days_running > 0 else 0.0
    days = math.ceil(more / pace) if more and pace > 0 else (0 if not more else None)
    return mde, needed, more, days


def batched_estimate(
    share: np.ndarray, covariate: np.ndarray, group: np.ndarray, treated: np.ndarray, included: np.ndarray,
    groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`estimate` for many independent experiments at once (the simulation): tenant arrays with
    the experiment number in `group`. Returns uplift, its standard error and the raw uplift per
    experiment (NaN where a variant has fewer than two tenants)."""
    g = group[included]
    y = share[included]
    x = covariate[included]
    t = treated[included]

    def per(values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        if where is None:
            return np.bincount(g, weights=values, minlength=groups)
        return np.bincount(g[where], weights=values[where], minlength=groups)

    known = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = per(np.where(known, x, 0.0)) / np.maximum(per(known.astype(float)), 1)
        x = np.where(known, x, fill[g])
        n = per(np.ones_like(y))
        mx, my = per(x) / n, per(y) / n
        var_x = per(x * x) / n - mx * mx
        theta = np.where(var_x > 1e-12, (per(x * y) / n - mx * my) / var_x, 0.0)
        adjusted = y - theta[g] * (x - mx[g])

        def moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            diff = np.zeros(groups)
            var = np.zeros(groups)
            for arm, sign in ((t, 1.0), (~t, -1.0)):
                k = per(np.ones_like(values), arm)
                s = per(values, arm)
                ss = per(values * values, arm)
                mean = s / k
                diff += sign * mean
                var += (ss - k * mean * mean) / (k - 1) / k
            return diff, var, np.minimum(per(np.ones_like(values), t), per(np.ones_like(values), ~t))

        raw, raw_var, smallest = moments(y)
        adj, adj_var, _ = moments(adjusted)
    use = adj_var <= raw_var
    uplift = np.where(use, adj, raw)
    se = np.sqrt(np.where(use, adj_var, raw_var))
    bad = smallest < 2
    return np.where(bad, np.nan, uplift), np.where(bad, np.nan, se), np.where(bad, np.nan, raw)
