"""The step after a returned debit, per reason code, and the re-collection date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.payments.return_reasons import (
    ReturnAction,
    ReturnPolicy,
    bank_deadline,
    next_after_return,
    parse_actions,
    payable_part,
    recollection_date,
)
from herinnering.domain.reminders.planning import is_target2_closed

POLICY = ReturnPolicy()
DAY = date(2026, 12, 2)


@pytest.mark.parametrize(("code", "action", "link", "task", "recollect"), [
    ("AM04", ReturnAction.RECOLLECT, False, None, True),            # insufficient funds: try once more
    ("MS03", ReturnAction.RECOLLECT, False, None, True),            # bank reason: the same
    ("MD06", ReturnAction.OBJECTION, False, "return_objection", False),  # the tenant objects: talk
    ("MS02", ReturnAction.OBJECTION, False, "return_objection", False),
    ("AC04", ReturnAction.NEW_MANDATE, True, "new_mandate", False),  # account closed
    ("AC06", ReturnAction.NEW_MANDATE, True, "new_mandate", False),
    ("MD01", ReturnAction.NEW_MANDATE, True, "new_mandate", False),
    ("SL01", ReturnAction.NEW_MANDATE, True, "new_mandate", False),
    ("MD07", ReturnAction.DECEASED, False, "debtor_deceased", False),  # never another message
    ("AM05", ReturnAction.LADDER, True, None, False),                # not configured: the ordinary ladder
])
def test_each_reason_has_its_own_step(code: str, action: ReturnAction, link: bool, task: str | None,
                                      recollect: bool) -> None:
    step = next_after_return(code, POLICY, DAY, 0)
    assert (step.action, step.link, step.task_kind, step.recollect_on is not None) == (action, link, task, recollect)
    assert step.stop_all is (action is ReturnAction.DECEASED)
    assert step.reason_nl and step.why and code in step.describe()


def test_the_return_of_the_last_allowed_recollection_goes_to_a_person_not_the_bank() -> None:
    step = next_after_return("AM04", POLICY, DAY, recollections_before=1)
    assert step.recollect_on is None and step.task_kind == "call_tenant" and step.link


@given(st.integers(0, 2), st.integers(0, 5))
def test_never_more_recollections_than_the_cap(cap: int, before: int) -> None:
    step = next_after_return("AM04", ReturnPolicy(max_recollections=cap), DAY, before)
    assert (step.recollect_on is not None) == (before < cap)


def test_the_cap_can_never_exceed_two() -> None:
    with pytest.raises(ValueError, match="max_recollections"):
        ReturnPolicy(max_recollections=3)


@given(st.dates(date(2026, 1, 1), date(2035, 12, 31)), st.integers(1, 30), st.integers(1, 14))
def test_the_recollection_date_is_a_settlement_day_after_the_notice(returned: date, after: int, notice: int) -> None:
    policy = ReturnPolicy(recollect_after_days=max(after, notice), pre_notification_days=notice)
    day = recollection_date(returned, policy)
    assert not is_target2_closed(day)
    assert day >= returned + timedelta(days=policy.recollect_after_days) >= returned + timedelta(days=notice)
    assert (day - returned).days <= policy.recollect_after_days + 4  # Easter is the longest closure


def test_an_unknown_action_in_the_configuration_is_named() -> None:
    with pytest.raises(ValueError, match="AM04 = 'again'"):
        parse_actions({"AM04": "again"})


@given(st.dates(date(2026, 1, 1), date(2035, 12, 31)), st.integers(0, 3), st.one_of(st.none(), st.integers(1, 14)))
def test_a_recollection_is_announced_at_least_the_pre_notification_ahead(
    returned: date, notice_delay: int, agreed: int | None,
) -> None:
    policy = ReturnPolicy()  # 14 days, the SEPA rulebook's default
    notice_on = returned + timedelta(days=notice_delay)
    day = recollection_date(returned, policy, notice_on, agreed)
    ahead = agreed if agreed is not None else 14
    earliest = max(notice_on + timedelta(days=ahead), returned + timedelta(days=policy.recollect_after_days))
    assert day >= earliest and not is_target2_closed(day)
    # the first settlement day from then on: every day between was a TARGET2 closing day
    assert all(is_target2_closed(earliest + timedelta(days=n)) for n in range((day - earliest).days))


def test_a_tenant_who_no_longer_pays_by_direct_debit_is_never_debited_again() -> None:
    step = next_after_return("AM04", ReturnPolicy(), DAY, 0, direct_debit=False)
    assert (step.recollect_on, step.message_kind, step.link) == (None, None, True)
    assert "niet opnieuw incasseren" in step.why
    assert next_after_return("MD07", ReturnPolicy(), DAY, 0, direct_debit=False).stop_all  # that still stops all


@pytest.mark.parametrize(("collect_on", "deadline"), [
    (date(2026, 12, 16), date(2026, 12, 15)),  # Wednesday: Tuesday
    (date(2026, 12, 28), date(2026, 12, 24)),  # Monday after Christmas: 25, 26 (and the weekend) closed
    (date(2027, 1, 4), date(2026, 12, 31)),    # the first Monday: New Year's Day and the weekend closed
    (date(2027, 3, 30), date(2027, 3, 25)),    # Easter Tuesday: Easter Monday and Good Friday closed
    (date(2027, 4, 28), date(2027, 4, 27)),    # King's Day is a settlement day
])
def test_a_recollection_file_must_reach_the_bank_on_the_settlement_day_before(collect_on: date, deadline: date) -> None:
    assert bank_deadline(collect_on) == deadline


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)))
def test_the_bank_deadline_is_the_last_settlement_day_before_the_collection(collect_on: date) -> None:
    deadline = bank_deadline(collect_on)
    assert deadline < collect_on and not is_target2_closed(deadline)
    between = [deadline + timedelta(days=n) for n in range(1, (collect_on - deadline).days)]
    assert all(is_target2_closed(day) for day in between)


def test_a_link_never_asks_for_a_month_the_bank_debits_again() -> None:
    months = [("2026-11", 65636), ("2026-12", 65636), ("2027-01", 0)]
    assert payable_part(months, set()) == ("2026-11", 131272)
    assert payable_part(months, {"2026-11"}) == ("2026-12", 65636)
    assert payable_part(months, {"2026-11", "2026-12"}) is None  # nothing else open: no link at all
