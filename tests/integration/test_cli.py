"""The commands as an operator runs them: real processes, real files, the embedded default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HEADER = "contract_id,name,phone,channel,language,monthly_rent,collection_day,iban\n"


def herinnering(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HERINNERING_", "TWILIO_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "herinnering", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, timeout=timeout,
    )


def test_import_reports_each_bad_line_and_exits_non_zero(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.csv"
    tenants.write_bytes((HEADER + (
        'HC-1,Anna de Vries,0612345678,sms,nl,"700,00",5,\n'
        'HC-2,Bram Bakker,0687654321,sms,nl,"650,00",26,\n'
    )).encode())
    result = herinnering("import", str(tenants), cwd=tmp_path)
    assert result.returncode == 1
    assert "tenants.csv, line 3, collection_day" in result.stderr
    assert "1 new" in result.stdout
    assert (tmp_path / "herinnering.db").exists()

    dry = herinnering("import", "--dry-run", str(tenants), cwd=tmp_path)
    assert "dry run: nothing stored" in dry.stdout


def test_a_wrong_setting_stops_the_command_with_the_key_named(tmp_path: Path) -> None:
    result = herinnering("plan", "--month", "2026-12", cwd=tmp_path, env={"HERINNERING_REMINDERS__LEAD_DAYS": "40"})
    assert result.returncode == 2
    assert "reminders.lead_days" in result.stderr and "1 to 28" in result.stderr


def test_plan_prints_each_tenants_debit_date_and_send_moment(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.csv"
    tenants.write_text(HEADER + 'HC-1,Anna de Vries,0612345678,sms,nl,"700,00",25,\n')
    assert herinnering("import", str(tenants), cwd=tmp_path).returncode == 0
    result = herinnering("plan", "--month", "2026-12", "--now", "2026-11-27T12:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # collection day 25 (Christmas, no settlement) -> debit Mon 28 Dec; reminder 25 Dec is a holiday -> 24 Dec
    assert "Mon 28-12-2026" in result.stdout and "Thu 24-12-2026 10:00" in result.stdout


def test_the_demo_delivers_reminders_through_the_fake_twilio_server(tmp_path: Path) -> None:
    result = herinnering("demo", "--once", "--port", "0", "--now", "2026-11-27T09:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Imported 50 new" in result.stdout
    assert "Summary" in result.stdout
    rows = {cells[0]: cells[1:] for line in result.stdout.splitlines()
            if (cells := [c.strip() for c in line.strip("│ ").split("│")])[0] in ("sms", "whatsapp")}
    accepted, delivered, failed = (int(rows["sms"][i]) for i in range(3))
    assert delivered >= 1, result.stdout
    assert failed == 2  # the two sample numbers the demo's fake network does not deliver to
    assert accepted == delivered + 1  # 21610 is refused at once; 30003 is accepted, then undelivered
    assert "Hallo " in result.stdout  # a Dutch message text is shown
    login = re.search(r"Log in at http://\S+/login as (\S+) with password (\S+)", result.stdout)
    assert login, result.stdout  # every page needs a login: the demo says how
    check = ("import asyncio, sys\n"
             "from herinnering.bootstrap import open_runtime\nfrom herinnering.clock import SystemClock\n"
             "from herinnering.config import load_settings\nfrom herinnering.services.privacy.users import log_in\n"
             "async def main():\n"
             "    settings = load_settings(environ={}).with_database(sys.argv[1])\n"
             "    async with open_runtime(settings, SystemClock(), with_sender=False) as rt:\n"
             "        print((await log_in(rt, sys.argv[2], sys.argv[3])).officer.role)\n"
             "asyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", check, f"sqlite+aiosqlite:///{tmp_path / 'herinnering-demo.db'}",
                           login.group(1), login.group(2)], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "teamlead", done.stderr
