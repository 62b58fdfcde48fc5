"""`simulate`'s scenarios in a small version (what CI runs): the engine keeps its error rates
where the engine of before broke, and still finds an effect that is there."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from herinnering.domain.experiments.simulation import World, draw, run_scenarios, tenant_z


@pytest.mark.simulation
def test_the_break_the_engine_scenarios_hold_where_the_old_engine_broke() -> None:
    rates = {(r.scenario, r.engine): r for r in run_scenarios(runs=400, tenants=200, seed=11)}
    assert len(rates) == 15
    for (scenario, engine), rate in rates.items():
        if engine.startswith("before") or engine.startswith("fixed-horizon") or engine.startswith("without"):
            continue
        ceiling = 0.01 if "SRM" in engine else 0.05
        assert rate.interval.low <= ceiling, (scenario, engine, rate.rate)  # consistent with the promise
        assert rate.rate < 2 * ceiling + 0.02, (scenario, engine, rate.rate)
    three_months = "A/A, 3 months, segment duplicates, heterogeneous tenants"
    assert rates[(three_months, "before: message as unit")].interval.low > 0.05  # counted messages: too many wins
    daily = "A/A read daily for 30 days"
    assert rates[(daily, "fixed-horizon interval, read daily")].interval.low > 0.10  # peeking
    sooner = "B pays sooner, not more; read daily"
    assert rates[(sooner, "before: message unit, open windows fail, daily")].rate > 0.5  # speed looked like more


def test_a_true_uplift_is_found_by_the_tenant_level_engine() -> None:
    d = draw(np.random.default_rng(12), 200, World(tenants=2000, uplift=0.06, months=2))
    z, _, _ = tenant_z(d, 120.0)
    assert np.mean(z >= scipy_stats.norm.isf(0.025)) > 0.8  # power well above 80 % for 6 points
