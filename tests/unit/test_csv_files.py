"""No cell of a CSV herinnering writes can run as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from herinnering.adapters.csv_files import SafeDictWriter, SafeWriter, safe_cell
from herinnering.services.changes import csv_text


@pytest.mark.parametrize("text", ["=1+1", "+31612345678", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("https://evil.example","x")'])
def test_a_text_that_would_run_as_a_formula_is_written_as_text(text: str) -> None:
    assert safe_cell(text) == "'" + text
    out = io.StringIO()
    SafeWriter(out).writerow([text, 42])
    SafeDictWriter(out, fieldnames=["a"]).writerow({"a": text})
    assert [row[0] for row in csv.reader(io.StringIO(out.getvalue()))] == ["'" + text, "'" + text]


@pytest.mark.parametrize("value", ["Anna de Vries", "745.50", "", 42, -5, None, "a=b"])
def test_other_cells_are_written_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_the_change_feed_csv_escapes_every_cell() -> None:
    text = csv_text([{"id": "=1", "cursor": 1, "kind": "@kind", "contract_id": "+HC", "occurred_at": "2026-12-01",
                      "data": {}}])
    [_, row] = list(csv.reader(io.StringIO(text)))
    assert row[:4] == ["'=1", "1", "'@kind", "'+HC"]
