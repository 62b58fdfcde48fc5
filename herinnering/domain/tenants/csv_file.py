"""The import file as a whole: its encoding, its delimiter, its header and its physical lines.

What makes a file unusable at all (empty, UTF-16, no header, a required column missing, a column
named twice) raises `CsvFileError`; everything else is left to the rows. Line numbers count
physical lines, quoted line breaks too, so an error points where the file's maintainer looks.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator

from herinnering.domain.tenants.tenant_record import COLUMNS, REQUIRED_COLUMNS
from herinnering.errors import CsvFileError

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


def decode(data: bytes) -> str:
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


def find_header(text: str) -> tuple[str, int]:
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


def read_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
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


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
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
                f"{quote(header[columns[column]].strip())} and {quote(raw.strip())}); "
                "remove one of them"
            )
        columns[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        names = ", ".join(repr(column) for column in missing)
        noun = "column" if len(missing) == 1 else "columns"
        has = ", ".join(printable(field.strip()) for field in header) or "nothing"
        raise CsvFileError(f"missing required {noun} {names} (the header has: {has})")
    return columns, unknown


# --- raw text in messages ------------------------------------------------------------


_SURROGATE = re.compile("[\udc80-\udcff]")


def undecodable_byte(value: str) -> int | None:
    """The first byte that was not UTF-8 (decoded as a lone surrogate), if any."""
    found = _SURROGATE.search(value)
    return ord(found.group()) - 0xDC00 if found else None


def printable(value: str) -> str:
    """Safe to print: undecodable bytes become U+FFFD instead of crashing the terminal."""
    return re.sub("[\udc80-\udcff]", "\ufffd", value)


def quote(value: str, limit: int = 60) -> str:
    shown = printable(value)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"
