"""The experiment commands as an operator types them (in-process, on a SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from herinnering.cli import main

CONFIG = """
[database]
url = "sqlite+aiosqlite:///{db}"

[experiments.pre_debit_wording]
title = "Herinnering vooraf: vriendelijke toon"
kind = "pre_debit"
status = "running"
start = 2027-01-01
stop = 2027-04-01
planned_sample_size = 9000
[experiments.pre_debit_wording.variants]
control = {{ template = "pre_debit", weight = 0.5 }}
kind = {{ template = "pre_debit_kind", weight = 0.5 }}
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("HERINNERING_CONFIG", "HERINNERING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "herinnering.toml"
    path.write_text(CONFIG.format(db=tmp_path / "herinnering.db"))
    return path


def test_list_and_report_show_the_experiment_and_write_the_charts(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--config", str(config), "experiment", "list"]) == 0
    listed = capsys.readouterr().out
    assert "pre_debit_wording" in listed and "pre_debit_kind" in listed and "missing" not in listed

    plots = tmp_path / "plots"
    assert main(["--config", str(config), "experiment", "report", "pre_debit_wording", "--plots", str(plots)]) == 0
    report = capsys.readouterr().out
    assert "Nog geen conclusie" in report and "betaald op de incassodag" in report
    assert "Tussenstand: 0 van de geplande 9.000 huurders" in report
    assert "officer_reply_share: nog niet beschikbaar" in report
    for name in ("pre_debit_wording-uplift.png", "pre_debit_wording-cumulative-kind.png"):
        assert (plots / name).read_bytes().startswith(b"\x89PNG")


def test_an_unknown_experiment_is_named_with_the_known_ones(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "experiment", "report", "nope"]) == 2
    assert "no experiment 'nope'" in capsys.readouterr().err


def test_simulate_prints_the_report_and_the_false_positive_rate(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--config", str(config), "experiment", "simulate", "--tenants", "300", "--uplift", "0",
                 "--runs", "40", "--break-tenants", "100", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Gesimuleerd: 300 huurders" in out and "Verdeling:" in out
    assert "A/A read daily for 30 days" in out and "sequential interval (default)" in out
    assert "before: message as unit" in out
    assert not (config.parent / "herinnering.db").exists()  # the configured database is never touched
