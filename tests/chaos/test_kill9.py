"""The short chaos run CI does (python -m bench.chaos runs the long one): ten kill -9s of
real dispatcher processes mid-send — with pairs of identical texts to one number and every
delivery callback lost — then the status sweep, and the fake provider's log compared with the
database."""

from __future__ import annotations

import pytest

from bench.chaos import run_chaos


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killing_the_dispatcher_mid_send_loses_nothing_doubles_nothing_and_every_status_arrives(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    result = run_chaos(kills=10, tenants=300, db_url=url, seed=3, quiet=True)
    print(result.line())
    assert (result.planned, result.twins) == (360, 30)  # 300 reminders, 30 tenants with two identical texts
    assert result.duplicates == 0
    assert result.lost == 0
    assert result.accepted == 360  # the provider holds each message exactly once
    assert result.unsettled == 0  # every message ended delivered or failed, though no callback arrived
