"""Which provider message is ours: the pure rule behind settling an unknown send outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herinnering.domain.reminders.reconciliation import (
    Absent,
    Candidate,
    Claimant,
    Found,
    Undecided,
    pick,
)

T = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_no_candidate_means_the_message_was_not_sent() -> None:
    assert pick(1, [Claimant(1, T, True)], []) == Absent()


def test_a_provider_message_older_than_the_attempt_is_not_ours() -> None:
    assert pick(1, [Claimant(1, T, True)], [Candidate("SMold", T - timedelta(hours=1))]) == Absent()


def test_identical_messages_are_paired_with_the_candidates_in_order() -> None:
    claimants = [Claimant(2, T + timedelta(seconds=5), True), Claimant(1, T, True)]
    candidates = [Candidate("SMb", T + timedelta(seconds=5)), Candidate("SMa", T)]
    assert pick(1, claimants, candidates) == Found("SMa")
    assert pick(2, claimants, candidates) == Found("SMb")


def test_when_only_one_of_two_identical_messages_reached_the_provider_only_one_gets_it() -> None:
    claimants = [Claimant(1, T, True), Claimant(2, T, True)]
    candidates = [Candidate("SMa", T)]
    assert {pick(1, claimants, candidates), pick(2, claimants, candidates)} == {Found("SMa"), Absent()}


def test_a_candidate_that_may_belong_to_a_message_still_being_sent_decides_nothing() -> None:
    claimants = [Claimant(1, T, True), Claimant(2, T + timedelta(seconds=30), False)]
    verdict = pick(1, claimants, [Candidate("SMa", T + timedelta(seconds=30))])
    assert isinstance(verdict, Undecided) and "2" in verdict.reason


def test_the_message_must_be_one_of_the_claimants() -> None:
    with pytest.raises(ValueError):
        pick(9, [Claimant(1, T, True)], [])
