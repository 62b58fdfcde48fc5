"""Reading a housing corporation's tenant export: bytes in, valid tenants and row errors out.

This module owns the import file format: which columns exist (with the Dutch ERP headers as
aliases), how the delimiter and encoding are recognised, and what makes a row valid — a mobile
number, an amount in euros written the Dutch or the English way, an allowed collection day, a
known channel and language, an IBAN with correct check digits. It never reads files itself and
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

import contextlib
import csv
import dataclasses
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

import phonenumbers

from herinnering.domain.payments.methods import DEFAULT as DEFAULT_PAYMENT_METHOD
from herinnering.domain.tenants import fields as fields_check
from herinnering.domain.tenants.fields import InvalidValue
from herinnering.errors import CsvFileError

CHANNELS = ("sms", "whatsapp")

COLUMNS = (
    "contract_id",
    "name",
    "phone",
    "channel",
    "language",
    "monthly_rent",
    "collection_day",
    "iban",
    # the rest of the tenant record (issue 16): all optional
    "street",
    "house_number",
    "house_number_addition",
    "postal_code",
    "city",
    "municipality",
    "email",
    "lease_start",
    "lease_end",
    "payment_method",
    "mandate_id",
    "mandate_date",
    "pre_notification_days",
)
RECORD_COLUMNS = COLUMNS[COLUMNS.index("street"):]
REQUIRED_COLUMNS = ("contract_id", "name", "phone", "monthly_rent", "collection_day")

MAX_NAME_LENGTH = 200
MAX_RENT_CENTS = 100_000 * 100  # exclusive: nobody pays a monthly rent of 100.000 euros

_HEADER_ALIASES: dict[str, str] = {column: column for column in COLUMNS} | {
    "huurcontract": "contract_id",
    "contractnummer": "contract_id",
    "naam": "name",
    "telefoon": "phone",
    "telefoonnummer": "phone",
    "mobiel": "phone",
    "kanaal": "channel",
    "taal": "language",
    "huur": "monthly_rent",
    "maandhuur": "monthly_rent",
    "incassodag": "collection_day",
    "incassodatum": "collection_day",
    "straat": "street",
    "straatnaam": "street",
    "huisnummer": "house_number",
    "huisnr": "house_number",
    "number": "house_number",
    "toevoeging": "house_number_addition",
    "huisnummertoevoeging": "house_number_addition",
    "addition": "house_number_addition",
    "postcode": "postal_code",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "zipcode": "postal_code",
    "plaats": "city",
    "woonplaats": "city",
    "town": "city",
    "gemeente": "municipality",
    "gemeentecode": "municipality",
    "municipality_code": "municipality",
    "e_mail": "email",
    "e_mailadres": "email",
    "emailadres": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "ingangsdatum": "lease_start",
    "ingangsdatum_huur": "lease_start",
    "startdatum": "lease_start",
    "startdatum_huur": "lease_start",
    "begindatum": "lease_start",
    "lease_start_date": "lease_start",
    "start_date": "lease_start",
    "einddatum": "lease_end",
    "einddatum_huur": "lease_end",
    "lease_end_date": "lease_end",
    "end_date": "lease_end",
    "betaalwijze": "payment_method",
    "betaalmethode": "payment_method",
    "machtigingskenmerk": "mandate_id",
    "kenmerk_machtiging": "mandate_id",
    "mandaatkenmerk": "mandate_id",
    "mandate_reference": "mandate_id",
    "datum_machtiging": "mandate_date",
    "machtigingsdatum": "mandate_date",
    "ondertekeningsdatum_machtiging": "mandate_date",
    "mandate_signature_date": "mandate_date",
    "mandate_signed_on": "mandate_date",
    "vooraankondiging": "pre_notification_days",
    "vooraankondiging_dagen": "pre_notification_days",
    "pre_notification": "pre_notification_days",
}

_DELIMITERS = (",", ";", "\t")

_CHANNEL_ALIASES = {"sms": "sms", "text": "sms", "whatsapp": "whatsapp", "wa": "whatsapp"}

_LANGUAGE_NAMES = {
    "nederlands": "nl",
    "dutch": "nl",
    "english": "en",
    "engels": "en",
    "türkçe": "tr",
    "turkce": "tr",
    "turkish": "tr",
    "turks": "tr",
    "polski": "pl",
    "polish": "pl",
    "pools": "pl",
    "العربية": "ar",
    "arabic": "ar",
    "arabisch": "ar",
    "deutsch": "de",
    "german": "de",
    "duits": "de",
    "français": "fr",
    "french": "fr",
    "frans": "fr",
    "español": "es",
    "spanish": "es",
    "spaans": "es",
}

# IBAN lengths of the SEPA countries and a few others tenants bank in; unknown countries only
# get the generic shape and mod-97 checks.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TR": 26, "VA": 22,
}  # fmt: skip

_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# phonenumbers turns letters into digits ("0800-FLOWERS") and drops extensions; a tenant's
# mobile number has neither, so such a value is a typo we must not "repair".
_PHONE_CHARACTERS = re.compile(r"[0-9+\-().\s/]+")

_T = TypeVar("_T")


class _Take(Protocol):
    """Reads one column of the row through a check; None when absent or unusable (recorded)."""

    def __call__(self, column: str, check: Callable[[str], _T]) -> _T | None: ...

# Digits are matched as [0-9], never \d: int() and Decimal() also accept Arabic-Indic digits.
_RENT_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # (pattern, thousands separator, decimal separator)
    (re.compile(r"([0-9]+)"), "", ""),
    (re.compile(r"([0-9]{1,3}(?:\.[0-9]{3})+),([0-9]+)"), ".", ","),  # 1.234,56
    (re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+)\.([0-9]+)"), ",", "."),  # 1,234.56
    (re.compile(r"([0-9]{1,3}(?:\.[0-9]{3}){2,})"), ".", ""),  # 1.234.567
    (re.compile(r"([0-9]{1,3}(?:,[0-9]{3}){2,})"), ",", ""),  # 1,234,567
    (re.compile(r"([0-9]+),([0-9]+)"), "", ","),  # 845,50
    (re.compile(r"([0-9]+)\.([0-9]+)"), "", "."),  # 845.50
)


@dataclass(frozen=True)
class TenantRecord:
    """One tenant as the rest of herinnering sees it: every value checked and normalised."""

    external_id: str
    name: str
    phone: str
    channel: str
    language: str
    monthly_rent_cents: int
    collection_day: int
    iban: str | None
    street: str | None = None
    house_number: str | None = None
    house_number_addition: str | None = None
    postal_code: str | None = None
    city: str | None = None
    municipality: str | None = None  # a CBS code ("GM0363") or the name
    email: str | None = None
    lease_start: date | None = None
    lease_end: date | None = None  # the last day of the lease; planning stops after it
    payment_method: str = DEFAULT_PAYMENT_METHOD.value  # domain/payments/methods.py
    mandate_id: str | None = None
    mandate_date: date | None = None  # the day the SEPA mandate was signed
    pre_notification_days: int | None = None  # a shorter SEPA pre-notification agreed in the mandate


@dataclass(frozen=True)
class RowError:
    """One problem in one row, worded for the person who maintains the export."""

    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.column is None:
            return f"line {self.line}: {self.reason}"
        return f"line {self.line}, {self.column}: {self.reason}"


@dataclass(frozen=True)
class ImportRules:
    """What this corporation allows; comes from the configuration."""

    collection_days: frozenset[int]
    languages: tuple[str, ...]
    default_language: str = "nl"
    default_channel: str = "sms"
    phone_region: str = "NL"

    def __post_init__(self) -> None:
        # Wrong rules are a programming or configuration error, not a bad row: fail loudly.
        days = frozenset(self.collection_days)
        languages = tuple(code.strip().lower() for code in self.languages)
        object.__setattr__(self, "collection_days", days)
        object.__setattr__(self, "languages", languages)
        object.__setattr__(self, "default_language", self.default_language.strip().lower())
        if not days or any(not isinstance(d, int) or not 1 <= d <= 31 for d in days):
            raise ValueError(f"collection_days must be days 1-31, got {sorted(days)!r}")
        if not languages:
            raise ValueError("languages must name at least one language")
        if self.default_language not in languages:
            raise ValueError(
                f"default_language {self.default_language!r} is not one of {languages!r}"
            )
        if self.default_channel not in CHANNELS:
            raise ValueError(f"default_channel must be one of {CHANNELS!r}")
        if self.phone_region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"phone_region {self.phone_region!r} is not a known region code")


@dataclass(frozen=True)
class ParsedFile:
    """The valid rows (with their line) and every problem found, in file order."""

    records: list[tuple[int, TenantRecord]]
    errors: list[RowError]
    columns: frozenset[str] = dataclasses.field(default=frozenset(COLUMNS), compare=False)  # known ones present
    warnings: list[str] = dataclasses.field(default_factory=list)  # said once per file


class _Invalid(Exception):
    """A value is wrong; carries the reason shown to the user."""


def parse_tenant_csv(data: bytes, rules: ImportRules) -> ParsedFile:
    """Check every row of an export; bad rows become errors, never exceptions."""
    text = _decode(data)
    delimiter, header_line = _find_header(text)
    rows = _read_rows(text, delimiter)

    header: list[str] | None = None
    for start, fields, problem in rows:
        if start < header_line:
            continue  # blank lines and Excel's "sep=;" line before the header
        if problem is not None or fields is None:
            raise CsvFileError(f"the header on line {start} cannot be read: {problem}")
        header = fields
        break
    if header is None:  # pragma: no cover - _find_header found a non-blank line
        raise CsvFileError("the file has no header row")
    columns, unknown = _map_header(header)
    warnings = []
    if unknown:
        noun = "column" if len(unknown) == 1 else "columns"
        warnings.append(f"unknown {noun} ignored: {', '.join(_quote(name) for name in unknown)} "
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
                    f"duplicate contract id {_quote(contract_id)}, "
                    f"first on line {first_seen[contract_id]}",
                )
            )
        elif contract_id is not None:
            first_seen[contract_id] = start
        if record is not None and not row_errors:
            records.append((start, record))
        errors.extend(row_errors)
    return ParsedFile(records=records, errors=errors, columns=frozenset(columns), warnings=warnings)


# --- the file ----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not), or Windows-1252 when the file has no UTF-8 character at all.

    Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)" as Windows-1252: "Zoë" is the
    single byte 0xEB there. A file with real UTF-8 sequences and a stray byte stays UTF-8, with
    the bad byte kept as a surrogate so only its row is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError(
            "the file is saved as UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8'"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    if _SURROGATE.search(text) and not any(ord(ch) > 0x7F and not 0xDC80 <= ord(ch) <= 0xDCFF for ch in text):
        with contextlib.suppress(UnicodeDecodeError):  # 0x81, 0x8D … are not Windows-1252 either:
            text = data.decode("cp1252")  # then the per-row UTF-8 errors stand
    if not text.strip():
        raise CsvFileError("the file is empty")
    return text


def _find_header(text: str) -> tuple[str, int]:
    """The delimiter and the line of the header: the first non-blank line (after "sep=;")."""
    forced: str | None = None
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if not line.strip():
            continue
        sep = re.fullmatch(r"sep=(.)\s*", line, flags=re.IGNORECASE)
        if sep is not None and forced is None:
            forced = sep.group(1)
            continue
        return forced or _sniff_delimiter(line), number
    raise CsvFileError("the file has no header row")


def _sniff_delimiter(header: str) -> str:
    """Pick the delimiter under which the header names the most known columns."""

    def score(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([header], delimiter=delimiter), [])
        known = sum(_normalise_header(field) in _HEADER_ALIASES for field in fields)
        return known, len(fields)

    return max(_DELIMITERS, key=score)  # max() keeps the first on a tie: ',' wins


def _read_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(start line, fields, problem): the start line counts physical lines, quoted newlines too."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, _describe_csv_error(exc, start, reader.line_num, delimiter)
            if reader.line_num <= previous_end:  # pragma: no cover - defensive
                return
        else:
            yield start, fields, None
        previous_end = reader.line_num


def _describe_csv_error(exc: csv.Error, start: int, end: int, delimiter: str) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        lines = f"line {start}" if end <= start else f"lines {start}-{end}"
        return f'a quote (") opened in this row is never closed, so {lines} could not be read'
    if "expected after" in message:
        return (
            f'a closing quote (") must be followed by the separator {delimiter!r}; put the whole '
            'value in quotes and write a quote inside it twice ("")'
        )
    if "field larger than field limit" in message:
        return 'a value is far too long; is a quote (") not closed?'
    return f"the row cannot be read as CSV ({message})"


def _normalise_header(raw: str) -> str:
    name = raw.strip().strip("\ufeff").strip().casefold().rstrip(".:")
    return re.sub(r"[\s\-]+", "_", name.strip())


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name -> index, and the headers nobody knows (the ERP's business, but worth a
    word: a misspelt "postode" would otherwise vanish silently). Two headers meaning the same
    column is ambiguous, so an error."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, raw in enumerate(header):
        column = _HEADER_ALIASES.get(_normalise_header(raw))
        if column is None:
            if raw.strip():
                unknown.append(raw.strip())
            continue
        if column in columns:
            raise CsvFileError(
                f"column {column!r} appears twice in the header (as "
                f"{_quote(header[columns[column]].strip())} and {_quote(raw.strip())}); "
                "remove one of them"
            )
        columns[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        names = ", ".join(repr(column) for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        has = ", ".join(_printable(field.strip()) for field in header) or "nothing"
        raise CsvFileError(f"missing required {noun} {names} (the header has: {has})")
    return columns, unknown


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
        bad_byte = _undecodable_byte(raw)
        if bad_byte is not None:
            reason = f"not valid UTF-8 (byte 0x{bad_byte:02x}); save the file as UTF-8"
            errors.append(RowError(line, column, reason))
            return None
        try:
            return check(raw)
        except (_Invalid, InvalidValue) as exc:
            errors.append(RowError(line, column, str(exc)))
            return None

    external_id = take("contract_id", _check_contract_id)
    name = take("name", _check_name)
    phone = take("phone", lambda raw: _check_phone(raw, rules.phone_region))
    channel = take("channel", lambda raw: _check_channel(raw, rules.default_channel))
    language = take("language", lambda raw: _check_language(raw, rules))
    rent = take("monthly_rent", _check_rent)
    day = take("collection_day", lambda raw: _check_day(raw, rules.collection_days))
    iban = take("iban", _check_iban)
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
    """The address, contact, lease and mandate values (all optional; see tenant_fields)."""
    number = take("house_number", fields_check.check_house_number)
    addition = take("house_number_addition", fields_check.check_addition)
    if isinstance(number, tuple) and number[1] is not None:
        if addition is not None and addition != number[1]:
            errors.append(RowError(line, "house_number_addition",
                                   f"the house number {number[0]}{number[1]} already has an addition; "
                                   f"{_quote(str(addition))} differs"))
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
    if index >= len(fields) or _undecodable_byte(fields[index]) is not None:
        return None
    try:
        return _check_contract_id(fields[index])
    except _Invalid:
        return None


# --- the values --------------------------------------------------------------------------


def _check_contract_id(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise _Invalid("the contract id is missing")
    if _has_control_character(value):
        raise _Invalid(f"contract id {_quote(value)} contains a line break or control character")
    return value


def _check_name(raw: str) -> str:
    """NFC and single spaces: a name goes into an SMS, where a stray line break looks broken."""
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value:
        raise _Invalid("the name is missing")
    if _has_control_character(value):
        raise _Invalid(f"name {_quote(value)} contains a control character")
    if len(value) > MAX_NAME_LENGTH:
        raise _Invalid(f"the name is {len(value)} characters long (at most {MAX_NAME_LENGTH})")
    return value


_SEPARATORS = re.compile(r"[\s\-.()/]")


@functools.lru_cache(maxsize=8)
def _mobile_fast_path(region: str) -> tuple[re.Pattern[str], str, str] | None:
    """The region's own mobile pattern from phonenumbers' metadata, for the common case.

    Validating every number with the full parser costs ~100 µs; a plain "06-12345678" that
    matches the region's mobile pattern needs none of its generality."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.mobile is None or not metadata.mobile.national_number_pattern:
        return None
    return re.compile(metadata.mobile.national_number_pattern), str(metadata.country_code), metadata.national_prefix or ""


def _fast_mobile(value: str, region: str) -> str | None:
    """E.164 for a plain national or international mobile number of `region`, else None."""
    fast = _mobile_fast_path(region)
    if fast is None:
        return None
    pattern, country, prefix = fast
    digits = _SEPARATORS.sub("", value)
    for lead in (f"+{country}", f"00{country}", prefix):
        if lead and digits.startswith(lead) and digits[len(lead):].isdigit() and digits[len(lead):].isascii():
            national = digits[len(lead):]
            return f"+{country}{national}" if pattern.fullmatch(national) else None
    return None


def _check_phone(raw: str, region: str) -> str:
    value = raw.strip()
    if not value:
        raise _Invalid("the phone number is missing")
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise _Invalid(f"{_quote(value)} is not a valid phone number")
    fast = _fast_mobile(value, region)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise _Invalid(f"{_quote(value)} is not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise _Invalid(f"{_quote(value)} is not a valid phone number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise _Invalid(f"{_quote(value)} is not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_channel(raw: str, default: str) -> str:
    value = raw.strip()
    if not value:
        return default
    channel = _CHANNEL_ALIASES.get(re.sub(r"[\s_\-]", "", value.casefold()))
    if channel is None:
        raise _Invalid(f"channel {_quote(value)} is not supported (use sms or whatsapp)")
    return channel


def _check_language(raw: str, rules: ImportRules) -> str:
    value = unicodedata.normalize("NFC", raw.strip())
    if not value:
        return rules.default_language
    key = value.casefold()
    locale = re.fullmatch(r"([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*", key)
    code = locale.group(1) if locale else _LANGUAGE_NAMES.get(key)
    offered = ", ".join(rules.languages)
    if code is None:
        raise _Invalid(f"{_quote(value)} is not a known language (offered: {offered})")
    if code not in rules.languages:
        raise _Invalid(f"language {_quote(value)} is not offered (offered: {offered})")
    return code


def _check_rent(raw: str) -> int:
    """Euros to cents with Decimal: "845,50", "1.234,56", "1,234.56", "€ 845,-" all work."""
    value = raw.strip()
    if not value:
        raise _Invalid("the monthly rent is missing")
    compact = unicodedata.normalize("NFKC", value)
    compact = re.sub(r"€|\beuros?\b|\beur\b", "", compact, flags=re.IGNORECASE)
    compact = re.sub(r"\s+", "", compact)
    compact = re.sub(r"[,.]-{1,2}$", "", compact)  # "845,-" is Dutch for whole euros
    negative = compact.startswith("-")
    compact = compact.removeprefix("-")

    parts = _split_amount(compact)
    if parts is None:
        raise _Invalid(f"{_quote(value)} is not an amount in euros (write it like 845,50)")
    whole, fraction, grouped = parts
    if not grouped and len(fraction) == 3:
        raise _Invalid(
            f"rent {_quote(value)} is ambiguous (a thousands separator or 3 decimals?); "
            "write it like 1234,00"
        )
    if len(fraction) > 2:
        raise _Invalid(f"rent {_quote(value)} has more than 2 decimals")

    cents = int(Decimal(f"{whole}.{fraction or '0'}") * 100)
    if negative or cents <= 0:
        raise _Invalid(f"rent {_quote(value)} must be more than 0")
    if cents >= MAX_RENT_CENTS:
        raise _Invalid(f"rent {_quote(value)} is not below 100.000 euros")
    return cents


def _split_amount(compact: str) -> tuple[str, str, bool] | None:
    """(whole digits, decimal digits, had thousands separators) for the first pattern that fits."""
    for pattern, thousands, decimal_mark in _RENT_PATTERNS:
        match = pattern.fullmatch(compact)
        if match is not None:
            whole = match.group(1).replace(thousands, "") if thousands else match.group(1)
            fraction = match.group(2) if decimal_mark else ""
            return whole, fraction, bool(thousands)
    return None


def _check_day(raw: str, allowed: frozenset[int]) -> int:
    value = raw.strip()
    if not value:
        raise _Invalid("the collection day is missing")
    if not re.fullmatch(r"[0-9]+", value):
        raise _Invalid(f"collection day {_quote(value)} is not a whole number")
    day = int(value)
    if day not in allowed:
        raise _Invalid(f"collection day {day} is not allowed (allowed: {_compact_days(allowed)})")
    return day


def _check_iban(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    iban = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
    shown = _quote(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        raise _Invalid(f"{shown} is not a valid IBAN (it should look like NL91 ABNA 0417 1643 00)")
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise _Invalid(
            f"{shown} is not a valid IBAN (a {iban[:2]} IBAN has {expected} characters, "
            f"this one has {len(iban)})"
        )
    if iban.startswith("NL") and not re.fullmatch(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}", iban):
        raise _Invalid(f"{shown} is not a valid IBAN (it should look like NL91 ABNA 0417 1643 00)")
    if _iban_remainder(iban) != 1:
        raise _Invalid(f"{shown} is not a valid IBAN (the check digits do not match; a typo?)")
    return iban


def _iban_remainder(iban: str) -> int:
    """ISO 13616 mod-97: move the first four characters to the end, letters become 10..35."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


# --- helpers -----------------------------------------------------------------------------


def _compact_days(days: Iterable[int]) -> str:
    """Runs of three or more become "1-25"; the rest are listed: "1, 5, 10, 20-25"."""
    ordered = sorted(days)
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{ordered[i]}-{ordered[j]}")
        else:
            parts.extend(str(day) for day in ordered[i : j + 1])
        i = j + 1
    return ", ".join(parts)


_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc


def _undecodable_byte(value: str) -> int | None:
    """The first byte that was not UTF-8 (decoded as a lone surrogate), if any."""
    found = _SURROGATE.search(value)
    return ord(found.group()) - 0xDC00 if found else None


def _has_control_character(value: str) -> bool:
    return _CONTROL.search(value) is not None


def _printable(value: str) -> str:
    """Safe to print: undecodable bytes become U+FFFD instead of crashing the terminal."""
    return re.sub("[\udc80-\udcff]", "\ufffd", value)


def _quote(value: str, limit: int = 60) -> str:
    shown = _printable(value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"
