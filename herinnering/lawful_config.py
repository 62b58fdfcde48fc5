"""The `[lawful]` section of the configuration: what the law leaves to the landlord and the
municipality — VAT on collection costs, the municipalities' early-warning windows, which message
kinds may speak of costs, and the readability bar for Dutch texts. `config.py` calls
`parse_lawful`; a wrong value stops start-up with a message naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herinnering.domain.legal.early_warning import Window
from herinnering.errors import ConfigError

DEFAULT_WINDOW = Window(days=30)


@dataclass(frozen=True)
class LawfulSettings:
    # VAT on collection costs: only when the landlord buys collection work from others and cannot
    # deduct the VAT on it. A corporation collecting its own rent pays no VAT on that work: 0.
    vat_percent: int = 0
    default_window: Window = DEFAULT_WINDOW     # a municipality without its own table
    windows: Mapping[str, Window] = field(default_factory=dict)  # municipality (lower case) → window
    costs_allowed_in: tuple[str, ...] = ("veertiendagenbrief",)   # kinds that may name costs or a bailiff
    readability_min: float = 60.0               # Flesch–Douma score a Dutch text must reach (about B1)
    letter_kinds: tuple[str, ...] = ("veertiendagenbrief", "written_reminder")
    letter_minimum_cents: int = 5_000           # no 14-day letter for a case total below this
    payment_iban: str = ""                      # the account letters ask tenants to pay into
    contact_name: str = ""                      # the named person letters give to reach
    contact_phone: str = ""                     # that person's number (empty: the organisation's)
    objection_days: int = 14                    # after the written offer is received, before any signal
    signal_minimum_months: float = 1.0          # no Wgs signal below this many months' rent open

    def window(self, municipality: str | None) -> Window:
        return self.windows.get((municipality or "").strip().lower(), self.default_window)


def _number(table: Mapping[str, Any], key: str, path: str, low: float, high: float) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{path}.{key}: {value!r} is not a number from {low:g} to {high:g}")
    return value


def _window(table: Any, path: str) -> Window:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: a table with days, amount_eur and/or both")
    unknown = sorted(set(table) - {"days", "amount_eur", "both"})
    if unknown:
        raise ConfigError(f"unknown setting {path}.{unknown[0]}; known: days, amount_eur, both")
    days = _number(table, "days", path, 0, 365)
    amount = _number(table, "amount_eur", path, 0, 1_000_000)
    both = table.get("both", False)
    if not isinstance(both, bool):
        raise ConfigError(f"{path}.both: {both!r} is not true or false")
    return Window(days=None if days is None else int(days),
                  amount_cents=None if amount is None else round(amount * 100), both=both)


def _words(table: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"lawful.{key}: {value!r} is not a list of names")
    return tuple(value)


def parse_lawful(table: Mapping[str, Any] | None) -> LawfulSettings:
    table = dict(table or {})
    known = {"vat_percent", "window", "municipalities", "costs_allowed_in", "readability_min", "letter_kinds",
             "letter_minimum_eur", "payment_iban", "contact_name", "contact_phone", "objection_days",
             "signal_minimum_months"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown setting lawful.{unknown[0]}; known keys in [lawful]: {', '.join(sorted(known))}")
    vat = _number(table, "vat_percent", "lawful", 0, 100) or 0
    if vat not in (0, 9, 21):
        raise ConfigError(f"lawful.vat_percent: {vat!r} is not a Dutch VAT rate (0, or 21 when you pay VAT you "
                          "cannot deduct on collection work bought from others)")
    texts = {}
    for key in ("payment_iban", "contact_name", "contact_phone"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"lawful.{key}: {value!r} is not text")
        texts[key] = value.strip()
    iban = texts["payment_iban"].replace(" ", "").upper()
    if iban and not (len(iban) >= 15 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        raise ConfigError(f"lawful.payment_iban: {texts['payment_iban']!r} is not an IBAN")
    minimum = _number(table, "letter_minimum_eur", "lawful", 0, 100_000)
    objection = _number(table, "objection_days", "lawful", 0, 90)
    months = _number(table, "signal_minimum_months", "lawful", 0, 24)
    municipalities = table.get("municipalities", {})
    if not isinstance(municipalities, Mapping):
        raise ConfigError("lawful.municipalities: a table of [lawful.municipalities.<name>] tables")
    return LawfulSettings(
        vat_percent=int(vat),
        default_window=_window(table.get("window", {"days": 30}), "lawful.window"),
        windows={name.strip().lower(): _window(value, f"lawful.municipalities.{name}")
                 for name, value in municipalities.items()},
        costs_allowed_in=_words(table, "costs_allowed_in", ("veertiendagenbrief",)),
        readability_min=float(_number(table, "readability_min", "lawful", -100, 206) or 0.0),
        letter_kinds=_words(table, "letter_kinds", ("veertiendagenbrief", "written_reminder")),
        letter_minimum_cents=5_000 if minimum is None else round(minimum * 100),
        payment_iban=iban, contact_name=texts["contact_name"], contact_phone=texts["contact_phone"],
        objection_days=14 if objection is None else int(objection),
        signal_minimum_months=1.0 if months is None else float(months),
    )


LAWFUL_DEFAULTS = LawfulSettings()
