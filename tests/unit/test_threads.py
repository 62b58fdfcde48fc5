"""Who holds a conversation, and what the bot does with one message."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from herinnering.domain.conversations.keywords import Intent
from herinnering.domain.conversations.threads import (
    TRANSITIONS,
    Action,
    OfficeHours,
    Owner,
    Reply,
    decide,
    next_owner,
    owners_allowing,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOURS = OfficeHours(AMSTERDAM, time(8, 30), time(17, 0), frozenset({1, 2, 3, 4, 5}))


@pytest.mark.parametrize(("owner", "action", "after"), [
    (Owner.BOT, Action.TAKE_OVER, Owner.OFFICER),
    (Owner.OFFICER, Action.HAND_BACK, Owner.BOT),
    (Owner.OFFICER, Action.TAKE_OVER, Owner.OFFICER),  # a colleague takes it over
    (Owner.BOT, Action.ASSIGN, Owner.OFFICER),          # assigning gives it to a person
    (Owner.BOT, Action.HAND_BACK, None),                # nothing to hand back: refused
])
def test_ownership_moves_only_along_the_table(owner: Owner, action: Action, after: Owner | None) -> None:
    assert next_owner(owner, action) is after


def test_the_guard_of_each_action_is_derived_from_the_table() -> None:
    assert owners_allowing(Action.HAND_BACK) == {Owner.OFFICER}
    assert owners_allowing(Action.TAKE_OVER) == {Owner.BOT, Owner.OFFICER}
    assert all(next_owner(o, a) is not None for o, a in TRANSITIONS)


def test_stop_is_honoured_whoever_holds_the_thread() -> None:
    for owner in Owner:
        decision = decide(Intent.STOP, owner, acknowledged=True, office_open=True, known_tenant=True)
        assert decision.opt_out and decision.reply is Reply.STOP_CONFIRMATION


def test_the_bot_is_silent_while_an_officer_holds_the_thread() -> None:
    for intent in (Intent.START, Intent.HELP, Intent.PAID, Intent.OTHER):
        decision = decide(intent, Owner.OFFICER, acknowledged=False, office_open=True, known_tenant=True)
        assert decision.reply is None and decision.needs_officer


def test_help_answers_and_flags_the_thread_for_an_officer() -> None:
    decision = decide(Intent.HELP, Owner.BOT, acknowledged=False, office_open=True, known_tenant=True)
    assert decision.reply is Reply.HELP and decision.needs_officer


def test_paid_thanks_and_asks_for_a_payment_check() -> None:
    decision = decide(Intent.PAID, Owner.BOT, acknowledged=False, office_open=True, known_tenant=True)
    assert decision.reply is Reply.PAID_THANKS and decision.verify_payment and not decision.needs_officer


def test_anything_else_is_acknowledged_once_per_conversation() -> None:
    first = decide(Intent.OTHER, Owner.BOT, acknowledged=False, office_open=True, known_tenant=True)
    later = decide(Intent.OTHER, Owner.BOT, acknowledged=True, office_open=True, known_tenant=True)
    assert first.reply is Reply.ACKNOWLEDGEMENT and first.acknowledge and first.needs_officer
    assert later.reply is None and later.needs_officer


def test_outside_office_hours_the_acknowledgement_says_so() -> None:
    decision = decide(Intent.OTHER, Owner.BOT, acknowledged=False, office_open=False, known_tenant=True)
    assert decision.reply is Reply.OUT_OF_OFFICE


@pytest.mark.parametrize(("moment", "open_"), [
    (datetime(2026, 11, 27, 9, 0, tzinfo=UTC), True),    # Friday 10:00 in Amsterdam
    (datetime(2026, 11, 27, 7, 0, tzinfo=UTC), False),   # Friday 08:00: not yet
    (datetime(2026, 11, 27, 16, 0, tzinfo=UTC), False),  # Friday 17:00: closed
    (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),  # Saturday
])
def test_office_hours_are_local_weekday_hours(moment: datetime, open_: bool) -> None:
    assert HOURS.contains(moment) is open_
