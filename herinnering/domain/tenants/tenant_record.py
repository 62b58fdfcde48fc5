"""A tenant as the import file describes it, and the rules and results of reading that file.

`TenantRecord` is one tenant with every value checked and normalised, as the rest of herinnering
sees it; `RowError` is one problem naming line and column; `ImportRules` is what the corporation
allows (from the configuration); `ParsedFile` is what `tenant_csv.parse_tenant_csv` returns.
`COLUMNS` are the file's columns, one per value of the record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import phonenumbers

from herinnering.domain.payments.methods import DEFAULT as DEFAULT_PAYMENT_METHOD

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
