"""Checks for the tenant record's address, contact, lease and mandate values.

Each function takes the raw text of one CSV field and returns the stored value (or None for
an empty optional field), or raises `InvalidValue` with a reason worded for the person who
maintains the ERP export. `domain.tenant_csv` turns that into an error naming line and column.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email

from herinnering.domain.payments.methods import (
    PaymentMethod,
    accepted_spellings,
    parse_payment_method,
)

MAX_STREET_LENGTH = 120
MAX_PLACE_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_MANDATE_ID_LENGTH = 35  # SEPA's MndtId
MAX_PRE_NOTIFICATION_DAYS = 30

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# PostNL: four digits (not starting with 0), two letters; SA, SD and SS are never issued.
_POSTCODE = re.compile(r"([1-9][0-9]{3})\s?([A-Z]{2})")
_HOUSE_NUMBER = re.compile(r"([0-9]{1,5})(?:\s*[-/ ]?\s*([A-Z0-9]{1,6}))?", re.IGNORECASE)
_ADDITION = re.compile(r"[A-Z0-9][A-Z0-9 \-/]{0,9}", re.IGNORECASE)
_CBS_CODE = re.compile(r"(?:GM)?([0-9]{4})", re.IGNORECASE)
# SEPA's restricted Latin set for identifiers (EPC guidance on character sets).
_MANDATE_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")
_DATE_FORMATS = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), ("y", "m", "d")),  # 2026-12-31
    (re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})"), ("d", "m", "y")),  # 31-12-2026
)


class InvalidValue(Exception):
    """A value is wrong; carries the reason shown to the user."""


def _text(raw: str) -> str:
    """NFC with single spaces, as every free-text field is stored."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def _quote(value: str) -> str:
    return f"'{value[:59]}…'" if len(value) > 60 else f"'{value}'"


def _free_text(raw: str, what: str, limit: int) -> str | None:
    value = _text(raw)
    if not value:
        return None
    if _CONTROL.search(value):
        raise InvalidValue(f"{what} {_quote(value)} contains a control character")
    if len(value) > limit:
        raise InvalidValue(f"the {what} is {len(value)} characters long (at most {limit})")
    return value


def check_street(raw: str) -> str | None:
    return _free_text(raw, "street", MAX_STREET_LENGTH)


def check_city(raw: str) -> str | None:
    return _free_text(raw, "place", MAX_PLACE_LENGTH)


def check_house_number(raw: str) -> tuple[str, str | None] | None:
    """(number, addition written with it): "12" → ("12", None), "12A" or "12-2" → ("12", "A"/"2")."""
    value = _text(raw)
    if not value:
        return None
    match = _HOUSE_NUMBER.fullmatch(value)
    if match is None or int(match.group(1)) == 0:
        raise InvalidValue(f"house number {_quote(value)} is not a number (like 12, or 12A with its addition)")
    return str(int(match.group(1))), match.group(2).upper() if match.group(2) else None


def check_addition(raw: str) -> str | None:
    value = _text(raw)
    if not value:
        return None
    if not _ADDITION.fullmatch(value):
        raise InvalidValue(f"house number addition {_quote(value)} is not valid (like A, 2, bis or 3-hoog)")
    return value.upper() if len(value) <= 2 else value


def check_postcode(raw: str) -> str | None:
    """Stored as PostNL writes it: "1234 AB"."""
    value = _text(raw)
    if not value:
        return None
    match = _POSTCODE.fullmatch(value.upper())
    if match is None or match.group(2) in ("SA", "SD", "SS"):
        raise InvalidValue(f"postcode {_quote(value)} is not a Dutch postcode (write it like 1234 AB)")
    return f"{match.group(1)} {match.group(2)}"


def check_municipality(raw: str) -> str | None:
    """A CBS code ("GM0363", or "0363") stored as GM + four digits; otherwise the name."""
    value = _text(raw)
    if not value:
        return None
    code = _CBS_CODE.fullmatch(value)
    if code is not None:
        return f"GM{code.group(1)}"
    if not any(ch.isalpha() for ch in value):
        raise InvalidValue(f"municipality {_quote(value)} is neither a CBS code (like GM0363) nor a name")
    return _free_text(value, "municipality", MAX_PLACE_LENGTH)


def check_email(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_EMAIL_LENGTH:
        raise InvalidValue(f"the e-mail address is {len(value)} characters long (at most {MAX_EMAIL_LENGTH})")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidValue(f"{_quote(value)} is not a valid e-mail address ({exc})") from None


def check_date(raw: str, what: str) -> date | None:
    """2026-12-31 or 31-12-2026 (also with / or .); a two-digit year is refused, it is ambiguous."""
    value = raw.strip()
    if not value:
        return None
    for pattern, order in _DATE_FORMATS:
        match = pattern.fullmatch(value)
        if match is not None:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise InvalidValue(f"{what} {_quote(value)} is not a date that exists") from None
    raise InvalidValue(f"{what} {_quote(value)} is not a date (write it like 31-12-2026 or 2026-12-31)")


def check_payment_method(raw: str) -> PaymentMethod | None:
    value = _text(raw)
    if not value:
        return None
    method = parse_payment_method(value)
    if method is None:
        raise InvalidValue(f"payment method {_quote(value)} is not known (use {accepted_spellings()})")
    return method


def check_mandate_id(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_MANDATE_ID_LENGTH:
        raise InvalidValue(f"mandate id {_quote(value)} is {len(value)} characters long "
                           f"(SEPA allows {MAX_MANDATE_ID_LENGTH})")
    if not _MANDATE_ID.fullmatch(value):
        raise InvalidValue(f"mandate id {_quote(value)} holds characters SEPA does not allow "
                           "(letters, digits and / - ? : ( ) . , ' + only)")
    return value


def check_pre_notification_days(raw: str) -> int | None:
    value = raw.strip()
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", value) or not 1 <= int(value) <= MAX_PRE_NOTIFICATION_DAYS:
        raise InvalidValue(f"pre-notification {_quote(value)} is not a number of days from 1 to "
                           f"{MAX_PRE_NOTIFICATION_DAYS}")
    return int(value)


def street_line(street: str | None, number: str | None, addition: str | None) -> str | None:
    """"Kerkstraat 12 A" as letters and the Wgs signal print it; None without a street."""
    if not street:
        return None
    return " ".join(part for part in (street, number or "", addition or "") if part)
