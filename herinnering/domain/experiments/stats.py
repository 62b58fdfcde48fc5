"""The classical figures of an experiment report on counts (scipy's distributions; the formulas
are the textbook ones statsmodels used, and tests/unit/test_stats_reference.py holds its figures).

Given per-variant counts (units, conversions) it returns values, no text:
- each variant's rate with a 95 % Wilson score interval (Wilson 1927);
- each treatment against the control: the absolute uplift with Newcomb's hybrid score interval
  (Newcomb 1998, method 10) and the relative uplift with a log-ratio interval (Katz et al. 1978),
  and a two-sided p-value from the pooled two-proportion z-test — or from Fisher's exact
  test (`scipy.stats.fisher_exact`) when an expected cell of the 2×2 table is below 5;
- with several treatments the p-values are Holm-corrected (Holm 1979; Benjamini–Hochberg 1995
  on request);
- the sample-ratio-mismatch check: a chi-square test of the exposures against the weights
  (`scipy.stats.chisquare`); p below 0.001 (GrowthBook's threshold) means the split is broken
  and no other figure should be trusted;
- the minimum detectable effect at the current sample size (the normal power of Cohen's h,
  turned back into percentage points on the control's rate);
- the early-look warning: a fixed-horizon p-value is only valid at the planned sample size;
  reading it earlier and stopping on "significant" inflates the false-positive rate.

Pure: no I/O, no clock; the same counts give the same report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import optimize
from scipy import stats as scipy_stats

__all__ = [
    "Analysis", "Comparison", "Interval", "SrmCheck", "VariantCounts", "VariantResult",
    "analyse", "compare", "minimum_detectable_effect", "sample_size_per_variant", "srm_check",
]

SRM_THRESHOLD = 0.001
FISHER_BELOW = 5.0  # smallest expected cell count at which the z-test is still trusted


@dataclass(frozen=True)
class VariantCounts:
    name: str
    exposures: int
    conversions: int
    weight: float = 0.0


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """A treatment against the control on one metric."""

    uplift: float | None  # rate(treatment) - rate(control), in proportion points
    uplift_ci: Interval | None
    relative: float | None  # rate(treatment) / rate(control) - 1
    relative_ci: Interval | None
    p_value: float | None
    test: str  # "z-test", "fisher" or "-" (no data)
    p_adjusted: float | None = None


@dataclass(frozen=True)
class VariantResult:
    name: str
    is_control: bool
    exposures: int
    conversions: int
    rate: float | None
    rate_ci: Interval | None
    comparison: Comparison | None  # None for the control
    mde: float | None  # smallest absolute uplift this variant could detect now (None: no data)
    significant: bool


@dataclass(frozen=True)
class SrmCheck:
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float | None
    p_value: float | None

    @property
    def mismatch(self) -> bool:
        return self.p_value is not None and self.p_value < SRM_THRESHOLD


@dataclass(frozen=True)
class Analysis:
    variants: tuple[VariantResult, ...]
    srm: SrmCheck
    alpha: float
    correction: str  # "holm" or "none"
    total_exposures: int
    planned_sample_size: int

    @property
    def early_look(self) -> bool:
        return self.planned_sample_size == 0 or self.total_exposures < self.planned_sample_size

    def warnings(self) -> list[str]:
        notes: list[str] = []
        if self.srm.mismatch:
            notes.append(
                f"Sample ratio mismatch (chi-square p = {self.srm.p_value:.2g} < {SRM_THRESHOLD}): the split "
                "does not match the weights, so assignment or exposure recording is broken. Do not trust "
                "the other figures until the cause is found."
            )
        if self.planned_sample_size == 0:
            notes.append("No planned sample size: read these figures as exploratory, not as a decision.")
        elif self.total_exposures < self.planned_sample_size:
            notes.append(
                f"Early look: {self.total_exposures} of the planned {self.planned_sample_size} exposures. "
                "The p-values are only valid at the planned size; stopping now because a result looks "
                "significant inflates the false-positive rate."
            )
        return notes


def _z(alpha: float) -> float:
    return float(scipy_stats.norm.isf(alpha / 2))


def wilson(conversions: int, exposures: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson's score interval for a proportion."""
    z = _z(alpha)
    rate = conversions / exposures
    denominator = 1 + z * z / exposures
    centre = (rate + z * z / (2 * exposures)) / denominator
    half = z / denominator * math.sqrt(rate * (1 - rate) / exposures + z * z / (4 * exposures * exposures))
    return centre - half, centre + half


def rate_interval(conversions: int, exposures: int, alpha: float = 0.05) -> Interval | None:
    if exposures <= 0:
        return None
    low, high = wilson(conversions, exposures, alpha)
    rate = conversions / exposures
    # At 0 or 100 % the bounds miss the rate by a rounding error: an interval must hold its own rate.
    return Interval(max(0.0, min(low, rate)), min(1.0, max(high, rate)))


def newcomb(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> tuple[float, float]:
    """Newcomb's hybrid score interval for p1 - p2 (his method 10, from two Wilson intervals)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, alpha)
    l2, u2 = wilson(x2, n2, alpha)
    diff = p1 - p2
    return diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def log_ratio(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> tuple[float, float]:
    """The interval of p1 / p2 from the normal approximation of its logarithm (needs x1, x2 > 0)."""
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = _z(alpha)
    return ratio * math.exp(-z * se), ratio * math.exp(z * se)


def z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when nothing varies)."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return float(2 * scipy_stats.norm.sf(abs(x1 / n1 - x2 / n2) / se))


def _fisher_needed(x1: int, n1: int, x2: int, n2: int) -> bool:
    total = n1 + n2
    successes = x1 + x2
    failures = total - successes
    smallest = min(n1, n2) * min(successes, failures) / total
    return smallest < FISHER_BELOW


def compare(treatment: VariantCounts, control: VariantCounts, alpha: float = 0.05) -> Comparison:
    """Treatment against control: uplift with intervals and a two-sided p-value."""
    x1, n1, x2, n2 = treatment.conversions, treatment.exposures, control.conversions, control.exposures
    if n1 <= 0 or n2 <= 0:
        return Comparison(None, None, None, None, None, "-")
    uplift = x1 / n1 - x2 / n2
    uplift_ci = Interval(*newcomb(x1, n1, x2, n2, alpha))
    relative = relative_ci = None
    if x2 > 0:
        relative = (x1 / n1) / (x2 / n2) - 1
        if x1 > 0:
            r_low, r_high = log_ratio(x1, n1, x2, n2, alpha)
            relative_ci = Interval(r_low - 1, r_high - 1)
    if _fisher_needed(x1, n1, x2, n2):
        p_value = float(scipy_stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
        test = "fisher"
    else:
        p_value, test = z_test(x1, n1, x2, n2), "z-test"
    if math.isnan(p_value):
        p_value = 1.0
    return Comparison(uplift, uplift_ci, relative, relative_ci, p_value, test)


def cohens_h(rate: float, baseline: float) -> float:
    return 2 * math.asin(math.sqrt(rate)) - 2 * math.asin(math.sqrt(baseline))


def normal_power(effect: float, n_control: float, n_treatment: float, alpha: float = 0.05) -> float:
    """Power of a two-sided z-test for a standardised effect (both tails, as statsmodels counts)."""
    crit = _z(alpha)
    shift = abs(effect) * math.sqrt(1 / (1 / n_control + 1 / n_treatment))
    return float(scipy_stats.norm.sf(crit - shift) + scipy_stats.norm.cdf(-crit - shift))


def minimum_detectable_effect(
    baseline: float, n_control: int, n_treatment: int, alpha: float = 0.05, power: float = 0.8
) -> float | None:
    """The smallest upward change of the control's rate detectable with these sizes (proportion
    points), from the normal power on Cohen's h. None without data or a usable baseline."""
    if n_control <= 1 or n_treatment <= 1 or not 0 < baseline < 1:
        return None
    h = optimize.brentq(lambda d: normal_power(d, n_control, n_treatment, alpha) - power, 1e-10, 10, xtol=1e-14)
    angle = math.asin(math.sqrt(baseline)) + h / 2
    if angle >= math.pi / 2:
        return 1 - baseline
    return math.sin(angle) ** 2 - baseline


def sample_size_per_variant(baseline: float, uplift: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Units per variant needed to detect `uplift` (points) on `baseline` (planning aid)."""
    h = cohens_h(baseline + uplift, baseline)
    n: float = optimize.brentq(lambda m: normal_power(h, m, m, alpha) - power, 2.0, 1e9, xtol=1e-9)
    return math.ceil(n)


def adjust_p_values(p_values: Sequence[float], method: str) -> list[float]:
    """Holm ("holm") or Benjamini–Hochberg ("bh") adjusted p-values, in the given order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    if method == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (m - rank) * p_values[i]))
            adjusted[i] = running
    elif method == "bh":
        running = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            running = min(running, min(1.0, m / (rank + 1) * p_values[i]))
            adjusted[i] = running
    else:
        raise ValueError(f"unknown correction {method!r}: holm or bh")
    return adjusted


def srm_check(exposures: Sequence[int], weights: Sequence[float]) -> SrmCheck:
    total = sum(exposures)
    share = sum(weights)
    expected = tuple(total * w / share for w in weights) if share > 0 else tuple(0.0 for _ in weights)
    if total == 0 or len(exposures) < 2:
        return SrmCheck(tuple(exposures), expected, None, None)
    if any(e == 0 and o > 0 for o, e in zip(exposures, expected, strict=True)):  # units where none belong
        return SrmCheck(tuple(exposures), expected, None, 0.0)
    if any(e == 0 for e in expected):
        kept = [(o, e) for o, e in zip(exposures, expected, strict=True) if e > 0]
        result = scipy_stats.chisquare(f_obs=[o for o, _ in kept], f_exp=[e for _, e in kept])
        return SrmCheck(tuple(exposures), expected, float(result.statistic), float(result.pvalue))
    result = scipy_stats.chisquare(f_obs=list(exposures), f_exp=list(expected))
    return SrmCheck(tuple(exposures), expected, float(result.statistic), float(result.pvalue))


def analyse(
    counts: Sequence[VariantCounts], control: str, *, alpha: float = 0.05, power: float = 0.8,
    planned_sample_size: int = 0,
) -> Analysis:
    """The whole report for one metric; `counts` in the experiment's variant order."""
    by_name = {c.name: c for c in counts}
    base = by_name[control]
    treatments = [c for c in counts if c.name != control]
    comparisons = [compare(t, base, alpha) for t in treatments]
    raw = [c.p_value for c in comparisons]
    known = [p for p in raw if p is not None]
    correction = "holm" if len(treatments) > 1 else "none"
    if correction == "holm" and known:
        adjusted_known = adjust_p_values(known, "holm")
    else:
        adjusted_known = list(known)
    adjusted_iter = iter(adjusted_known)
    adjusted = [None if p is None else float(next(adjusted_iter)) for p in raw]
    baseline = base.conversions / base.exposures if base.exposures else None
    results: list[VariantResult] = []
    compared = dict(zip((t.name for t in treatments), zip(comparisons, adjusted, strict=True), strict=True))
    for c in counts:
        rate = c.conversions / c.exposures if c.exposures else None
        if c.name == control:
            results.append(VariantResult(c.name, True, c.exposures, c.conversions, rate,
                                         rate_interval(c.conversions, c.exposures, alpha), None, None, False))
            continue
        comparison, p_adj = compared[c.name]
        comparison = Comparison(comparison.uplift, comparison.uplift_ci, comparison.relative,
                                comparison.relative_ci, comparison.p_value, comparison.test, p_adj)
        mde = (minimum_detectable_effect(baseline, base.exposures, c.exposures, alpha, power)
               if baseline is not None else None)
        results.append(VariantResult(
            c.name, False, c.exposures, c.conversions, rate, rate_interval(c.conversions, c.exposures, alpha),
            comparison, mde, p_adj is not None and p_adj < alpha,
        ))
    return Analysis(
        variants=tuple(results),
        srm=srm_check([c.exposures for c in counts], [c.weight for c in counts]),
        alpha=alpha, correction=correction,
        total_exposures=sum(c.exposures for c in counts), planned_sample_size=planned_sample_size,
    )

