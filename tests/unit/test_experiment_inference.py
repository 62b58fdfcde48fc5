"""The engine holds its error rates on thousands of simulated experiments (vectorised, seeded),
judges a month honestly, gains from CUPED without bias, and its chance to win is the Beta
posterior's. 2,000 runs put the binomial uncertainty of a 5 % rate at ±1 point (99 %)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import stats as scipy_stats
from scipy.special import betaln

from herinnering.domain.experiments.analysis import (
    ExposureRows,
    Verdict,
    analyse,
    batched_estimate,
    estimate,
)
from herinnering.domain.experiments.bayesian import chance_to_win, expected_loss
from herinnering.domain.experiments.outcomes import (
    MonthOutcome,
    judge_arrays,
    judge_month,
    tenant_table,
)
from herinnering.domain.experiments.sequential import (
    mixture_half_width,
    mixture_p_value,
    spending_bounds,
)
from herinnering.domain.experiments.simulation import World, draw, read_daily, srm_alarms, tenant_z
from herinnering.domain.experiments.stats import adjust_p_values

RUNS = 2000


def test_an_a_a_test_of_3_months_with_segment_duplicates_keeps_its_error_rates() -> None:
    d = draw(np.random.default_rng(1), RUNS, World(tenants=400, months=3, duplicates=0.3, spread=2.0))
    assert d.tenant.size > RUNS * 400 * 3 * 1.25  # duplicates and months: many more messages than tenants
    z, _, per_arm = tenant_z(d, 200.0)
    false_wins = np.mean(np.abs(z) >= scipy_stats.norm.isf(0.025))
    assert 0.03 <= false_wins <= 0.07
    assert np.mean(srm_alarms(per_arm, 0.5)) < 0.01


def test_read_daily_for_30_days_the_sequential_interval_keeps_the_false_positive_rate() -> None:
    world = World(tenants=400, duplicates=0.0, already_paid=0.0)
    d = draw(np.random.default_rng(2), RUNS, world)
    planned = int(np.sum(np.arange(400) % 28 + 3 + 5 + world.return_days <= 30))
    sequential, fixed = read_daily(d, 30, planned)
    assert 0.03 <= sequential.mean() <= 0.07
    assert fixed.mean() > 0.15  # the fixed-horizon interval read daily: the trap it guards against


def test_the_spending_bounds_spend_exactly_alpha_over_30_looks() -> None:
    rng = np.random.default_rng(3)
    bounds = np.array(spending_bounds([k / 30 for k in range(1, 31)]))
    paths = np.cumsum(rng.standard_normal((100_000, 30)), axis=1) / np.sqrt(np.arange(1, 31))
    assert np.mean((np.abs(paths) >= bounds).any(axis=1)) == pytest.approx(0.05, abs=0.004)
    assert spending_bounds([1.0]) == pytest.approx((scipy_stats.norm.isf(0.025),))  # one look: the z-test


def test_the_mixture_interval_is_howards_formula_and_its_p_value_matches_it() -> None:
    eta2 = 1000 * (-2 * math.log(0.05) + math.log(-2 * math.log(0.05) + 1)) / 1000
    half = 0.01 * math.sqrt(2 * (1 + eta2) / eta2 * math.log(math.sqrt(1 + eta2) / 0.05))
    assert mixture_half_width(0.01, 1000) == pytest.approx(half)
    assert mixture_p_value(half / 0.01, 1000) == pytest.approx(0.05)  # on the boundary: p = alpha


def _month(*changes: tuple[int, str], exposed: int = 0, deadline: int = 5, now: int = 30, days: int = 3) -> MonthOutcome:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    return judge_month([(start + timedelta(days=d), s) for d, s in changes], start + timedelta(days=exposed),
                       start + timedelta(days=deadline), days, start + timedelta(days=now))


def test_a_returned_debit_undoes_its_conversion() -> None:
    assert _month((4, "paid")) is MonthOutcome.PAID
    assert _month((4, "paid"), (6, "returned")) is MonthOutcome.NOT_PAID  # AM04 two days later
    assert _month((1, "paid"), (2, "returned"), (3, "paid")) is MonthOutcome.PAID  # paid again in time
    assert _month((1, "paid"), (9, "returned")) is MonthOutcome.PAID  # returned after the return window


def test_a_payment_before_the_exposure_does_not_count() -> None:
    assert _month((-1, "paid"), exposed=0) is MonthOutcome.ALREADY_PAID
    assert _month((-2, "paid"), (-1, "returned"), (2, "paid")) is MonthOutcome.PAID  # unpaid again when sent


def test_an_open_window_is_left_out_not_counted_as_a_failure() -> None:
    assert _month(now=7) is MonthOutcome.OPEN  # deadline passed, return window not yet
    assert _month(now=8) is MonthOutcome.NOT_PAID
    assert _month((9, "paid"), now=9) is MonthOutcome.NOT_PAID  # late


def test_the_vectorised_judge_agrees_with_the_one_month_judge() -> None:
    rng = np.random.default_rng(4)
    for _ in range(300):
        paid = float(rng.integers(-3, 12)) if rng.random() < 0.8 else math.nan
        returned = paid + float(rng.integers(1, 6)) if not math.isnan(paid) and rng.random() < 0.4 else math.nan
        now = float(rng.integers(0, 15))
        changes = [] if math.isnan(paid) else [(int(paid), "paid")]
        if not math.isnan(returned):
            changes.append((int(returned), "returned"))
        expected = _month(*changes, now=int(now))
        got = judge_arrays(np.array([0.0]), np.array([5.0]), np.array([paid]), np.array([returned]), now, 3.0)[0]
        assert got == expected, (paid, returned, now)


def test_cuped_narrows_the_interval_and_leaves_the_estimate_unbiased() -> None:
    world = World(tenants=400, uplift=0.04, spread=1.5, duplicates=0.0, already_paid=0.0)
    d = draw(np.random.default_rng(5), RUNS, world)
    z, _, _ = tenant_z(d, 100.0)
    outcome = judge_arrays(d.exposed, d.deadline, d.paid, d.returned, 100.0, 3.0)
    share = np.bincount(d.tenant, weights=(outcome == MonthOutcome.PAID), minlength=d.covariate.size)
    group = np.arange(d.covariate.size) // 400
    everyone = np.ones(d.covariate.size, dtype=bool)
    cuped, se, raw = batched_estimate(share, d.covariate, group, d.assigned == 1, everyone, RUNS)
    _, raw_se, _ = batched_estimate(share, np.full_like(d.covariate, np.nan), group, d.assigned == 1, everyone, RUNS)
    assert np.mean(se) < 0.85 * np.mean(raw_se)  # persistent tenants: prior on-time share explains much
    true = np.mean(np.clip(d.propensity + 0.04, 0, 1) - d.propensity)  # additive, clipped at 1
    assert abs(np.mean(cuped) - np.mean(raw)) < 3 * np.std(cuped - raw) / math.sqrt(RUNS)  # same centre
    assert np.mean(cuped) == pytest.approx(true, abs=0.004)
    assert np.std(cuped) < np.std(raw)


def test_the_batched_estimate_is_the_reports_estimate() -> None:
    rng = np.random.default_rng(6)
    share = rng.random(300).round(2)
    covariate = np.where(rng.random(300) < 0.1, np.nan, share * 0.5 + rng.random(300) * 0.5)
    group = np.repeat([0, 1, 2], 100)
    treated = rng.random(300) < 0.5
    uplift, se, raw = batched_estimate(share, covariate, group, treated, np.ones(300, dtype=bool), 3)
    for g in range(3):
        mine = group == g
        e = estimate(share, covariate, mine & treated, mine & ~treated)
        assert e is not None
        assert (uplift[g], se[g], raw[g]) == pytest.approx((e.uplift, e.se, e.raw_uplift), rel=1e-9)


@pytest.mark.parametrize(("b", "nb", "a", "na"), [(318, 1000, 300, 1000), (12, 40, 9, 41), (0, 10, 3, 10),
                                                  (905, 1000, 890, 1000)])
def test_chance_to_win_and_expected_loss_match_an_independent_reference(b: int, nb: int, a: int, na: int) -> None:
    # closed form for whole-number Beta parameters (Evan Miller, "Formulas for Bayesian A/B testing")
    alpha_a, beta_a, alpha_b, beta_b = 1 + a, 1 + na - a, 1 + b, 1 + nb - b
    i = np.arange(alpha_b)
    exact = np.sum(np.exp(betaln(alpha_a + i, beta_a + beta_b) - np.log(beta_b + i) - betaln(1 + i, beta_b)
                          - betaln(alpha_a, beta_a)))
    assert chance_to_win(b, nb, a, na) == pytest.approx(exact, abs=1e-6)
    rng = np.random.default_rng(7)  # Monte Carlo, a second independent reference
    pa, pb = rng.beta(alpha_a, beta_a, 400_000), rng.beta(alpha_b, beta_b, 400_000)
    assert chance_to_win(b, nb, a, na) == pytest.approx(np.mean(pb > pa), abs=0.005)
    assert expected_loss(b, nb, a, na) == pytest.approx(np.mean(np.maximum(pa - pb, 0)), abs=3e-4)


def _rows(rng: np.random.Generator, rates: list[float], tenants: int = 6000) -> ExposureRows:
    variant = rng.integers(0, len(rates), tenants)
    paid = rng.random(tenants) < np.array(rates)[variant]
    return ExposureRows(
        tenant=np.arange(tenants), variant=variant, month=np.zeros(tenants, dtype=np.int64),
        exposed=np.zeros(tenants), closes=np.full(tenants, 8.0),
        outcome=np.where(paid, MonthOutcome.PAID, MonthOutcome.NOT_PAID).astype(np.int8),
        covariate=np.full(tenants, np.nan))


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_corrected_intervals_exclude_zero_exactly_when_the_adjusted_p_value_is_below_alpha(correction: str) -> None:
    rng = np.random.default_rng(8)
    rows = _rows(rng, [0.70, 0.735, 0.72, 0.70])
    names, weights = ["control", "a", "b", "c"], [0.25] * 4
    a = analyse(rows, names, weights, "control", look_times=[9.0], planned=6000, correction=correction)
    assert a.correction == correction and len(a.effects) == 3
    for e in a.effects:
        excludes = e.fixed_ci.low > 0 or e.fixed_ci.high < 0
        assert excludes == (e.fixed_p_adjusted < 0.05), (e.name, e.fixed_ci, e.fixed_p_adjusted)
        assert e.fixed_p_adjusted >= e.fixed_p
        half = (e.fixed_ci.high - e.fixed_ci.low) / 2
        assert half >= scipy_stats.norm.isf(0.025) * e.estimate.se * (1 - 1e-12)  # never narrower than uncorrected
    assert [e.fixed_p_adjusted for e in a.effects] == pytest.approx(
        adjust_p_values([e.fixed_p for e in a.effects], correction))


def test_power_says_the_mde_at_the_planned_size_and_how_many_more_tenants_and_days() -> None:
    rows = _rows(np.random.default_rng(9), [0.70, 0.72], tenants=2000)
    a = analyse(rows, ["control", "b"], [0.5, 0.5], "control", look_times=[9.0], planned=8000,
                target_uplift=0.03, days_running=20.0)
    [e] = a.effects
    z = scipy_stats.norm.isf(0.025) + scipy_stats.norm.isf(0.2)
    unit = e.estimate.variances[0] / 0.5 + e.estimate.variances[1] / 0.5
    assert e.mde_at_plan == pytest.approx(z * math.sqrt(unit / 8000))
    assert e.tenants_needed == math.ceil(z * z * unit / 0.03 ** 2)
    assert e.more_tenants == e.tenants_needed - 2000
    assert e.more_days == math.ceil(e.more_tenants / (2000 / 20.0))  # at the pace so far
    assert e.verdict is not Verdict.NO_DIFFERENCE  # the planned size is not reached: no "no difference"


def test_a_sample_ratio_mismatch_leaves_no_verdict() -> None:
    rng = np.random.default_rng(10)
    rows = _rows(rng, [0.60, 0.75], tenants=4000)
    skewed = ExposureRows(rows.tenant, np.where(rng.random(4000) < 0.1, 1, rows.variant), rows.month, rows.exposed,
                          rows.closes, rows.outcome, rows.covariate)
    a = analyse(skewed, ["control", "b"], [0.5, 0.5], "control", look_times=[9.0], planned=4000)
    assert a.srm.mismatch
    assert [e.verdict for e in a.effects] == [Verdict.SRM] and [e.fixed_verdict for e in a.effects] == [Verdict.SRM]


def test_tenants_who_saw_two_variants_are_counted_once_under_their_first() -> None:
    table = tenant_table(np.array([0, 0, 1, 1, 1]), np.array([1, 0, 0, 0, 0]), np.array([0, 1, 0, 0, 1]),
                         np.array([1.0, 31.0, 2.0, 0.5, 33.0]),
                         np.array([MonthOutcome.PAID, MonthOutcome.NOT_PAID, MonthOutcome.PAID, MonthOutcome.PAID,
                                   MonthOutcome.OPEN]))
    assert list(table.variant) == [1, 0] and table.mixed == 1
    assert list(table.months) == [2, 1] and list(table.paid) == [1, 1]  # tenant 1: one judged month
    assert table.repeat_exposures == 1 and table.open_months == 1


def test_with_three_variants_todays_interval_is_the_last_daily_look() -> None:
    rng = np.random.default_rng(11)
    rows = _rows(rng, [0.70, 0.74, 0.70])
    rows = ExposureRows(rows.tenant, rows.variant, rows.month, rng.integers(0, 20, rows.tenant.size).astype(float),
                        rows.closes, rows.outcome, rows.covariate)
    rows = ExposureRows(rows.tenant, rows.variant, rows.month, rows.exposed, rows.exposed + 8, rows.outcome,
                        rows.covariate)
    a = analyse(rows, ["control", "a", "b"], [1 / 3] * 3, "control", look_times=[float(d) for d in range(1, 31)],
                planned=6000)
    for e in a.effects:
        assert len(e.looks) > 10 and e.looks[-1].tenants == sum(a.judged)
        assert (e.sequential_ci.low, e.sequential_ci.high) == (e.looks[-1].low, e.looks[-1].high)
        bounds = spending_bounds([look.tenants / 6000 for look in e.looks], 0.05 / 2)  # Bonferroni over two
        assert e.looks[-1].high - e.looks[-1].uplift == pytest.approx(bounds[-1] * e.looks[-1].se)
