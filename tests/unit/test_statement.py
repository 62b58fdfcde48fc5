"""The statement's arithmetic: movements from what sources state, and the running balance."""

from __future__ import annotations

from datetime import date

from herinnering.domain.payments.statement import (
    Entry,
    Kind,
    StatedPayment,
    balance,
    lines,
    movements,
)


def test_a_return_of_a_debit_never_booked_here_moves_nothing_and_says_so() -> None:
    """The bank file with January's collection was not imported, its return was: the month was
    never paid here, so the return takes nothing off; the line says the debit failed."""
    found = movements([StatedPayment(date(2027, 1, 22), "2027-01", "return", 48632, "AM04", 1)])
    assert [(e.kind, e.amount_cents) for e in found] == [(Kind.DEBIT_FAILED, 48632)]
    entries = [Entry(date(2027, 1, 4), Kind.DUE, 48632, "2027-01"), *found]
    assert balance(entries) == 48632 and [line.balance_cents for line in lines(entries)] == [48632, 48632]


def test_an_erp_statement_shows_the_difference_it_makes() -> None:
    found = movements([
        StatedPayment(date(2026, 12, 2), "2026-12", "statement", 20000, "", 1),
        StatedPayment(date(2026, 12, 9), "2026-12", "statement", 65636, "", 2),
        StatedPayment(date(2026, 12, 12), "2026-12", "statement", 60000, "", 3),
    ])
    assert [(e.kind, e.amount_cents) for e in found] == [
        (Kind.PAYMENT, 20000), (Kind.PAYMENT, 45636), (Kind.CORRECTION, 5636)]


def test_a_partial_return_takes_back_only_what_was_paid() -> None:
    found = movements([StatedPayment(date(2026, 12, 1), "2026-12", "payment", 30000, "", 1),
                       StatedPayment(date(2026, 12, 4), "2026-12", "return", 65636, "AM04", 2)])
    assert [(e.kind, e.amount_cents) for e in found] == [
        (Kind.PAYMENT, 30000), (Kind.RETURN, 30000), (Kind.DEBIT_FAILED, 35636)]
