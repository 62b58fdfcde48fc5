"""Which MVI steps a case has, and what stops a Wgs signal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from herinnering.domain.legal.mvi import MviRecord, MviStep, assess

AT = datetime(2026, 12, 20, 10, tzinfo=UTC)
COMPLETE = [
    MviRecord(MviStep.WRITTEN_REMINDER, "letter", AT),
    MviRecord(MviStep.DATA_OFFER, "letter", AT),
    MviRecord(MviStep.PERSONAL_CONTACT, "phone", AT),
    MviRecord(MviStep.DEBT_HELP, "sms", AT),
]


def test_a_case_with_all_four_steps_is_ready() -> None:
    verdict = assess(COMPLETE)
    assert verdict.ready and verdict.missing == () and verdict.explain() == ""


@pytest.mark.parametrize("left_out", [0, 1, 2, 3])
def test_a_missing_step_is_named(left_out: int) -> None:
    records = [r for i, r in enumerate(COMPLETE) if i != left_out]
    verdict = assess(records)
    assert not verdict.ready and verdict.missing == (COMPLETE[left_out].step,)
    assert COMPLETE[left_out].step.value in verdict.explain()


def test_a_written_reminder_by_sms_alone_does_not_count() -> None:
    records = [MviRecord(MviStep.WRITTEN_REMINDER, "sms", AT), *COMPLETE[1:]]
    assert assess(records).missing == (MviStep.WRITTEN_REMINDER,)


def test_an_objection_blocks_the_signal_even_when_every_step_is_done() -> None:
    verdict = assess([*COMPLETE, MviRecord(MviStep.OBJECTION, "phone", AT)])
    assert not verdict.ready and verdict.missing == () and "objected" in verdict.explain()
