"""Reading a housing corporation's tenant export: bytes in, valid tenants and row errors out.

This module reads the import file row by row: the file as a whole (encoding, delimiter, the
header with the Dutch ERP headers as aliases) is `csv_file`'s, what makes a value valid — a
mobile number, an amount in euros written the Dutch or the English way, an allowed collection
day, a known channel and language, an IBAN with correct check digits — is `core_fields`' and
`fields`', and the values it returns are `tenant_record`'s. It never reads files itself and
never stops at a bad row: each problem becomes a `RowError` naming the physical line and the
column, so the people who fix the export see everything at once. Only a file that cannot be
used at all (empty, no usable header) raises `CsvFileError`.

The whole tenant record travels in the same file: postal address, municipality, e-mail, lease
start and end, payment method and SEPA mandate, each under its Dutch or English header
(`domain/tenants/fields.py` checks them). A column the file does not have leaves the stored
value alone (`ParsedFile.columns` says which were there); columns nobody knows are named once
in `ParsedFile.warnings`. Files come as UTF-8 (with or without BOM) or as Windows-1252, what
Dutch Excel writes by default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol, TypeVar

from herinnering.domain.payments.methods import DEFAULT as DEFAULT_PAYMENT_METHOD
from herinnering.domain.tenants import core_fields
from herinnering.domain.tenants import fields as fields_check
from herinnering.domain.tenants.csv_file import (
    decode,
    find_header,
    map_header,
    quote,
    read_rows,
    undecodable_byte,
)
from herinnering.domain.tenants.fields import InvalidValue
from herinnering.domain.tenants.tenant_record import (
    CHANNELS,
    COLUMNS,
    RECORD_COLUMNS,
    REQUIRED_COLUMNS,
    ImportRules,
    ParsedFile,
    RowError,
    TenantRecord,
)
from herinnering.errors import CsvFileError

__all__ = [  # the file format's public face; the parts live in tenant_record, csv_file, core_fields and fields
    "CHANNELS", "COLUMNS", "RECORD_COLUMNS", "REQUIRED_COLUMNS", "CsvFileError", "ImportRules", "ParsedFile",
    "RowError", "TenantRecord", "parse_tenant_csv",
]

_T = TypeVar("_T")


class _Take(Protocol):
    """Reads one column of the row through a check; None when absent or unusable (recorded)."""

    def __call__(self, column: str, check: Callable[[str], _T]) -> _T | None: ...


def parse_tenant_csv(data: bytes, rules: ImportRules) -> ParsedFile:
    """Check every row of an export; bad rows become errors, never exceptions."""
    text = decode(data)
    delimiter, header_line = find_header(text)
    rows = read_rows(text, delimiter)

    header: list[str] | None = None
    for start, fields, problem in rows:
        if start < header_line:
            continue  # blank lines and Excel's "sep=;" line before the header
        if problem is not None or fields is None:
            raise CsvFileError(f"the header on line {start} cannot be read: {problem}")
        header = fields
        break
    if header is None:  # pragma: no cover - find_header found a non-blank line
        raise CsvFileError("the file has no header row")
    columns, unknown = map_header(header)
    warnings = []
    if unknown:
        noun = "column" if len(unknown) == 1 else "columns"
        warnings.append(f"unknown {noun} ignored: {', '.join(quote(name) for name in unknown)} "
                        "(see the README for the columns herinnering reads)")

    records: list[tuple[int, TenantRecord]] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for start, fields, problem in rows:
        if problem is not None or fields is None:
            errors.append(RowError(start, None, problem or "the row cannot be read"))
            continue
        if all(not field.strip() for field in fields):
            continue  # blank line, or a row of only delimiters as Excel writes them
        record, row_errors = _check_row(start, fields, len(header), columns, rules, delimiter)
        contract_id = _contract_id_of(fields, columns)
        if contract_id is not None and contract_id in first_seen:
            row_errors.append(
                RowError(
                    start,
                    "contract_id",
                    f"duplicate contract id {quote(contract_id)}, "
                    f"first on line {first_seen[contract_id]}",
                )
            )
        elif contract_id is not None:
            first_seen[contract_id] = start
        if record is not None and not row_errors:
            records.append((start, record))
        errors.extend(row_errors)
    return ParsedFile(records=records, errors=errors, columns=frozenset(columns), warnings=warnings)


# --- one row -----------------------------------------------------------------------------


def _check_row(
    line: int,
    fields: list[str],
    width: int,
    columns: dict[str, int],
    rules: ImportRules,
    delimiter: str,
) -> tuple[TenantRecord | None, list[RowError]]:
    """The record when every value is valid; the errors, one per problem, either way."""
    errors: list[RowError] = []
    extra = [field for field in fields[width:] if field.strip()]
    if extra:
        example = " (like 845,50)" if delimiter == "," else ""
        errors.append(
            RowError(
                line,
                None,
                f"the row has {len(fields)} values but the header has {width} columns; "
                f"is a value containing {delimiter!r}{example} not in quotes?",
            )
        )

    short = [c for c in REQUIRED_COLUMNS if columns[c] >= len(fields)]
    if short:
        first = min(short, key=lambda c: columns[c])
        errors.append(
            RowError(
                line,
                first,
                f"the row ends before the {first} value (it has {len(fields)} of {width} values)",
            )
        )

    def take(column: str, check: Callable[[str], _T]) -> _T | None:
        """The checked value, or None after recording why it is unusable (or absent)."""
        index = columns.get(column)
        if index is None or index >= len(fields):
            return None  # an absent optional column; a short row was reported above
        raw = fields[index]
        bad_byte = undecodable_byte(raw)
        if bad_byte is not None:
            reason = f"not valid UTF-8 (byte 0x{bad_byte:02x}); save the file as UTF-8"
            errors.append(RowError(line, column, reason))
            return None
        try:
            return check(raw)
        except InvalidValue as exc:
            errors.append(RowError(line, column, str(exc)))
            return None

    external_id = take("contract_id", core_fields.check_contract_id)
    name = take("name", core_fields.check_name)
    phone = take("phone", lambda raw: core_fields.check_phone(raw, rules.phone_region))
    channel = take("channel", lambda raw: core_fields.check_channel(raw, rules.default_channel))
    language = take("language", lambda raw: core_fields.check_language(raw, rules))
    rent = take("monthly_rent", core_fields.check_rent)
    day = take("collection_day", lambda raw: core_fields.check_day(raw, rules.collection_days))
    iban = take("iban", core_fields.check_iban)
    rest = _rest_of_record(take, errors, line)

    if (
        errors
        or external_id is None
        or name is None
        or phone is None
        or rent is None
        or day is None
    ):
        return None, errors
    return TenantRecord(
        external_id=external_id,
        name=name,
        phone=phone,
        channel=channel or rules.default_channel,
        language=language or rules.default_language,
        monthly_rent_cents=rent,
        collection_day=day,
        iban=iban,
        **rest,  # type: ignore[arg-type]
    ), errors


def _rest_of_record(take: _Take, errors: list[RowError], line: int) -> dict[str, object]:
    """The address, contact, lease and mandate values (all optional; see fields.py)."""
    number = take("house_number", fields_check.check_house_number)
    addition = take("house_number_addition", fields_check.check_addition)
    if isinstance(number, tuple) and number[1] is not None:
        if addition is not None and addition != number[1]:
            errors.append(RowError(line, "house_number_addition",
                                   f"the house number {number[0]}{number[1]} already has an addition; "
                                   f"{quote(str(addition))} differs"))
        addition = number[1]
    values: dict[str, object] = {
        "street": take("street", fields_check.check_street),
        "house_number": number[0] if isinstance(number, tuple) else None,
        "house_number_addition": addition,
        "postal_code": take("postal_code", fields_check.check_postcode),
        "city": take("city", fields_check.check_city),
        "municipality": take("municipality", fields_check.check_municipality),
        "email": take("email", fields_check.check_email),
        "lease_start": take("lease_start", lambda raw: fields_check.check_date(raw, "lease start")),
        "lease_end": take("lease_end", lambda raw: fields_check.check_date(raw, "lease end")),
        "payment_method": (take("payment_method", fields_check.check_payment_method) or DEFAULT_PAYMENT_METHOD).value,
        "mandate_id": take("mandate_id", fields_check.check_mandate_id),
        "mandate_date": take("mandate_date", lambda raw: fields_check.check_date(raw, "mandate date")),
        "pre_notification_days": take("pre_notification_days", fields_check.check_pre_notification_days),
    }
    start, end = values["lease_start"], values["lease_end"]
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append(RowError(line, "lease_end", f"the lease ends ({end:%d-%m-%Y}) before it starts "
                                                  f"({start:%d-%m-%Y})"))
    return values


def _contract_id_of(fields: list[str], columns: dict[str, int]) -> str | None:
    """The row's contract id when that value alone is valid (for duplicate detection)."""
    index = columns["contract_id"]
    if index >= len(fields) or undecodable_byte(fields[index]) is not None:
        return None
    try:
        return core_fields.check_contract_id(fields[index])
    except InvalidValue:
        return None
