"""Payment rules as pure functions: status from due, paid and returns; matching; amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.payments.erp_csv import parse_payment_csv
from herinnering.domain.payments.payments import PaymentStatus as S
from herinnering.domain.payments.state import (
    PeriodState,
    after_payment,
    after_return,
    euros,
    match_contract,
    parse_amount_cents,
    period_in,
    reason,
    stated,
    statement_problem,
)

RENT = 65636


def test_a_full_payment_makes_the_month_paid() -> None:
    assert after_payment(PeriodState.expected(RENT), RENT) == PeriodState(RENT, RENT, S.PAID)


def test_a_part_payment_leaves_the_rest_outstanding() -> None:
    state = after_payment(PeriodState.expected(RENT), 20000)
    assert (state.status, state.outstanding_cents) == (S.PARTLY_PAID, RENT - 20000)


def test_a_returned_debit_takes_the_payment_back_with_its_reason() -> None:
    paid = after_payment(PeriodState.expected(RENT), RENT)
    assert after_return(paid, RENT, "AM04") == PeriodState(RENT, 0, S.RETURNED, "AM04")


def test_a_return_never_makes_paid_negative() -> None:
    assert after_return(PeriodState.expected(RENT), RENT, "MD06").amount_paid_cents == 0


def test_paying_after_a_return_first_makes_it_partly_paid_then_paid() -> None:
    returned = PeriodState(RENT, 0, S.RETURNED, "AM04")
    part = after_payment(returned, 10000)
    assert (part.status, part.reason_code) == (S.PARTLY_PAID, "AM04")
    assert after_payment(part, RENT - 10000) == PeriodState(RENT, RENT, S.PAID, None)


def test_an_arrangement_survives_part_payments_and_returns() -> None:
    arranged = PeriodState(RENT, 0, S.IN_ARRANGEMENT)
    assert after_payment(arranged, 100).status is S.IN_ARRANGEMENT
    assert after_return(arranged, 100, "AM04").status is S.IN_ARRANGEMENT
    assert after_payment(arranged, RENT).status is S.PAID


@given(st.integers(1, 500_000), st.lists(st.integers(1, 200_000), max_size=6))
def test_the_month_is_paid_exactly_when_payments_cover_what_is_due(due: int, amounts: list[int]) -> None:
    state = PeriodState.expected(due)
    for amount in amounts:
        state = after_payment(state, amount)
    assert (state.status is S.PAID) == (sum(amounts) >= due)
    assert state.outstanding_cents == max(0, due - sum(amounts))


@pytest.mark.parametrize(
    ("due", "paid", "status", "problem"),
    [
        (RENT, RENT - 1, S.PAID, "less than amount_due"),      # paid, but a cent short
        (RENT, 100, S.EXPECTED, "something was paid"),           # expected with money in
        (RENT, 0, S.PARTLY_PAID, "between 0 and amount_due"),  # partly paid with nothing paid
        (RENT, RENT, S.RETURNED, "covers amount_due"),          # returned but fully paid
    ],
)
def test_a_stated_status_must_fit_the_amounts(due: int, paid: int, status: S, problem: str) -> None:
    assert problem in (statement_problem(due, paid, status) or "")


def test_a_statement_without_status_takes_it_from_the_amounts() -> None:
    assert stated(RENT, RENT, None, None).status is S.PAID
    assert stated(RENT, 0, None, None).status is S.EXPECTED


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        (["HC-100101"], ("HC-100101", "HC-100101")),                          # mandate id = contract id
        (["HC-100101-2026-12"], ("HC-100101", "HC-100101-2026-12")),          # end-to-end id starts with it
        (["huur dec 2026 hc-100101"], ("HC-100101", "huur dec 2026 hc-100101")),  # tenant typed it in lower case
        (["NOTPROVIDED", "Huur/HC-100108/december"], ("HC-100108", "Huur/HC-100108/december")),
        (["HC-1001", "rent"], None),                                          # a shorter id is not a match
    ],
)
def test_a_bank_reference_is_matched_to_a_known_contract(references: list[str], expected: object) -> None:
    assert match_contract(references, {"HC-100101", "HC-100108"}) == expected


@pytest.mark.parametrize(
    ("text", "contract", "period"),
    [
        ("HC-100101-2026-12", "HC-100101", "2026-12"),
        ("Huur december 2026 HC-100101", "HC-100101", "2026-12"),
        ("huur mrt 2027", None, "2027-03"),
        ("202701 HC-100101", "HC-100101", "2027-01"),
        ("HC-201012", "HC-201012", None),  # the contract's digits are not a month
        ("rent", None, None),
    ],
)
def test_the_rent_month_is_read_from_a_reference(text: str, contract: str | None, period: str | None) -> None:
    assert period_in(text, contract) == period


@pytest.mark.parametrize(
    ("text", "cents"),
    [("656,36", 65636), ("656.36", 65636), ("1.234,56", 123456), ("1,234.56", 123456), ("€ 845,-", 84500),
     ("0", 0), ("12,5", 1250)],
)
def test_amounts_are_read_in_dutch_and_english_notation(text: str, cents: int) -> None:
    assert parse_amount_cents(text) == cents


@pytest.mark.parametrize("text", ["", "twee honderd", "-12,00", "12,345", "1.2.3"])
def test_a_bad_amount_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount_cents(text)


@given(st.integers(0, 10**9))
def test_euros_and_amounts_round_trip(cents: int) -> None:
    assert parse_amount_cents(euros(cents)) == cents


def test_return_reasons_say_whether_to_collect_again() -> None:
    assert reason("AM04").collect_again and not reason("AM04").tenant_objects
    assert reason("MD06").tenant_objects and not reason("MD06").collect_again
    assert reason("XX99").nl == "teruggeboekt (XX99)"


def test_the_erp_csv_lists_every_bad_line() -> None:
    parsed = parse_payment_csv(
        b"huurcontract;periode;te betalen;betaald;status\n"
        b"HC-1;2026-12;656,36;656,36;betaald\n"
        b"HC-2;2026-12;656,36;100,00;paid\n"
        b"HC-3;dec;656,36;0;\n"
        b"HC-1;2026-12;656,36;656,36;\n"
    )
    assert [str(e) for e in parsed.errors] == [
        "line 3, status: status paid, but amount_paid 100.00 is less than amount_due 656.36",
        "line 4, period: a rent month is written YYYY-MM, e.g. 2026-12; got 'dec'",
        "line 5, contract_id: HC-1 2026-12 appears twice, first on line 2",
    ]
    [(line, first)] = parsed.lines
    assert (line, first.contract_id, first.status, first.amount_cents) == (2, "HC-1", S.PAID, 65636)


def test_the_same_erp_line_always_gets_the_same_key() -> None:
    data = b"contract_id,period,amount_due,amount_paid\nHC-1,2026-12,656.36,0\n"
    assert parse_payment_csv(data).lines[0][1].source_key == parse_payment_csv(data).lines[0][1].source_key
    changed = parse_payment_csv(data.replace(b",0\n", b",10\n")).lines[0][1].source_key
    assert changed != parse_payment_csv(data).lines[0][1].source_key
