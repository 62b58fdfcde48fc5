"""The commands of tenant-centred collection as an operator runs them (SQLite in a temp dir)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from herinnering.resources import config_dir
from tests.integration.test_cli import herinnering


def test_a_bank_file_with_am04_becomes_a_pain008_and_the_ladder_says_why(tmp_path: Path) -> None:
    assert herinnering("import", str(config_dir() / "sample-tenants.csv"), cwd=tmp_path).returncode == 0
    imported = herinnering("payments", "import", str(config_dir() / "samples" / "camt053-returns.xml"),
                           "--now", "2026-12-29T08:00", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    ladder = herinnering("ladder", "--tenant", "HC-100101", "--now", "2026-12-29T09:00", cwd=tmp_path)
    assert "Terugboeking: AM04 onvoldoende saldo" in ladder.stdout and "opnieuw incasseren" in ladder.stdout
    assert "Nieuwe incasso op 12-01-2027" in ladder.stdout  # announced 29-12, 14 days ahead ([returns])
    out = tmp_path / "batch.xml"
    export = herinnering("recollect", "export", "--date", "2027-01-12", "--out", str(out),
                         "--now", "2027-01-04T10:00", cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert "1 re-collection(s), € 656,36" in export.stdout
    root = etree.fromstring(out.read_bytes())
    assert etree.QName(root).namespace == "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"
    again = herinnering("recollect", "export", "--date", "2027-01-12", "--out", str(out), cwd=tmp_path)
    assert "No re-collections" in again.stdout


def test_a_wrong_date_is_named(tmp_path: Path) -> None:
    result = herinnering("recollect", "export", "--date", "8-1-2027", "--out", "x.xml", cwd=tmp_path)
    assert result.returncode != 0 and "--date: '8-1-2027'" in result.stderr
