from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herinnering.domain.reminders.planning import (
    Period,
    PlanningRules,
    Reminder,
    SendWindow,
    debit_date,
    in_send_window,
    is_dutch_rest_day,
    is_target2_closed,
    next_window_opening,
    plan_reminder,
    reminder_day,
)

AMS = ZoneInfo("Europe/Amsterdam")
RULES = PlanningRules(timezone=AMS, lead_days=3, window=SendWindow(time(10), time(21)))
LONG_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Period ---------------------------------------------------------------------------------


def test_a_period_is_written_year_dash_month() -> None:
    assert Period.parse("2026-12") == Period(2026, 12)
    assert str(Period(2026, 1)) == "2026-01"
    assert Period.parse(str(Period(2031, 7))) == Period(2031, 7)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-1", "2026-1", "", "2026/12", "december", "2026-12-01"])
def test_a_malformed_period_is_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM|does not exist"):
        Period.parse(text)


def test_period_arithmetic() -> None:
    assert Period(2026, 12).next() == Period(2027, 1)  # December rolls into the next year
    assert Period(2026, 1).next() == Period(2026, 2)
    assert Period.of(date(2026, 12, 31)) == Period(2026, 12)
    assert Period(2026, 12).first_day() == date(2026, 12, 1)
    assert Period(2026, 12) < Period(2027, 1) < Period(2027, 2)
    with pytest.raises(ValueError):
        Period(2026, 13)


# --- validation -----------------------------------------------------------------------------


def test_a_window_must_start_before_it_ends() -> None:
    with pytest.raises(ValueError, match="start before"):
        SendWindow(time(21), time(10))
    with pytest.raises(ValueError, match="start before"):
        SendWindow(time(10), time(10))


@pytest.mark.parametrize("lead_days", [0, -1, 29])
def test_lead_days_are_1_to_28(lead_days: int) -> None:
    with pytest.raises(ValueError, match="lead days"):
        PlanningRules(AMS, lead_days, SendWindow(time(10), time(21)))
    with pytest.raises(ValueError, match="lead days"):
        reminder_day(date(2026, 12, 28), lead_days)


@pytest.mark.parametrize("day", [0, 29, 31, -1])
def test_collection_day_must_exist_in_every_month(day: int) -> None:
    with pytest.raises(ValueError, match="collection day"):
        debit_date(Period(2026, 2), day)
    with pytest.raises(ValueError, match="collection day"):
        plan_reminder(Period(2026, 2), day, RULES, LONG_BEFORE)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_reminder(Period(2026, 12), 25, RULES, datetime(2026, 12, 1, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        in_send_window(datetime(2026, 12, 1, 12), RULES)


# --- the TARGET2 calendar -------------------------------------------------------------------


def test_target2_closing_days_are_exactly_the_hand_list() -> None:
    # 2026: Good Friday 3 April, Easter Monday 6 April
    closed_2026 = {date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
                   date(2026, 12, 25), date(2026, 12, 26)}
    weekdays = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert {d for d in weekdays if is_target2_closed(d) and d.weekday() < 5} == {
        d for d in closed_2026 if d.weekday() < 5
    }


@pytest.mark.parametrize("year", range(2002, 2100))
def test_target2_closing_days_agree_with_the_ecb_calendar_of_holidays(year: int) -> None:
    # holidays' XECB calendar also has the one-off 31 December closings of 1999-2001 and stops
    # after 2100; in between it must agree with our hand list.
    ecb = set(holidays.financial_holidays("XECB", years=year))
    ours = {date(year, 1, 1) + timedelta(days=n) for n in range(366)
            if (date(year, 1, 1) + timedelta(days=n)).year == year
            and (date(year, 1, 1) + timedelta(days=n)).weekday() < 5
            and is_target2_closed(date(year, 1, 1) + timedelta(days=n))}
    assert ours == {d for d in ecb if d.weekday() < 5}


@pytest.mark.parametrize("year", range(1990, 2100, 7))
def test_easter_agrees_with_the_dutch_calendar(year: int) -> None:
    nl = holidays.country_holidays("NL", years=year)
    good_friday = next(d for d, name in nl.items() if name == "Good Friday")
    easter_monday = next(d for d, name in nl.items() if name == "Easter Monday")
    if good_friday.weekday() < 5:
        assert is_target2_closed(good_friday)
    assert is_target2_closed(easter_monday)
    assert not is_target2_closed(easter_monday + timedelta(days=1))


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2027, 4, 27), False),  # King's Day (Tuesday): banks settle
        (date(2026, 5, 14), False),  # Ascension Day: settles
        (date(2026, 5, 25), False),  # Whit Monday: settles
        (date(2027, 3, 26), True),   # Good Friday 2027
        (date(2027, 3, 29), True),   # Easter Monday 2027
        (date(2026, 5, 1), True),    # Labour Day
        (date(2026, 12, 26), True),  # Boxing Day (a Saturday too)
        (date(2026, 12, 28), False), # Monday after Christmas
        (date(2026, 12, 5), True),   # an ordinary Saturday
    ],
)
def test_is_target2_closed(day: date, closed: bool) -> None:
    assert is_target2_closed(day) is closed


@pytest.mark.parametrize(
    ("day", "rest"),
    [
        (date(2026, 12, 25), True),   # Christmas
        (date(2027, 1, 1), True),     # New Year's Day
        (date(2027, 4, 27), True),    # King's Day is a Dutch holiday, even though banks settle
        (date(2026, 5, 14), True),    # Ascension Day
        (date(2026, 5, 25), True),    # Whit Monday
        (date(2026, 3, 29), True),    # a Sunday
        (date(2026, 3, 28), False),   # a Saturday is a normal day for a reminder
        (date(2026, 12, 24), False),  # Christmas Eve
    ],
)
def test_is_dutch_rest_day(day: date, rest: bool) -> None:
    assert is_dutch_rest_day(day) is rest


# --- hand-picked plans ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "collection_day", "lead_days", "debit", "send_at"),
    [
        # 25 Dec 2026 Fri closed, 26 Sat, 27 Sun -> Mon 28 Dec; 3 days before is Christmas (NL
        # holiday) -> Thu 24 Dec 10:00 CET = 09:00 UTC
        (Period(2026, 12), 25, 3, date(2026, 12, 28), utc(2026, 12, 24, 9)),
        # 1 Jan 2027 Fri closed, 2-3 Jan weekend -> Mon 4 Jan; reminder 1 Jan is a holiday -> 31 Dec
        (Period(2027, 1), 1, 3, date(2027, 1, 4), utc(2026, 12, 31, 9)),
        # Wed 1 Apr 2026; 3 days before is Sun 29 Mar (DST starts that night) -> Sat 28 Mar,
        # still CET: 10:00 = 09:00 UTC
        (Period(2026, 4), 1, 3, date(2026, 4, 1), utc(2026, 3, 28, 9)),
        # Thu 2 Apr 2026; reminder Mon 30 Mar, now CEST: 10:00 = 08:00 UTC
        (Period(2026, 4), 2, 3, date(2026, 4, 2), utc(2026, 3, 30, 8)),
        # Wed 28 Oct 2026; 3 days before is Sun 25 Oct (DST ends) -> Sat 24 Oct, still CEST: 08:00 UTC
        (Period(2026, 10), 28, 3, date(2026, 10, 28), utc(2026, 10, 24, 8)),
        # Wed 28 Oct 2026 with 2 lead days: reminder Mon 26 Oct, CET again: 09:00 UTC
        (Period(2026, 10), 28, 2, date(2026, 10, 28), utc(2026, 10, 26, 9)),
        # Good Friday 26 Mar 2027 closed, weekend, Easter Monday 29 Mar closed -> Tue 30 Mar;
        # reminder Sat 27 Mar, the day before DST starts: CET, 09:00 UTC
        (Period(2027, 3), 26, 3, date(2027, 3, 30), utc(2027, 3, 27, 9)),
        # Easter Monday 6 Apr 2026 as collection day -> Tue 7 Apr; reminder Sat 4 Apr, CEST: 08:00 UTC
        (Period(2026, 4), 6, 3, date(2026, 4, 7), utc(2026, 4, 4, 8)),
        # Thu 1 Apr 2027; reminder would be Easter Monday 29 Mar -> Easter Sunday -> Sat 27 Mar
        (Period(2027, 4), 1, 3, date(2027, 4, 1), utc(2027, 3, 27, 9)),
        # King's Day Tue 27 Apr 2027 is not a TARGET2 closing day: collected that day;
        # reminder Sat 24 Apr 10:00 CEST = 08:00 UTC
        (Period(2027, 4), 27, 3, date(2027, 4, 27), utc(2027, 4, 24, 8)),
        # Wed 28 Apr 2027 with 1 lead day: reminder would be King's Day -> Mon 26 Apr
        (Period(2027, 4), 28, 1, date(2027, 4, 28), utc(2027, 4, 26, 8)),
        # Ascension Thu 14 May 2026 settles; reminder Mon 11 May
        (Period(2026, 5), 14, 3, date(2026, 5, 14), utc(2026, 5, 11, 8)),
        # Mon 18 May 2026 with 4 lead days: reminder would be Ascension -> Wed 13 May
        (Period(2026, 5), 18, 4, date(2026, 5, 18), utc(2026, 5, 13, 8)),
        # Whit Monday 25 May 2026 settles; 3 days before is Fri 22 May
        (Period(2026, 5), 25, 3, date(2026, 5, 25), utc(2026, 5, 22, 8)),
        # Fri 1 May 2026 closed, weekend -> Mon 4 May; reminder Fri 1 May is not a Dutch holiday
        (Period(2026, 5), 1, 3, date(2026, 5, 4), utc(2026, 5, 1, 8)),
        # Thu 28 May 2026, 1 lead day: Wed 27 May
        (Period(2026, 5), 28, 1, date(2026, 5, 28), utc(2026, 5, 27, 8)),
    ],
)
def test_hand_picked_plans(
    period: Period, collection_day: int, lead_days: int, debit: date, send_at: datetime
) -> None:
    rules = PlanningRules(AMS, lead_days, SendWindow(time(10), time(21)))
    reminder = plan_reminder(period, collection_day, rules, LONG_BEFORE)
    assert reminder is not None
    assert reminder.debit_date == debit
    assert reminder.send_at == send_at
    assert reminder.send_at.tzinfo is UTC
    assert reminder.not_after == datetime.combine(debit, time(0), tzinfo=AMS).astimezone(UTC)


def test_not_after_is_local_midnight_of_the_debit_in_summer_and_winter() -> None:
    winter = plan_reminder(Period(2026, 12), 25, RULES, LONG_BEFORE)
    summer = plan_reminder(Period(2026, 4), 2, RULES, LONG_BEFORE)
    assert winter is not None and winter.not_after == utc(2026, 12, 27, 23)
    assert summer is not None and summer.not_after == utc(2026, 4, 1, 22)


def test_the_reminder_day_walks_back_past_easter() -> None:
    assert reminder_day(date(2027, 4, 1), 3) == date(2027, 3, 27)  # Easter Mon -> Sun -> Sat


# --- late planning --------------------------------------------------------------------------

DECEMBER = Period(2026, 12)  # collection day 25: debit Mon 28 Dec, ideal Thu 24 Dec 09:00 UTC


@pytest.mark.parametrize(
    ("now", "send_at"),
    [
        (local(2026, 12, 1, 12), utc(2026, 12, 24, 9)),          # early: the ideal moment
        (local(2026, 12, 24, 10), utc(2026, 12, 24, 9)),         # exactly the ideal moment
        (local(2026, 12, 25, 14, 30), utc(2026, 12, 25, 13, 30)),  # past, inside the window: now
        (local(2026, 12, 25, 21), utc(2026, 12, 26, 9)),         # window just closed: next day 10:00
        (local(2026, 12, 26, 3), utc(2026, 12, 26, 9)),          # night: same day 10:00
        (local(2026, 12, 27, 20, 59), utc(2026, 12, 27, 19, 59)),  # last minute of the last window
        (local(2026, 12, 27, 21), None),                         # next window is the debit date
        (local(2026, 12, 28, 12), None),                         # past the debit
        (local(2027, 2, 1, 12), None),                           # long past
    ],
)
def test_a_late_plan_sends_as_soon_as_the_window_allows(now: datetime, send_at: datetime | None) -> None:
    reminder = plan_reminder(DECEMBER, 25, RULES, now)
    if send_at is None:
        assert reminder is None
    else:
        assert reminder == Reminder(date(2026, 12, 28), send_at, utc(2026, 12, 27, 23))


def test_now_may_be_given_in_any_time_zone() -> None:
    moment = local(2026, 12, 25, 21)
    assert plan_reminder(DECEMBER, 25, RULES, moment) == plan_reminder(
        DECEMBER, 25, RULES, moment.astimezone(ZoneInfo("America/New_York"))
    )


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (local(2026, 3, 29, 0, 30), utc(2026, 3, 29, 8)),   # DST starts overnight: 10:00 CEST
        (local(2026, 10, 25, 0, 30), utc(2026, 10, 25, 9)), # DST ends overnight: 10:00 CET
        (local(2026, 3, 28, 21), utc(2026, 3, 29, 8)),      # evening before the change
        (local(2026, 12, 31, 23, 59), utc(2027, 1, 1, 9)),  # across the year end
        (local(2026, 6, 30, 12), utc(2026, 6, 30, 10)),     # inside: now itself
    ],
)
def test_next_window_opening(moment: datetime, opening: datetime) -> None:
    assert next_window_opening(moment, RULES) == opening


@pytest.mark.parametrize(
    ("window", "moment", "opening"),
    [
        # 02:30 does not exist on 29 Mar 2026: the window opens when the clock jumps to 03:00
        (SendWindow(time(2, 30), time(4)), local(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
        # the whole window 02:00-03:00 is skipped that night: it opens the next night
        (SendWindow(time(2), time(3)), local(2026, 3, 29, 0), utc(2026, 3, 30, 0)),
        # 02:30 happens twice on 25 Oct 2026: the first time counts
        (SendWindow(time(2, 30), time(4)), local(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30)),
        # 02:10 in the repeated hour (CET): 02:30 comes round a second time that night
        (SendWindow(time(2, 30), time(4)), utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 30)),
        # just after the first 02:00-02:20 passed, the repeated hour opens it again
        (SendWindow(time(1, 30), time(2, 20)), utc(2026, 10, 25, 0, 20), utc(2026, 10, 25, 1)),
    ],
)
def test_window_openings_around_clock_changes(window: SendWindow, moment: datetime, opening: datetime) -> None:
    rules = PlanningRules(AMS, 3, window)
    assert next_window_opening(moment, rules) == opening
    assert in_send_window(opening, rules)


# --- properties -----------------------------------------------------------------------------

ZONES = [AMS, AMS, AMS, ZoneInfo("Europe/London"), ZoneInfo("America/Santiago"),
         ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]

periods = st.builds(Period, st.integers(2024, 2035), st.integers(1, 12))
collection_days = st.integers(1, 28)


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    start = draw(st.integers(0, 24 * 60 - 2))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    return SendWindow(time(start // 60, start % 60), time(end // 60, end % 60))


rules_strategy = st.builds(PlanningRules, st.sampled_from(ZONES), st.integers(1, 10), windows())


@st.composite
def moments_near(draw: st.DrawFn, period: Period) -> datetime:
    """A whole minute within about six weeks of the period, in some time zone."""
    base = datetime.combine(period.first_day(), time(0), tzinfo=UTC) - timedelta(days=40)
    moment = base + timedelta(minutes=draw(st.integers(0, 80 * 24 * 60)))
    return moment.astimezone(draw(st.sampled_from(ZONES)))


@given(periods, collection_days)
def test_the_debit_is_a_settlement_day_shortly_after_the_collection_day(period: Period, day: int) -> None:
    debit = debit_date(period, day)
    chosen = date(period.year, period.month, day)
    assert not is_target2_closed(debit)
    assert chosen <= debit <= chosen + timedelta(days=4)
    assert all(is_target2_closed(chosen + timedelta(days=n)) for n in range((debit - chosen).days))


@given(periods, collection_days, st.integers(1, 10))
def test_the_reminder_day_is_a_normal_day_at_least_lead_days_ahead(period: Period, day: int, lead: int) -> None:
    debit = debit_date(period, day)
    reminder = reminder_day(debit, lead)
    assert not is_dutch_rest_day(reminder)
    assert debit - timedelta(days=lead + 3) <= reminder <= debit - timedelta(days=lead)


@settings(deadline=None)
@given(st.data(), periods, collection_days, rules_strategy)
def test_a_planned_reminder_is_inside_the_window_before_the_debit_and_not_in_the_past(
    data: st.DataObject, period: Period, day: int, rules: PlanningRules
) -> None:
    now = data.draw(moments_near(period))
    reminder = plan_reminder(period, day, rules, now)
    debit = debit_date(period, day)
    ideal = plan_reminder(period, day, rules, LONG_BEFORE)
    assert ideal is not None
    if reminder is None:
        assert next_window_opening(now, rules) >= ideal.not_after
        return
    assert reminder.debit_date == debit
    assert reminder.send_at.tzinfo is UTC and reminder.not_after.tzinfo is UTC
    assert in_send_window(reminder.send_at, rules)
    assert now <= reminder.send_at < reminder.not_after
    assert reminder.send_at.astimezone(rules.timezone).date() < debit
    assert reminder.send_at == max(ideal.send_at, next_window_opening(now, rules))
    # the ideal moment is on the reminder day itself
    assert ideal.send_at.astimezone(rules.timezone).date() == reminder_day(debit, rules.lead_days)
    # the same tenant and month planned again gives the same reminder
    assert plan_reminder(period, day, rules, now) == reminder


@settings(deadline=None)
@given(st.data(), periods, rules_strategy)
def test_the_next_window_opening_is_the_first_minute_inside_the_window(
    data: st.DataObject, period: Period, rules: PlanningRules
) -> None:
    moment = data.draw(moments_near(period))
    opening = next_window_opening(moment, rules)
    assert opening >= moment and in_send_window(opening, rules)
    probe = moment.astimezone(UTC)
    while probe < opening:  # every whole minute before it is outside the window
        assert not in_send_window(probe, rules)
        probe += timedelta(minutes=1)
    assert probe == opening


@st.composite
def night_windows(draw: st.DrawFn) -> SendWindow:
    """Windows that start and end in the small hours, where the clock changes."""
    start = draw(st.integers(60, 4 * 60))
    end = draw(st.integers(start + 1, 5 * 60))
    return SendWindow(time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def moments_near_a_clock_change(draw: st.DrawFn) -> datetime:
    """A whole minute within a few hours of an Amsterdam clock change (last Sunday of March or
    October, 01:00 UTC)."""
    year, month = draw(st.integers(2024, 2035)), draw(st.sampled_from([3, 10]))
    last_sunday = max(date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6)
    change = datetime.combine(last_sunday, time(1), tzinfo=UTC)
    return change + timedelta(minutes=draw(st.integers(-3 * 60, 3 * 60)))


@settings(deadline=None)
@given(moments_near_a_clock_change(), night_windows())
def test_the_next_window_opening_is_exact_around_clock_changes(moment: datetime, window: SendWindow) -> None:
    rules = PlanningRules(AMS, 3, window)
    opening = next_window_opening(moment, rules)
    assert in_send_window(opening, rules)
    probe = moment
    while probe < opening:
        assert not in_send_window(probe, rules)
        probe += timedelta(minutes=1)
    assert probe == opening
