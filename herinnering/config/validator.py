"""The one validator: typed access to one table of the configuration.

Every section module reads its keys through a `Section`, so every wrong value stops start-up
with the same kind of message: `<section>.<key>: <value> is not allowed; expected <what is>`.
A key the defaults (config/default.toml) do not carry is missing, not silently defaulted; a key
nobody read is unknown. Nested tables (`lawful.municipalities.Utrecht`, `ladder.steps[2]`) are
sections too, named by their whole path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herinnering.domain.reminders.planning import SendWindow
from herinnering.errors import ConfigError


def _show(number: float) -> str:
    """1000 rather than 1e+03 or 1000.0."""
    return str(int(number)) if float(number).is_integer() else str(number)


class Section:
    """One table of settings, named by its path; records which keys were read."""

    def __init__(self, name: str, table: Any) -> None:
        if not isinstance(table, Mapping):
            raise ConfigError(f"{name}: {table!r} is not allowed; expected a table of settings ([{name}])")
        self.name, self.values, self.used = name, table, set[str]()

    @classmethod
    def of(cls, data: Mapping[str, Any], name: str) -> Section:
        return cls(name, data.get(name, {}))

    # -- raw access and messages ------------------------------------------------------------
    def has(self, key: str) -> bool:
        self.used.add(key)
        return key in self.values

    def get(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.values:
            raise ConfigError(f"{self.name}.{key} is missing; add it to [{self.name}] (config/default.toml has them all)")
        return self.values[key]

    def fail(self, key: str, value: Any, allowed: str) -> ConfigError:
        return ConfigError(f"{self.name}.{key}: {value!r} is not allowed; expected {allowed}")

    def error(self, key: str, why: str) -> ConfigError:
        """A message naming the key, for rules that span several values."""
        return ConfigError(f"{self.name}.{key}: {why}" if key else f"{self.name}: {why}")

    # -- typed values -----------------------------------------------------------------------
    def text(self, key: str, allow_empty: bool = False, max_length: int = 500) -> str:
        value = self.get(key)
        if not isinstance(value, str) or (not allow_empty and not value.strip()) or len(value) > max_length:
            kind = "a text" if allow_empty else "a non-empty text"
            raise self.fail(key, value, f"{kind} of at most {max_length} characters")
        return value.strip()

    def pattern(self, key: str, regex: str, allowed: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not re.fullmatch(regex, value):
            raise self.fail(key, value, allowed)
        return value

    def url(self, key: str) -> str:
        return self.pattern(key, r"https?://[^\s/]+(/[^\s]*)?", "an http(s) URL").rstrip("/")

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, value, f"a whole number from {low} to {high}")
        return value

    def number(self, key: str, low: float, high: float) -> float:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.fail(key, value, f"a number from {_show(low)} to {_show(high)}")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, value, "true or false")
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.get(key)
        if not isinstance(value, str) or value not in choices:
            raise self.fail(key, value, "one of " + ", ".join(choices))
        return value

    def string_list(self, key: str, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or (not value and not allow_empty) or not all(
                isinstance(v, str) and v.strip() for v in value):
            kind = "a list" if allow_empty else "a non-empty list"
            raise self.fail(key, value, f'{kind} of texts, e.g. ["nl", "en"]')
        return tuple(value)

    def timezone(self, key: str) -> ZoneInfo:
        value = self.get(key)
        try:
            if not isinstance(value, str):
                raise ValueError
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, value, 'an IANA time zone such as "Europe/Amsterdam"') from None

    def window(self, key: str) -> SendWindow:
        """A time window within one day, start before end."""
        value = self.get(key)
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value) if isinstance(
            value, str) else None
        try:
            if not match:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            window = SendWindow(start=time(h1, m1), end=time(h2, m2))
        except ValueError:
            raise self.fail(key, value, 'a window "HH:MM-HH:MM" within one day, start before end') from None
        if window.start >= window.end:
            raise self.error(key, f'{value!r}: the start must be before the end, e.g. "10:00-20:00"')
        return window

    def table(self, key: str) -> Section:
        """A nested table, as a section named `<this>.<key>`."""
        return Section(f"{self.name}.{key}", self.get(key))

    def tables(self, key: str) -> dict[str, Section]:
        """A table of tables (`[lawful.municipalities.<name>]`): name → section."""
        outer = self.table(key)
        outer.used.update(outer.values)
        return {str(name): Section(f"{outer.name}.{name}", inner) for name, inner in outer.values.items()}

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.values) - self.used)
        if unknown:
            raise ConfigError(f"unknown setting {self.name}.{unknown[0]}; known keys in [{self.name}]: "
                              f"{', '.join(sorted(self.used))}")
