"""Collection costs (buitengerechtelijke incassokosten, BW 6:96 and the Besluit vergoeding voor
buitengerechtelijke incassokosten) and the dates of the 14-day letter (veertiendagenbrief).

Costs are owed only after a letter that states the exact amount and gives the tenant 14 days
from the day after receipt to pay. The amount follows the statutory scale, in whole cents:
15 % of the first €2,500, 10 % of the next €2,500, 5 % of the next €5,000, 1 % of the next
€190,000, 0.5 % above, at least €40 and at most €6,775; VAT only where the landlord must
charge it. For rents below €266.67 a month no more than €140 may be charged per six months.
Receipt is presumed two days after posting, not counting Sundays, Mondays and public holidays
(no post is delivered then); a term that ends on a Saturday, Sunday or a day the Algemene
termijnenwet (art. 3) names runs on to the next working day. Those days are New Year's Day,
Easter Monday, King's Day, Ascension Day, Whit Monday, both Christmas days and 5 May *every*
year (the `holidays` NL calendar has Bevrijdingsdag only every fifth year, and it has Good
Friday, which the Atw does not name). Every date runs from the *posting* date: a letter that
was only generated sets nothing in motion.

Costs once per case (anti-stacking). A tenant's unpaid months are one arrears case and are
claimed in one 14-day letter, so the scale is applied once, to the case total at the moment
of the letter — never per month, which would charge the €40 minimum (and the steep first
band) again for every month. Source: BW 6:96 lid 5–6 and the Besluit vergoeding voor
buitengerechtelijke incassokosten art. 2 (the scale is over "de hoofdsom" of the claim
collected). We read the months claimed together in one letter as one principal — the reading
that keeps a debtor from paying the minimum per invoice ("anti-cumulatie"); have your lawyer
confirm it for your portfolio. A case gets one 14-day letter (unique per case and kind), so a
month that joins later adds no costs. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

import holidays

# (width of the band in cents, or None for "the rest"; rate)
SCALE: tuple[tuple[int | None, Fraction], ...] = (
    (250_000, Fraction(15, 100)),
    (250_000, Fraction(10, 100)),
    (500_000, Fraction(5, 100)),
    (19_000_000, Fraction(1, 100)),
    (None, Fraction(5, 1000)),
)
MINIMUM_CENTS = 4_000
MAXIMUM_CENTS = 677_500
LOW_RENT_CENTS = 26_667          # a monthly rent below €266.67 ...
LOW_RENT_CAP_CENTS = 14_000      # ... allows at most €140 of costs per six months
TERM_DAYS = 14
RECEIPT_DAYS = 2


def _round_half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def scale_cents(principal_cents: int) -> int:
    """The statutory costs for a principal (hoofdsom), before VAT, in cents."""
    if principal_cents <= 0:
        return 0
    rest = principal_cents
    total = Fraction(0)
    for width, rate in SCALE:
        part = rest if width is None else min(rest, width)
        total += part * rate
        rest -= part
        if rest <= 0:
            break
    return min(MAXIMUM_CENTS, max(MINIMUM_CENTS, _round_half_up(total)))


@dataclass(frozen=True)
class Costs:
    principal_cents: int
    costs_cents: int     # before VAT
    vat_cents: int
    capped: bool         # the low-rent cap lowered the amount

    @property
    def total_cents(self) -> int:
        """The costs the letter names (costs plus VAT)."""
        return self.costs_cents + self.vat_cents


def collection_costs(
    principal_cents: int, *, vat_percent: int = 0, monthly_rent_cents: int | None = None,
    charged_last_six_months_cents: int = 0,
) -> Costs:
    """The costs a 14-day letter may state for this principal."""
    costs = scale_cents(principal_cents)
    capped = False
    if monthly_rent_cents is not None and monthly_rent_cents < LOW_RENT_CENTS:
        room = max(0, LOW_RENT_CAP_CENTS - charged_last_six_months_cents)
        if costs > room:
            costs, capped = room, True
    vat = _round_half_up(Fraction(costs * vat_percent, 100))
    return Costs(principal_cents=principal_cents, costs_cents=costs, vat_cents=vat, capped=capped)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_public_holiday(day: date) -> bool:
    return day in _holidays(day.year)


@lru_cache(maxsize=64)
def _general_holidays(year: int) -> frozenset[date]:
    """Algemene termijnenwet art. 3: the NL calendar without Good Friday, with 5 May every year."""
    calendar = holidays.country_holidays("NL", years=year)
    days = {day for day, name in calendar.items() if name != "Good Friday"}
    return frozenset(days | {date(year, 5, 5)})


def is_general_holiday(day: date) -> bool:
    """A day the Algemene termijnenwet names: a term ending on it runs on to the next working day."""
    return day in _general_holidays(day.year)


def no_post_day(day: date) -> bool:
    """No letters are delivered: Sunday, Monday or a public holiday."""
    return day.weekday() in (0, 6) or is_public_holiday(day)


def presumed_receipt(sent_on: date) -> date:
    """Two days after sending, counting only days on which post is delivered."""
    day, counted = sent_on, 0
    while counted < RECEIPT_DAYS:
        day += timedelta(days=1)
        if not no_post_day(day):
            counted += 1
    return day


def next_working_day(day: date) -> date:
    """The day itself, or later past Saturdays, Sundays and the Atw's general holidays."""
    while day.weekday() >= 5 or is_general_holiday(day):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class LetterDates:
    sent_on: date
    received_on: date     # presumed receipt
    term_ends_on: date    # the last day the tenant may pay without costs
    costs_due_from: date  # the first day the costs may be charged

    @property
    def term_days(self) -> int:
        return TERM_DAYS


def letter_dates(sent_on: date) -> LetterDates:
    """The dates a 14-day letter posted on `sent_on` sets in motion."""
    received = presumed_receipt(sent_on)
    term_ends = next_working_day(received + timedelta(days=TERM_DAYS))
    return LetterDates(sent_on=sent_on, received_on=received, term_ends_on=term_ends,
                       costs_due_from=term_ends + timedelta(days=1))
