"""`[lawful]`: what the law leaves to the landlord and the municipality — VAT on collection
costs, the municipalities' early-warning windows, which message kinds may speak of costs, the
readability bar for Dutch texts, and what letters say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.legal.early_warning import Window


@dataclass(frozen=True)
class LawfulSettings:
    # VAT on collection costs: only when the landlord buys collection work from others and cannot
    # deduct the VAT on it. A corporation collecting its own rent pays no VAT on that work: 0.
    vat_percent: int
    default_window: Window              # a municipality without its own table
    windows: Mapping[str, Window]       # municipality (lower case) → window
    costs_allowed_in: tuple[str, ...]   # kinds that may name costs or a bailiff
    readability_min: float              # Flesch–Douma score a Dutch text must reach (about B1)
    letter_kinds: tuple[str, ...]
    letter_minimum_cents: int           # no 14-day letter for a case total below this
    payment_iban: str                   # the account letters ask tenants to pay into
    contact_name: str                   # the named person letters give to reach
    contact_phone: str                  # that person's number (empty: the organisation's)
    objection_days: int                 # after the written offer is received, before any signal
    signal_minimum_months: float        # no Wgs signal below this many months' rent open

    def window(self, municipality: str | None) -> Window:
        return self.windows.get((municipality or "").strip().lower(), self.default_window)


def parse(s: Section) -> LawfulSettings:
    vat = s.integer("vat_percent", 0, 100)
    if vat not in (0, 9, 21):
        raise s.error("vat_percent", f"{vat!r} is not a Dutch VAT rate (0, or 21 when you pay VAT you cannot "
                                     "deduct on collection work bought from others)")
    raw_iban = s.text("payment_iban", allow_empty=True)
    iban = raw_iban.replace(" ", "").upper()
    if iban and not (len(iban) >= 15 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        raise s.fail("payment_iban", raw_iban, "an IBAN such as NL91ABNA0417164300, or \"\"")
    return LawfulSettings(
        vat_percent=vat,
        default_window=_window(s.table("window")),
        windows={name.strip().lower(): _window(table) for name, table in s.tables("municipalities").items()},
        costs_allowed_in=s.string_list("costs_allowed_in", allow_empty=True),
        readability_min=s.number("readability_min", -100, 206),
        letter_kinds=s.string_list("letter_kinds", allow_empty=True),
        letter_minimum_cents=round(s.number("letter_minimum_eur", 0, 100_000) * 100),
        payment_iban=iban, contact_name=s.text("contact_name", allow_empty=True),
        contact_phone=s.text("contact_phone", allow_empty=True),
        objection_days=s.integer("objection_days", 0, 90),
        signal_minimum_months=s.number("signal_minimum_months", 0, 24),
    )


def _window(s: Section) -> Window:
    """Days in arrears and/or an amount; each may be left out (then it is no criterion)."""
    days = s.integer("days", 0, 365) if s.has("days") else None
    amount = s.number("amount_eur", 0, 1_000_000) if s.has("amount_eur") else None
    both = s.flag("both") if s.has("both") else False
    s.reject_unknown()
    return Window(days=days, amount_cents=None if amount is None else round(amount * 100), both=both)
