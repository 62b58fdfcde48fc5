"""The Bayesian view beside the frequentist one: chance that a variant is better, and the
expected loss of choosing it (Beta–Binomial).

Each variant's rate gets a Beta(1 + successes, 1 + failures) posterior (a uniform prior).
- Chance to win: P(p_B > p_A) = ∫ f_B(x) F_A(x) dx, integrated numerically (scipy `quad`)
  over the region where the posteriors hold their mass.
- Expected loss of choosing B: E[max(p_A - p_B, 0)]
  = mean_A · P(A⁺ > B) - mean_B · P(A > B⁺), where A⁺ ~ Beta(a_A + 1, b_A) and B⁺ ~ Beta(a_B + 1, b_B)
  (because E[p · g(p)] = mean · E[g(p⁺)] for a Beta variable; Stucchio 2015, "Bayesian A/B
  testing at VWO").
With tenant shares over several months the "successes" are the sum of the tenants' shares
(whole numbers for one month, where this is exact; an approximation otherwise).

Pure: scipy on values; no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import integrate
from scipy import stats as scipy_stats

__all__ = ["BayesResult", "chance_to_win", "compare_beta", "expected_loss"]


@dataclass(frozen=True)
class BayesResult:
    chance_to_win: float  # P(treatment's rate > control's rate)
    expected_loss: float  # E[max(control - treatment, 0)], in proportion points: the risk of choosing it


def _beta(successes: float, units: float) -> tuple[float, float]:
    return 1.0 + successes, 1.0 + max(0.0, units - successes)


def _greater(a: tuple[float, float], b: tuple[float, float]) -> float:
    """P(X > Y) for X ~ Beta(*a), Y ~ Beta(*b): ∫ f_X(x) F_Y(x) dx."""
    x, y = scipy_stats.beta(*a), scipy_stats.beta(*b)
    low = max(0.0, min(x.ppf(1e-12), y.ppf(1e-12)))
    high = min(1.0, max(x.isf(1e-12), y.isf(1e-12)))
    points = sorted({x.mean(), y.mean()})
    value, _ = integrate.quad(lambda v: x.pdf(v) * y.cdf(v), low, high, points=points, limit=200,
                              epsabs=1e-10, epsrel=1e-8)
    return min(1.0, max(0.0, float(value)))


def chance_to_win(treatment_successes: float, treatment_units: float, control_successes: float,
                  control_units: float) -> float:
    return _greater(_beta(treatment_successes, treatment_units), _beta(control_successes, control_units))


def expected_loss(treatment_successes: float, treatment_units: float, control_successes: float,
                  control_units: float) -> float:
    """What choosing the treatment costs on average if it is in fact worse (proportion points)."""
    a_t, b_t = _beta(treatment_successes, treatment_units)
    a_c, b_c = _beta(control_successes, control_units)
    mean_c, mean_t = a_c / (a_c + b_c), a_t / (a_t + b_t)
    loss = mean_c * _greater((a_c + 1, b_c), (a_t, b_t)) - mean_t * _greater((a_c, b_c), (a_t + 1, b_t))
    return max(0.0, loss)


def compare_beta(treatment_successes: float, treatment_units: float, control_successes: float,
                 control_units: float) -> BayesResult | None:
    if treatment_units <= 0 or control_units <= 0:
        return None
    args = (treatment_successes, treatment_units, control_successes, control_units)
    return BayesResult(chance_to_win(*args), expected_loss(*args))
