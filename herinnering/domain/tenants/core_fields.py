"""Checks for the values every tenant row has: contract id, name, mobile number, channel,
language, monthly rent, collection day and IBAN (the rest of the record: `fields.py`).

Each takes the raw text of one field and returns the stored value, or raises `InvalidValue`
with a reason worded for the person who maintains the export; `tenant_csv` names line and
column. A rent is read the Dutch or the English way ("1.234,56", "1,234.56", "€ 845,-"); a
phone number must be a mobile one; an IBAN needs correct check digits. Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

import phonenumbers

from herinnering.domain.tenants.csv_file import quote
from herinnering.domain.tenants.fields import InvalidValue
from herinnering.domain.tenants.tenant_record import ImportRules

MAX_NAME_LENGTH = 200
MAX_RENT_CENTS = 100_000 * 100  # exclusive: nobody pays a monthly rent of 100.000 euros

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


def check_contract_id(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise InvalidValue("the contract id is missing")
    if _has_control_character(value):
        raise InvalidValue(f"contract id {quote(value)} contains a line break or control character")
    return value


def check_name(raw: str) -> str:
    """NFC and single spaces: a name goes into an SMS, where a stray line break looks broken."""
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value:
        raise InvalidValue("the name is missing")
    if _has_control_character(value):
        raise InvalidValue(f"name {quote(value)} contains a control character")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidValue(f"the name is {len(value)} characters long (at most {MAX_NAME_LENGTH})")
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


def check_phone(raw: str, region: str) -> str:
    value = raw.strip()
    if not value:
        raise InvalidValue("the phone number is missing")
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise InvalidValue(f"{quote(value)} is not a valid phone number")
    fast = _fast_mobile(value, region)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(f"{quote(value)} is not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(f"{quote(value)} is not a valid phone number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidValue(f"{quote(value)} is not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_channel(raw: str, default: str) -> str:
    value = raw.strip()
    if not value:
        return default
    channel = _CHANNEL_ALIASES.get(re.sub(r"[\s_\-]", "", value.casefold()))
    if channel is None:
        raise InvalidValue(f"channel {quote(value)} is not supported (use sms or whatsapp)")
    return channel


def check_language(raw: str, rules: ImportRules) -> str:
    value = unicodedata.normalize("NFC", raw.strip())
    if not value:
        return rules.default_language
    key = value.casefold()
    locale = re.fullmatch(r"([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*", key)
    code = locale.group(1) if locale else _LANGUAGE_NAMES.get(key)
    offered = ", ".join(rules.languages)
    if code is None:
        raise InvalidValue(f"{quote(value)} is not a known language (offered: {offered})")
    if code not in rules.languages:
        raise InvalidValue(f"language {quote(value)} is not offered (offered: {offered})")
    return code


def check_rent(raw: str) -> int:
    """Euros to cents with Decimal: "845,50", "1.234,56", "1,234.56", "€ 845,-" all work."""
    value = raw.strip()
    if not value:
        raise InvalidValue("the monthly rent is missing")
    compact = unicodedata.normalize("NFKC", value)
    compact = re.sub(r"€|\beuros?\b|\beur\b", "", compact, flags=re.IGNORECASE)
    compact = re.sub(r"\s+", "", compact)
    compact = re.sub(r"[,.]-{1,2}$", "", compact)  # "845,-" is Dutch for whole euros
    negative = compact.startswith("-")
    compact = compact.removeprefix("-")

    parts = _split_amount(compact)
    if parts is None:
        raise InvalidValue(f"{quote(value)} is not an amount in euros (write it like 845,50)")
    whole, fraction, grouped = parts
    if not grouped and len(fraction) == 3:
        raise InvalidValue(
            f"rent {quote(value)} is ambiguous (a thousands separator or 3 decimals?); "
            "write it like 1234,00"
        )
    if len(fraction) > 2:
        raise InvalidValue(f"rent {quote(value)} has more than 2 decimals")

    cents = int(Decimal(f"{whole}.{fraction or '0'}") * 100)
    if negative or cents <= 0:
        raise InvalidValue(f"rent {quote(value)} must be more than 0")
    if cents >= MAX_RENT_CENTS:
        raise InvalidValue(f"rent {quote(value)} is not below 100.000 euros")
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


def check_day(raw: str, allowed: frozenset[int]) -> int:
    value = raw.strip()
    if not value:
        raise InvalidValue("the collection day is missing")
    if not re.fullmatch(r"[0-9]+", value):
        raise InvalidValue(f"collection day {quote(value)} is not a whole number")
    day = int(value)
    if day not in allowed:
        raise InvalidValue(f"collection day {day} is not allowed (allowed: {_compact_days(allowed)})")
    return day


def check_iban(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    iban = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
    shown = quote(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        raise InvalidValue(f"{shown} is not a valid IBAN (it should look like NL91 ABNA 0417 1643 00)")
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise InvalidValue(
            f"{shown} is not a valid IBAN (a {iban[:2]} IBAN has {expected} characters, "
            f"this one has {len(iban)})"
        )
    if iban.startswith("NL") and not re.fullmatch(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}", iban):
        raise InvalidValue(f"{shown} is not a valid IBAN (it should look like NL91 ABNA 0417 1643 00)")
    if _iban_remainder(iban) != 1:
        raise InvalidValue(f"{shown} is not a valid IBAN (the check digits do not match; a typo?)")
    return iban


def _iban_remainder(iban: str) -> int:
    """ISO 13616 mod-97: move the first four characters to the end, letters become 10..35."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


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


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc


def _has_control_character(value: str) -> bool:
    return _CONTROL.search(value) is not None
