"""Every CSV file herinnering writes goes through here, so no cell can run as a formula.

A spreadsheet treats a cell that begins with = + - @ (or a tab or carriage return before one)
as a formula: a tenant's name such as `=HYPERLINK("https://evil.example","klik")` in a file for
the municipality would become a live link (OWASP "CSV injection"). Such a text cell gets a
leading apostrophe, which spreadsheets show as plain text; numbers are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write: a text that a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose every cell passes `safe_cell`."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """`csv.DictWriter` whose every cell (the header too) passes `safe_cell`."""

    def writeheader(self) -> Any:
        return super().writerow({name: safe_cell(name) for name in self.fieldnames})

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})
