"""Use case: take in payment results — a bank file (CAMT.053/.054), the ERP's CSV export, or
one call of the payments API — all-or-nothing.

A file is read and checked completely before anything is stored; any bad element or line
rejects the whole file with every problem listed (`PaymentInputError.problems`). Then all its
transactions are recorded in one database transaction (`services.payments.record`), so a
failure half-way leaves nothing behind. Importing the same file again stores nothing new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from herinnering.adapters.camt import looks_like_camt, parse_camt
from herinnering.adapters.db import AsyncConnection, payment_store
from herinnering.adapters.db.engine import Database
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.payments.erp_csv import PaymentCsvError, parse_payment_csv
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.domain.payments.state import (
    REASON_CODE,
    Transaction,
    TransactionKind,
    check_period,
    statement_problem,
)
from herinnering.errors import PaymentInputError
from herinnering.services.payments import payments
from herinnering.services.payments.payments import IntakeReport


@dataclass
class FileIntake:
    format: str          # "camt.053.001.08", "erp-csv" …
    report: IntakeReport
    dry_run: bool


async def import_payment_file(
    db: Database, settings: Settings, clock: Clock, data: bytes, name: str, *, dry_run: bool = False
) -> FileIntake:
    if looks_like_camt(data):
        camt = parse_camt(data, name)
        transactions, fmt, skipped = camt.transactions, camt.kind, camt.skipped
    else:
        transactions, fmt, skipped = _read_csv(data, name), "erp-csv", []
    async with db.begin() as connection:
        if fmt == "erp-csv":
            await _check_contracts(connection, transactions, name)
        if dry_run:
            report = await payments.preview(connection, transactions)
        else:
            report = await payments.record(connection, settings, transactions, clock.now())
    report.skipped = skipped
    return FileIntake(format=fmt, report=report, dry_run=dry_run)


def _read_csv(data: bytes, name: str) -> list[Transaction]:
    try:
        parsed = parse_payment_csv(data)
    except PaymentCsvError as exc:
        raise PaymentInputError(f"{name}: {exc}; nothing imported", []) from None
    if parsed.errors:
        raise PaymentInputError(f"{name}: {len(parsed.errors)} problem(s); nothing imported:",
                                [str(error) for error in parsed.errors])
    return [transaction for _, transaction in parsed.lines]


async def _check_contracts(connection: AsyncConnection, transactions: list[Transaction], name: str) -> None:
    known = await payment_store.known_contracts(connection, (t.contract_id for t in transactions if t.contract_id))
    problems = [f"line {t.data.get('line', '?')}, contract_id: {t.contract_id} is not a known tenant"
                for t in transactions if t.contract_id not in known]
    if problems:
        raise PaymentInputError(f"{name}: {len(problems)} problem(s); nothing imported:", problems)


# --- the API -----------------------------------------------------------------------------

API_TYPES = {"payment": TransactionKind.PAYMENT, "return": TransactionKind.RETURN,
             "statement": TransactionKind.STATEMENT}


def parse_api_body(body: Any) -> list[Transaction]:
    """One payment object or {"payments": [...]}; every problem named by its JSON path."""
    wrapped = isinstance(body, dict) and "payments" in body
    items = body["payments"] if wrapped else [body]
    if not isinstance(items, list) or not items:
        raise PaymentInputError("the body must be a payment object or {\"payments\": [...]}", [])
    problems: list[str] = []
    found: list[Transaction] = []
    for index, item in enumerate(items):
        where = "" if len(items) == 1 and not wrapped else f"payments[{index}]."
        transaction = _api_item(item, where, problems)
        if transaction is not None:
            found.append(transaction)
    if problems:
        raise PaymentInputError(f"{len(problems)} problem(s); nothing stored:", problems)
    return found


def _api_item(item: Any, where: str, problems: list[str]) -> Transaction | None:
    if not isinstance(item, dict):
        problems.append(f"{where or 'body'}: must be a JSON object")
        return None
    before = len(problems)

    def text(key: str, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                problems.append(f"{where}{key}: is required")
            return None
        if not isinstance(value, str):
            problems.append(f"{where}{key}: must be a text")
            return None
        if any(ch < " " or ch == "\x7f" for ch in value):  # and PostgreSQL cannot store a NUL
            problems.append(f"{where}{key}: must not contain control characters")
            return None
        return value.strip()

    def cents(key: str) -> int | None:
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10_000_000:
            problems.append(f"{where}{key}: must be a whole number of cents from 0 (got {value!r})")
            return None
        return value

    caller_id = text("id")
    if caller_id is not None and not re.fullmatch(r"[\w.:/-]{1,100}", caller_id):
        problems.append(f"{where}id: use at most 100 letters, digits and . : / - _")
    contract = text("contract_id")
    period = text("period")
    if period is not None:
        try:
            period = check_period(period)
        except ValueError as exc:
            problems.append(f"{where}period: {exc}")
    kind = API_TYPES.get(str(item.get("type", "payment")))
    if kind is None:
        problems.append(f"{where}type: must be one of {', '.join(API_TYPES)}")
    dates: dict[str, date] = {}
    for field_name in ("booked_on", "value_on"):
        given = text(field_name, required=False)
        if given is not None:
            try:
                dates[field_name] = date.fromisoformat(given)
            except ValueError:
                problems.append(f"{where}{field_name}: {given!r} is not a date like 2026-12-22")
    booked_on = dates.get("booked_on") or dates.get("value_on")
    reason_code = None
    due = None
    status = None
    amount = None
    if kind is TransactionKind.STATEMENT:
        due, amount = cents("amount_due_cents"), cents("amount_paid_cents")
        status_text = text("status", required=False)
        if status_text is not None:
            try:
                status = PaymentStatus(status_text)
            except ValueError:
                problems.append(f"{where}status: must be one of {', '.join(s.value for s in PaymentStatus)}")
        if due is not None and amount is not None and status is not None:
            problem = statement_problem(due, amount, status)
            if problem:
                problems.append(f"{where}status: {problem}")
    elif kind is not None:
        amount = cents("amount_cents")
        if amount == 0:
            problems.append(f"{where}amount_cents: must be more than 0")
        if kind is TransactionKind.RETURN:
            reason_code = (text("reason_code") or "").upper() or None
            if reason_code is not None and not REASON_CODE.fullmatch(reason_code):
                problems.append(f"{where}reason_code: {reason_code!r} is not a 4-character ISO reason code")
    if len(problems) > before or kind is None or amount is None or not caller_id or not contract or not period:
        return None
    return Transaction(
        source="api", source_key=f"api:{caller_id}", kind=kind, amount_cents=amount, contract_id=contract,
        period=period, reason_code=reason_code, booked_on=booked_on, value_on=dates.get("value_on"),
        amount_due_cents=due, status=status,
        references=(contract,), data={"id": caller_id},
    )


async def intake_api(db: Database, settings: Settings, clock: Clock, body: Any) -> IntakeReport:
    transactions = parse_api_body(body)
    async with db.begin() as connection:
        known = await payment_store.known_contracts(connection, (t.contract_id for t in transactions if t.contract_id))
        unknown = [f"contract_id: {t.contract_id} is not a known tenant" for t in transactions
                   if t.contract_id not in known]
        if unknown:
            raise PaymentInputError(f"{len(unknown)} problem(s); nothing stored:", unknown)
        return await payments.record(connection, settings, transactions, clock.now())
