"""The engine on simulated experiments with a known truth (in memory, the same assignment and
statistics the real report uses): it finds a real effect and does not find one that is not there."""

from __future__ import annotations

from scipy.stats import binom

from herinnering.services.simulation import Spec, repeat, simulate_in_memory


def test_repeated_a_a_tests_reject_at_about_the_nominal_five_percent() -> None:
    runs = 200
    result = repeat(Spec(tenants=1000, uplift=0.0, seed=7), runs)
    low, high = binom.ppf(0.0005, runs, 0.05), binom.ppf(0.9995, runs, 0.05)  # a 99.9 % band around 10 of 200
    assert low <= result.rejections <= high, result


def test_a_true_five_point_uplift_is_found_with_enough_tenants() -> None:
    # 3,000 per group gives ~97 % power for 25.5 % -> 30.5 %; 20 runs: at least 16 must find it
    result = repeat(Spec(tenants=6000, base_rate=0.255, uplift=0.05, seed=11), 20)
    assert result.rejections >= 16, result
    analysis = simulate_in_memory(Spec(tenants=6000, uplift=0.05, seed=3))
    [control, kind] = analysis.variants
    assert kind.significant and kind.comparison.uplift_ci.low > 0
    assert kind.comparison.uplift_ci.low < 0.05 < kind.comparison.uplift_ci.high  # the interval covers the truth


def test_too_few_tenants_rarely_find_the_same_effect() -> None:
    result = repeat(Spec(tenants=300, uplift=0.05, seed=5), 40)
    assert result.rejections <= 20  # power ~ 20 %: a small test is mostly blind, as the MDE says
    mde = simulate_in_memory(Spec(tenants=300, uplift=0.05, seed=5)).variants[1].mde
    assert mde is not None and mde > 0.10


def test_an_induced_45_55_split_on_a_50_50_experiment_raises_the_srm_warning() -> None:
    analysis = simulate_in_memory(Spec(tenants=6000, uplift=0.0, seed=2, actual_weights=(0.45, 0.55)))
    assert analysis.srm.mismatch
    assert "Sample ratio mismatch" in analysis.warnings()[0]
    honest = simulate_in_memory(Spec(tenants=6000, uplift=0.0, seed=2))
    assert not honest.srm.mismatch
