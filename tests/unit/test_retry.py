"""Backoff after a 429: jittered, capped, and never sooner than the provider's Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.reminders.retry import JITTER, RetryPolicy, parse_retry_after

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 20),
    base_seconds=st.floats(0, 3600, allow_nan=False),
    max_seconds=st.floats(0, 86_400, allow_nan=False),
)
attempts = st.integers(0, 100)
draws = st.floats(0, 1)
retry_afters = st.none() | st.floats(0, 100_000, allow_nan=False)


@given(policies, attempts, retry_afters, draws)
def test_the_wait_is_never_shorter_than_retry_after(policy: RetryPolicy, n: int, after: float | None,
                                                    draw: float) -> None:
    if after is not None:
        assert policy.delay(n, after, draw).total_seconds() >= after


@given(policies, attempts, retry_afters, draws)
def test_the_wait_never_exceeds_the_cap_unless_the_provider_asks_for_longer(
    policy: RetryPolicy, n: int, after: float | None, draw: float
) -> None:
    assert policy.delay(n, after, draw).total_seconds() <= max(policy.max_seconds, after or 0) + 1e-6


@given(policies, attempts, draws)
def test_jitter_stays_between_half_the_backoff_and_all_of_it(policy: RetryPolicy, n: int, draw: float) -> None:
    full = policy.backoff(n)
    seconds = policy.delay(n, None, draw).total_seconds()
    assert full * (1 - JITTER) - 1e-6 <= seconds <= full + 1e-6


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=30, max_seconds=100)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert [policy.delay(n, draw=0.0).total_seconds() for n in (1, 2, 3)] == [15, 30, 50]


def test_a_retry_after_beyond_our_backoff_decides_the_next_attempt() -> None:
    policy = RetryPolicy(max_attempts=5, base_seconds=1, max_seconds=10)
    assert policy.next_attempt(1, NOW, retry_after=7, draw=0.3) == NOW + timedelta(seconds=7)
    assert policy.next_attempt(5, NOW, retry_after=7) is None  # the attempts are used up


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),                                # delta-seconds, as Twilio and the fake send it
        (" 120 ", 120.0),
        ("Tue, 01 Dec 2026 09:00:30 GMT", 30.0),   # an HTTP date, measured from the answer's Date
        ("Tue, 01 Dec 2026 08:59:00 GMT", 0.0),    # already past: go now
        ("soon", None),                            # unreadable: our own backoff decides
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_as_a_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_a_retry_after_date_without_a_reference_moment_is_ignored() -> None:
    assert parse_retry_after("Tue, 01 Dec 2026 09:00:30 GMT", None) is None
