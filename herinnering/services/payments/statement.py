"""Use case: a tenant's account statement (domain/payments/statement.py), in their language, as rows for
a page, as a PDF and as data for `export-tenant`.

The same statement serves the tenant on "mijn huur", the officer beside a conversation and the
ERP's auditor: every due month, payment, return, re-collection, cost and instalment, in the
order the money moved (the bank's dates, never the moment a file was imported).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date

from herinnering.adapters import pdf
from herinnering.adapters.db import AsyncConnection, Row, statement_store, tenant_store
from herinnering.adapters.templates import LOCALES, money
from herinnering.config import Settings
from herinnering.domain.payments.statement import (
    MOVES,
    Entry,
    Kind,
    Line,
    StatedPayment,
    lines,
    movements,
)
from herinnering.domain.reminders.planning import Period, debit_date
from herinnering.runtime import Runtime

LANGUAGES = ("nl", "en", "tr", "ar", "pl")


@dataclass(frozen=True)
class Statement:
    lines: list[Line]
    balance_cents: int


async def statement_of(connection: AsyncConnection, tenant: Any, today: date) -> Statement:
    """Every line up to and including `today` (a cost not yet due, an instalment later: not yet)."""
    entries: list[Entry] = []
    for month in await statement_store.months(connection, tenant.id):
        due_on = month.due_on or debit_date(Period.parse(month.period), tenant.collection_day)
        entries.append(Entry(due_on, Kind.DUE, int(month.amount_due_cents), month.period))
    stated = [StatedPayment(
        on=row.booked_on or row.created_at.date(), period=row.period, kind=row.kind, amount_cents=int(row.amount_cents),
        detail=row.reason_code or "", sequence=int(row.id)) for row in await statement_store.transactions(
            connection, tenant.id)]
    entries.extend(movements(stated))
    entries.extend(Entry(row.costs_due_from, Kind.COSTS, int(row.costs_cents), None, row.kind, int(row.id))
                   for row in await statement_store.costs(connection, tenant.id))
    entries.extend(Entry(row.collect_on, Kind.RECOLLECTION, int(row.amount_cents), row.period, row.state,
                         int(row.id)) for row in await statement_store.recollections_of(connection, tenant.id))
    entries.extend(Entry(row.due_on, Kind.INSTALMENT, int(row.amount_cents), None, f"{row.number}:{row.state}",
                         int(row.id)) for row in await statement_store.instalments_of(connection, tenant.id))
    shown = [e for e in entries if e.on <= today or e.kind is Kind.INSTALMENT]
    result = lines(shown)
    owed = [line for line in result if line.entry.on <= today]
    return Statement(result, owed[-1].balance_cents if owed else 0)


def _month(language: str, period: str | None) -> str:
    if not period:
        return ""
    return format_date(Period.parse(period).first_day(), "LLLL y", locale=LOCALES.get(language, "nl_NL"))


def _day(language: str, day: date) -> str:
    return format_date(day, "dd-MM-yyyy" if language != "en" else "dd/MM/yyyy", locale=LOCALES.get(language, "nl_NL"))


def labels(templates: Any, language: str) -> Any:
    """The statement's words in the tenant's language (templates/statement/<lang>.j2)."""
    return templates.get_template(f"statement/{language if language in LANGUAGES else 'nl'}.j2").module


def rows(statement: Statement, words: Any, language: str) -> list[dict[str, Any]]:
    """Each line as the page and the PDF show it: date, what, amount (signed), balance."""
    shown = []
    for line in statement.lines:
        e = line.entry
        number, _, state = e.detail.partition(":") if e.kind is Kind.INSTALMENT else ("", "", "")
        what = words.kinds[e.kind.value].replace("{month}", _month(language, e.period)).replace("{number}", number)
        if e.kind in (Kind.RETURN, Kind.DEBIT_FAILED) and e.detail:
            what += f" — {e.detail}"
        if e.kind is Kind.INSTALMENT:
            what += f" ({words.states.get(state, state)}, {words.no_move})"
        elif e.kind in (Kind.RECOLLECTION, Kind.DEBIT_FAILED):
            what += f" ({words.no_move})"
        sign = MOVES[e.kind]
        amount = money(e.amount_cents, language)
        shown.append({"date": _day(language, e.on), "what": what,
                      "amount": f"− {amount}" if sign < 0 else amount,
                      "balance": money(line.balance_cents, language) if sign else "",
                      "kind": e.kind.value, "moves": bool(sign)})
    return shown


def as_data(statement: Statement) -> dict[str, Any]:
    """For `export-tenant` and the ERP: plain values, cents, ISO dates."""
    return {"balance_cents": statement.balance_cents, "lines": [
        {"on": line.entry.on.isoformat(), "kind": line.entry.kind.value, "period": line.entry.period,
         "amount_cents": line.entry.amount_cents, "moves_balance": MOVES[line.entry.kind],
         "detail": line.entry.detail, "balance_cents": line.balance_cents if MOVES[line.entry.kind] else None}
        for line in statement.lines]}


def render_pdf(statement: Statement, words: Any, settings: Settings, tenant: Any) -> bytes:
    language = tenant.language if tenant.language in LANGUAGES else "nl"
    shown = rows(statement, words, language)
    org = settings.organisation
    closing = (words.nothing if statement.balance_cents == 0 else words.credit if statement.balance_cents < 0
               else f"{words.total}: {money(statement.balance_cents, language)}")
    return pdf.render_table(
        f"{words.title} — {tenant.external_id}",
        [tenant.name, words.intro, closing, f"{words.questions} {org.name}, {org.phone}"],
        [words.date, words.what, words.amount, words.balance],
        [[r["date"], r["what"], r["amount"], r["balance"]] for r in shown],
        footer=f"{org.name} · {org.phone}", rtl=language == "ar", widths=(26, 84, 30, 30))


async def for_tenant(runtime: Runtime, tenant_id: int) -> tuple[Row[Any], Statement] | None:
    """The tenant and their statement as of today; None when the tenant does not exist."""
    today = runtime.clock.now().astimezone(runtime.settings.reminders.timezone).date()
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant_id)
        if tenant is None:
            return None
        return tenant, await statement_of(connection, tenant, today)
