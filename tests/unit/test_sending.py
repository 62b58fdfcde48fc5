from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herinnering.domain.reminders.retry import RetryPolicy
from herinnering.domain.reminders.sending import Halt, Rejected, RetryLater, Unknown, classify_error


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (429, 20429, RetryLater),  # "too many requests, not processed": safe to send again
        (400, 21611, RetryLater),  # queue full
        (500, None, Unknown),      # may or may not have been sent: look it up first
        (503, 20500, Unknown),
        (None, None, Unknown),     # timeout or dropped connection
        (400, 21211, Rejected),    # invalid number: never retried
        (400, 21610, Rejected),    # unsubscribed recipient
        (401, 20003, Halt),        # our credentials are wrong: stop, fail nobody
    ],
)
def test_provider_errors_are_classified(status: int | None, code: int | None, kind: type) -> None:
    assert isinstance(classify_error(status, code, "x"), kind)


def test_only_21610_counts_as_an_opt_out() -> None:
    assert Rejected(21610, "x").opted_out
    assert not Rejected(21211, "x").opted_out


def test_backoff_doubles_up_to_the_cap_and_stops_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=30, max_seconds=100)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert policy.next_attempt(1, now) == now + timedelta(seconds=30)
    assert policy.next_attempt(4, now) is None
