"""The ERP's payment export: one line per contract and rent month, checked line by line.

Columns `contract_id, period, amount_due, amount_paid, status` (Dutch headers such as
`huurcontract, periode, te_betalen, betaald` work too; `,` or `;`); `status` may be empty (it
follows from the amounts) and `reason_code` is optional. `booked_on` (`betaaldatum`,
`boekdatum`, `payment_date`) and `value_on` (`valutadatum`) date the payment as the bank did:
without them a payment is dated when the file is imported, which makes "paid in time" depend on
when someone ran the import. Every bad line is reported with its
number and column; the caller rejects the whole file when there is any, so nothing is half
imported. Each line's key is a hash of its normalised values: importing the same export again
changes nothing, while a line that changed (more paid) is a new statement.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from herinnering.domain.payments.payments import PaymentStatus
from herinnering.domain.payments.state import (
    REASON_CODE,
    Transaction,
    TransactionKind,
    check_period,
    parse_amount_cents,
    parse_bank_date,
    statement_problem,
)

ALIASES = {
    "contract_id": "contract_id", "contract": "contract_id", "huurcontract": "contract_id",
    "contractnummer": "contract_id", "period": "period", "periode": "period", "maand": "period",
    "amount_due": "amount_due", "te_betalen": "amount_due", "verschuldigd": "amount_due", "huur": "amount_due",
    "amount_paid": "amount_paid", "betaald": "amount_paid", "status": "status",
    "reason_code": "reason_code", "reden": "reason_code", "storneringsreden": "reason_code",
    "booked_on": "booked_on", "booking_date": "booked_on", "payment_date": "booked_on", "paid_on": "booked_on",
    "boekdatum": "booked_on", "betaaldatum": "booked_on", "datum_betaling": "booked_on",
    "value_on": "value_on", "value_date": "value_on", "valutadatum": "value_on", "rentedatum": "value_on",
}
REQUIRED = ("contract_id", "period", "amount_due", "amount_paid")
STATUS_WORDS = {
    "paid": PaymentStatus.PAID, "betaald": PaymentStatus.PAID,
    "expected": PaymentStatus.EXPECTED, "open": PaymentStatus.EXPECTED, "verwacht": PaymentStatus.EXPECTED,
    "partly_paid": PaymentStatus.PARTLY_PAID, "deels_betaald": PaymentStatus.PARTLY_PAID,
    "returned": PaymentStatus.RETURNED, "gestorneerd": PaymentStatus.RETURNED, "storno": PaymentStatus.RETURNED,
    "in_arrangement": PaymentStatus.IN_ARRANGEMENT, "regeling": PaymentStatus.IN_ARRANGEMENT,
    "betalingsregeling": PaymentStatus.IN_ARRANGEMENT,
}


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.column is None else \
            f"line {self.line}, {self.column}: {self.reason}"


@dataclass
class ParsedPayments:
    lines: list[tuple[int, Transaction]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


class PaymentCsvError(ValueError):
    """The whole file is unusable (no header, a missing column)."""


def _key(name: str) -> str:
    return name.strip().strip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def parse_payment_csv(data: bytes) -> ParsedPayments:
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    header_line = next((n for n, line in enumerate(lines, start=1) if line.strip()), None)
    if header_line is None:
        raise PaymentCsvError("the file is empty")
    header_text = lines[header_line - 1]
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    header = rows[header_line - 1] if len(rows) >= header_line else []
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        column = ALIASES.get(_key(name))
        if column is not None and column not in columns:
            columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise PaymentCsvError(f"line {header_line}: missing column(s) {', '.join(missing)} "
                              f"(the header has: {', '.join(h.strip() for h in header) or 'nothing'})")
    result = ParsedPayments()
    seen: dict[tuple[str, str], int] = {}
    for number, fields in enumerate(rows[header_line:], start=header_line + 1):
        if not any(f.strip() for f in fields):
            continue
        errors: list[LineError] = []

        def take(column: str, fields: list[str] = fields) -> str:
            index = columns.get(column)
            return fields[index].strip() if index is not None and index < len(fields) else ""

        contract = take("contract_id")
        if not contract:
            errors.append(LineError(number, "contract_id", "the contract id is missing"))
        period = take("period")
        try:
            period = check_period(period)
        except ValueError as exc:
            errors.append(LineError(number, "period", str(exc)))
        amounts: dict[str, int] = {}
        for column in ("amount_due", "amount_paid"):
            try:
                amounts[column] = parse_amount_cents(take(column))
            except ValueError as exc:
                errors.append(LineError(number, column, str(exc)))
        status_text = _key(take("status"))
        status = None
        if status_text:
            status = STATUS_WORDS.get(status_text)
            if status is None:
                errors.append(LineError(number, "status", f"{take('status')!r} is not a status "
                                        "(paid, expected, partly_paid, returned, in_arrangement)"))
        reason = take("reason_code").upper() or None
        if reason is not None and not REASON_CODE.fullmatch(reason):
            errors.append(LineError(number, "reason_code", f"{reason!r} is not a 4-character ISO reason code"))
        dates: dict[str, date] = {}
        for column in ("booked_on", "value_on"):
            if take(column):
                try:
                    dates[column] = parse_bank_date(take(column))
                except ValueError as exc:
                    errors.append(LineError(number, column, str(exc)))
        if status is not None and len(amounts) == 2:
            problem = statement_problem(amounts["amount_due"], amounts["amount_paid"], status)
            if problem:
                errors.append(LineError(number, "status", problem))
        if contract and not errors:
            if (contract, period) in seen:
                errors.append(LineError(number, "contract_id", f"{contract} {period} appears twice, "
                                        f"first on line {seen[(contract, period)]}"))
            seen[(contract, period)] = number
        if errors:
            result.errors.extend(errors)
            continue
        values = (contract, period, amounts["amount_due"], amounts["amount_paid"], status or "", reason or "",
                  *(f"{c}={d.isoformat()}" for c, d in sorted(dates.items())))  # absent: the key of older files
        digest = hashlib.sha256("|".join(map(str, values)).encode()).hexdigest()[:40]
        result.lines.append((number, Transaction(
            source="erp", source_key=f"erp:{digest}", kind=TransactionKind.STATEMENT,
            amount_cents=amounts["amount_paid"], contract_id=contract, period=period, reason_code=reason,
            amount_due_cents=amounts["amount_due"], status=status, references=(contract,),
            booked_on=dates.get("booked_on") or dates.get("value_on"), value_on=dates.get("value_on"),
            data={"line": number},
        )))
    return result
