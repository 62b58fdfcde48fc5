"""The payments commands as an operator runs them: real processes, real files."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import herinnering


def test_a_bad_payment_file_is_refused_with_its_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "erp.csv"
    bad.write_text("contract_id,period,amount_due,amount_paid\nHC-100101,2026-12,abc,0\n")
    result = herinnering("payments", "import", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert "line 2, amount_due: 'abc' is not an amount" in result.stderr and "nothing imported" in result.stderr


def test_a_link_for_an_unknown_tenant_names_the_contract(tmp_path: Path) -> None:
    result = herinnering("payments", "link", "--tenant", "HC-404", "--period", "2026-12", cwd=tmp_path)
    assert result.returncode == 2 and "no tenant with contract id 'HC-404'" in result.stderr
