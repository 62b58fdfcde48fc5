"""The report's figures on fixed counts: scipy's tests and the textbook formulas (the frozen
statsmodels figures are in test_stats_reference.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare, fisher_exact, norm

from herinnering.domain.experiments.stats import (
    VariantCounts,
    adjust_p_values,
    analyse,
    cohens_h,
    log_ratio,
    minimum_detectable_effect,
    newcomb,
    normal_power,
    rate_interval,
    sample_size_per_variant,
    srm_check,
    wilson,
    z_test,
)

# The Rochdale figures at a realistic size: 25.5 % of the control paid within 5 days, 31.8 % of the SMS group.
CONTROL = VariantCounts("control", 1200, 306, 0.5)
KIND = VariantCounts("kind", 1180, 375, 0.5)


def test_rates_and_wilson_intervals_are_the_report_figures() -> None:
    analysis = analyse([CONTROL, KIND], "control")
    for counts, result in zip((CONTROL, KIND), analysis.variants, strict=True):
        low, high = wilson(counts.conversions, counts.exposures)
        assert result.rate == counts.conversions / counts.exposures
        assert (result.rate_ci.low, result.rate_ci.high) == pytest.approx((low, high), abs=1e-12)


def test_uplift_intervals_and_the_z_test_are_the_report_figures() -> None:
    [_, kind] = analyse([CONTROL, KIND], "control").variants
    c = kind.comparison
    x1, n1, x2, n2 = 375, 1180, 306, 1200
    assert c.uplift == pytest.approx(x1 / n1 - x2 / n2, abs=1e-15)
    assert (c.uplift_ci.low, c.uplift_ci.high) == pytest.approx(
        newcomb(x1, n1, x2, n2), abs=1e-12)
    r_low, r_high = log_ratio(x1, n1, x2, n2)
    assert c.relative == pytest.approx((x1 / n1) / (x2 / n2) - 1, abs=1e-12)
    assert (c.relative_ci.low, c.relative_ci.high) == pytest.approx((r_low - 1, r_high - 1), abs=1e-12)
    assert c.test == "z-test"
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert c.p_value == pytest.approx(2 * norm.sf(z), rel=1e-12) == z_test(x1, n1, x2, n2)
    assert c.p_adjusted == c.p_value  # one treatment: nothing to correct
    assert kind.significant


def test_small_counts_use_fishers_exact_test() -> None:
    [_, treated] = analyse([VariantCounts("control", 14, 1, 0.5), VariantCounts("kind", 15, 6, 0.5)], "control").variants
    assert treated.comparison.test == "fisher"
    assert treated.comparison.p_value == pytest.approx(fisher_exact([[6, 9], [1, 13]]).pvalue, abs=1e-15)


def test_several_variants_are_holm_corrected() -> None:
    counts = [CONTROL, KIND, VariantCounts("short", 1190, 330, 0.25), VariantCounts("link", 1210, 360, 0.25)]
    counts[1] = VariantCounts("kind", 1180, 375, 0.25)
    counts[0] = VariantCounts("control", 1200, 306, 0.5)
    analysis = analyse(counts, "control")
    raw = [v.comparison.p_value for v in analysis.variants[1:]]
    expected = adjust_p_values(raw, "holm")
    assert analysis.correction == "holm"
    assert [v.comparison.p_adjusted for v in analysis.variants[1:]] == pytest.approx(list(expected), abs=1e-15)
    assert [v.significant for v in analysis.variants[1:]] == [p < 0.05 for p in expected]


def test_the_srm_check_is_scipys_chi_square_against_the_weights() -> None:
    check = srm_check([4500, 5500], [0.5, 0.5])  # an induced 45/55 split on a 50/50 experiment
    assert check.p_value == pytest.approx(chisquare([4500, 5500], [5000, 5000]).pvalue, rel=1e-12)
    assert check.mismatch
    fine = srm_check([4980, 5020], [0.5, 0.5])
    assert not fine.mismatch
    uneven = srm_check([2000, 8000], [0.2, 0.8])  # uneven weights are what was asked for
    assert uneven.p_value == pytest.approx(1.0) and not uneven.mismatch


def test_an_induced_45_55_split_puts_the_srm_warning_first() -> None:
    analysis = analyse([VariantCounts("control", 900, 220, 0.5), VariantCounts("kind", 1100, 280, 0.5)], "control",
                       planned_sample_size=2000)
    assert analysis.srm.mismatch
    assert analysis.warnings()[0].startswith("Sample ratio mismatch")
    # with only 1,000 exposures 45/55 is not yet beyond the 0.001 threshold (p = 0.0016): no false alarm
    small = analyse([VariantCounts("control", 450, 110, 0.5), VariantCounts("kind", 550, 140, 0.5)], "control")
    assert small.srm.p_value == pytest.approx(0.0016, abs=1e-4) and not small.srm.mismatch


def test_the_minimum_detectable_effect_is_the_effect_with_the_planned_power() -> None:
    mde = minimum_detectable_effect(0.255, 1200, 1180)
    power = normal_power(cohens_h(0.255 + mde, 0.255), 1200, 1180)
    assert power == pytest.approx(0.8, abs=1e-6)
    assert 0.04 < mde < 0.06  # about five points with ~1,200 per group
    assert minimum_detectable_effect(0.255, 4800, 4800) == pytest.approx(mde / 2, rel=0.1)  # 4x the size, half the MDE
    assert minimum_detectable_effect(0.0, 100, 100) is None


def test_the_sample_size_per_variant_detects_the_effect_with_80_percent_power() -> None:
    n = sample_size_per_variant(0.255, 0.05)
    h = cohens_h(0.305, 0.255)
    assert normal_power(h, n, n) >= 0.8
    assert normal_power(h, n - 1, n - 1) < 0.8


@pytest.mark.parametrize(("total", "planned", "early"), [
    (2380, 5000, True),    # read before the planned size: warned
    (5000, 5000, False),   # at the planned size: no warning
    (2380, 0, True),       # no plan at all: exploratory
])
def test_reading_before_the_planned_sample_size_warns(total: int, planned: int, early: bool) -> None:
    half = total // 2
    analysis = analyse([VariantCounts("control", half, half // 4, 0.5), VariantCounts("kind", total - half, half // 3, 0.5)],
                       "control", planned_sample_size=planned)
    assert analysis.early_look is early
    assert any("planned" in w for w in analysis.warnings()) is early


def test_a_variant_without_exposures_has_no_figures_instead_of_nonsense() -> None:
    analysis = analyse([VariantCounts("control", 0, 0, 0.5), VariantCounts("kind", 0, 0, 0.5)], "control")
    [control, kind] = analysis.variants
    assert control.rate is None and kind.comparison.p_value is None and not kind.significant
    assert analysis.srm.p_value is None and not analysis.srm.mismatch


def test_nobody_converting_anywhere_is_not_significant() -> None:
    [_, kind] = analyse([VariantCounts("control", 500, 0, 0.5), VariantCounts("kind", 500, 0, 0.5)], "control").variants
    assert kind.comparison.p_value == 1.0 and not kind.significant
    assert not math.isnan(kind.comparison.uplift)


@given(st.integers(min_value=1, max_value=500), st.booleans())
def test_a_rate_of_0_or_100_percent_lies_inside_its_own_interval(exposures: int, all_converted: bool) -> None:
    conversions = exposures if all_converted else 0
    interval = rate_interval(conversions, exposures)
    assert interval is not None
    assert interval.low <= conversions / exposures <= interval.high
