"""The early-warning gate: four steps by the right hands, no objection, the municipality's
window open and its answers respected."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from herinnering.domain.legal.early_warning import (
    Feedback,
    StepRecord,
    Window,
    gate,
    parse_feedback,
)
from herinnering.domain.legal.mvi import MviStep

AT = datetime(2026, 12, 20, 10, tzinfo=UTC)
MISSED = date(2026, 12, 2)
TODAY = date(2027, 1, 8)  # 37 days later
COMPLETE = [
    StepRecord(MviStep.PERSONAL_CONTACT, "phone", AT, "officer@delinde"),
    StepRecord(MviStep.DEBT_HELP, "sms", AT, "ladder"),
    StepRecord(MviStep.WRITTEN_REMINDER, "letter", AT, "officer@delinde", "letter:7:written_reminder"),
    StepRecord(MviStep.DATA_OFFER, "letter", AT, "officer@delinde", "letter:7:data_offer"),
]


def verdict(records: list[StepRecord], **changes: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {"window": Window(days=30), "missed_on": MISSED, "today": TODAY,
                                     "outstanding_cents": 74_550}
    arguments.update(changes)
    return gate(records, **arguments)  # type: ignore[arg-type]


def test_a_case_with_all_four_steps_is_ready() -> None:
    assert verdict(COMPLETE).ready


@pytest.mark.parametrize("left_out", [0, 1, 2, 3])
def test_three_of_four_steps_is_refused_with_the_missing_step_named(left_out: int) -> None:
    result = verdict([r for i, r in enumerate(COMPLETE) if i != left_out])
    missing = COMPLETE[left_out].step
    assert not result.ready and missing in result.missing and f"missing MVI step {missing.value}" in result.explain()
    assert verdict([*[r for i, r in enumerate(COMPLETE) if i != left_out], COMPLETE[left_out]]).ready


def test_a_bot_message_is_no_personal_contact() -> None:
    bot = StepRecord(MviStep.PERSONAL_CONTACT, "sms", AT, "ladder")
    assert verdict([bot, *COMPLETE[1:]]).missing == (MviStep.PERSONAL_CONTACT,)


def test_an_sms_is_no_written_reminder_and_an_offer_outside_the_letter_does_not_count() -> None:
    by_sms = StepRecord(MviStep.WRITTEN_REMINDER, "sms", AT, "officer")
    assert MviStep.WRITTEN_REMINDER in verdict([COMPLETE[0], COMPLETE[1], by_sms, COMPLETE[3]]).missing
    later_offer = StepRecord(MviStep.DATA_OFFER, "letter", datetime(2026, 12, 27, tzinfo=UTC), "officer",
                             "letter:8:data_offer")
    assert verdict([*COMPLETE[:3], later_offer]).missing == (MviStep.DATA_OFFER,)


def test_an_objection_blocks_the_signal() -> None:
    result = verdict([*COMPLETE, StepRecord(MviStep.OBJECTION, "sms", AT, "tenant")])
    assert not result.ready and result.objected and "objected" in result.explain()


@pytest.mark.parametrize(("window", "today", "amount", "open_"), [
    (Window(days=30), date(2026, 12, 31), 74_550, False),        # 29 days
    (Window(days=30), date(2027, 1, 1), 74_550, True),           # 30 days
    (Window(days=None, amount_cents=100_000), TODAY, 74_550, False),  # amount only, not reached
    (Window(days=60, amount_cents=50_000), TODAY, 74_550, True),      # either: the amount is reached
    (Window(days=60, amount_cents=50_000, both=True), TODAY, 74_550, False),  # both: 37 days is too early
])
def test_the_municipality_window(window: Window, today: date, amount: int, open_: bool) -> None:
    result = verdict(COMPLETE, window=window, today=today, outstanding_cents=amount)
    assert result.ready is open_
    if not open_:
        assert "window" in result.explain()


def test_no_repeat_signal_unless_the_amount_grew() -> None:
    assert not verdict(COMPLETE, signalled_cents=74_550).ready
    assert verdict(COMPLETE, signalled_cents=74_550, outstanding_cents=149_100).ready


@pytest.mark.parametrize("answer", [Feedback.DECEASED, Feedback.NOT_RESIDENT, Feedback.UNJUSTIFIED])
def test_blocking_answers_of_the_municipality_stop_the_signal(answer: Feedback) -> None:
    assert not verdict(COMPLETE, feedback=[answer]).ready


def test_taken_up_and_repeat_answers_do_not_block_a_grown_debt() -> None:
    assert verdict(COMPLETE, feedback=[Feedback.TAKEN_UP, Feedback.REPEAT_SIGNAL]).ready


@pytest.mark.parametrize(("word", "answer"), [
    ("Overleden", Feedback.DECEASED), ("niet woonachtig", Feedback.NOT_RESIDENT), ("not_resident", Feedback.NOT_RESIDENT),
    ("herhaalsignaal", Feedback.REPEAT_SIGNAL), ("taken up", Feedback.TAKEN_UP), ("bogus", None),
])
def test_feedback_words(word: str, answer: Feedback | None) -> None:
    assert parse_feedback(word) == answer


def test_each_municipality_may_set_its_own_window() -> None:
    from herinnering.config import settings_with

    lawful = settings_with({"lawful": {"window": {"days": 30},
                                       "municipalities": {"Utrecht": {"days": 60, "amount_eur": 500}}}}).lawful
    assert lawful.window("utrecht") == Window(days=60, amount_cents=50_000)
    assert lawful.window("Amsterdam") == Window(days=30)


@pytest.mark.parametrize(("table", "named"), [
    ({"window": {"dagen": 30}}, "lawful.window.dagen"),
    ({"municipalities": {"Utrecht": {"days": -1}}}, "lawful.municipalities.Utrecht.days"),
    ({"vat_percent": "21"}, "lawful.vat_percent"),
    ({"colour": 1}, "lawful.colour"),
])
def test_a_wrong_lawful_setting_names_its_key(table: dict[str, object], named: str) -> None:
    from herinnering.config import settings_with
    from herinnering.errors import ConfigError

    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        settings_with({"lawful": table})


def test_personal_contact_is_a_call_or_a_visit_by_a_person() -> None:
    typed = StepRecord(MviStep.PERSONAL_CONTACT, "sms", AT, "officer@delinde")
    assert verdict([typed, *COMPLETE[1:]]).missing == (MviStep.PERSONAL_CONTACT,)
    visit = StepRecord(MviStep.PERSONAL_CONTACT, "visit", AT, "officer@delinde")
    assert verdict([visit, *COMPLETE[1:]]).ready


def test_written_steps_count_only_from_a_posted_letter_or_a_delivered_email() -> None:
    by_hand = [StepRecord(r.step, r.channel, r.occurred_at, r.by, f"task:3:{r.step.value}") for r in COMPLETE[2:]]
    result = verdict([*COMPLETE[:2], *by_hand])
    assert set(result.missing) == {MviStep.WRITTEN_REMINDER, MviStep.DATA_OFFER}


def test_no_signal_while_the_tenant_may_still_object() -> None:
    received = date(2026, 12, 23)  # the letter of the 20th arrives on the 23rd
    inside = verdict(COMPLETE, offer_received_on=received, objection_days=14, today=date(2027, 1, 6))
    assert not inside.ready and "may still object until 06-01-2027" in inside.explain()
    assert verdict(COMPLETE, offer_received_on=received, objection_days=14, today=date(2027, 1, 7)).ready


def test_no_signal_under_the_minimum_or_without_address_and_municipality() -> None:
    under = verdict(COMPLETE, minimum_cents=74_551)
    assert not under.ready and "under the minimum" in under.explain()
    assert verdict(COMPLETE, minimum_cents=74_550).ready  # one month's rent open is enough
    unknown = verdict(COMPLETE, contact_missing=["the address (postcode)", "the municipality"])
    assert "the address (postcode) is missing" in unknown.explain() and "the municipality is missing" in unknown.explain()
