"""Privacy on SQLite and PostgreSQL: a tenant's full data exported (right of access), tenants
past retention purged from every table with only anonymous counts left, the audit log kept
without the link, and the commands as an operator runs them."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from herinnering.adapters.db.conversation_tables import audit_log, threads
from herinnering.adapters.db.schema import metadata
from herinnering.adapters.db.security_tables import retention_aggregates
from herinnering.domain.reminders.planning import Period
from herinnering.services.conversations import threads as thread_service
from herinnering.services.conversations.threads import Officer
from herinnering.services.payments.intake import intake_api
from herinnering.services.privacy import privacy, users
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.conversations import rows, tenant_writes, thread_of
from tests.integration.helpers import wait_for_states
from tests.integration.test_cli import HEADER, herinnering

SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the December reminders of collection day 1


async def a_month_of_history(runtime: Any, fake_twilio: Any, tenants: list[Any]) -> None:
    """Each tenant gets a reminder, writes back, and has a payment result for December."""
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w").run_until_idle()
    await wait_for_states(runtime.db, {"delivered"})
    for n, tenant in enumerate(tenants):
        await tenant_writes(runtime, fake_twilio, tenant.phone, f"Ik betaal volgende week, groet {tenant.name}")
        await intake_api(runtime.db, runtime.settings, runtime.clock, {
            "id": f"erp-{n}", "contract_id": tenant.external_id, "period": "2026-12", "type": "payment",
            "amount_cents": tenant.monthly_rent_cents})


async def count_rows_of(runtime: Any, tenant_id: int) -> dict[str, int]:
    """Rows in every table that has a tenant_id column, for this tenant."""
    found = {}
    async with runtime.db.begin() as connection:
        for table in metadata.sorted_tables:
            if "tenant_id" in table.c:
                n = (await connection.execute(select(func.count()).select_from(table)
                                              .where(table.c.tenant_id == tenant_id))).scalar_one()
                if n:
                    found[table.name] = n
    return found


async def test_export_gives_every_row_of_one_tenant_and_nothing_of_another(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    anna, bram = await make_tenant(name="Anna de Vries"), await make_tenant(name="Bram Bakker")
    await a_month_of_history(runtime, fake_twilio, [anna, bram])
    data = await privacy.export_tenant(runtime, anna.external_id)
    assert data["tenant"]["phone"] == anna.phone and data["tenant"]["name"] == "Anna de Vries"
    tables = data["tables"]
    for name in ("messages", "events", "threads", "thread_messages", "payment_periods", "payment_transactions"):
        assert tables.get(name), name
    [reminder] = [m for m in tables["messages"] if m["kind"] == "pre_debit"]
    assert reminder["state"] == "delivered" and "Anna" in reminder["body"]
    assert any("Ik betaal volgende week" in m["body"] for m in tables["thread_messages"])
    text = json.dumps(data)  # ready for JSON as it is
    assert bram.phone not in text and "Bram Bakker" not in text
    assert all(row["tenant_id"] == anna.id for rows_ in tables.values() for row in rows_ if "tenant_id" in row)
    assert (await privacy.export_tenant(runtime, str(anna.id)))["tenant"]["id"] == anna.id


async def test_purge_removes_tenants_past_retention_from_every_table_and_keeps_anonymous_counts(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    # every term 24 months here, the administration's too (its own 7 years: test_administration_retention.py)
    runtime.settings = replace(runtime.settings, privacy=replace(runtime.settings.privacy,
                                                                 administration_retention_months=24))
    gone, recent, living = [await make_tenant(name=n) for n in ("Anna de Vries", "Bram Bakker", "Carla Jansen")]
    start = runtime.clock.now()
    runtime.clock.set(datetime(2024, 5, 2, 10, tzinfo=UTC))
    await tenant_writes(runtime, fake_twilio, "+31699999901", "Wie is dit?")  # a number of no tenant, long ago
    runtime.clock.set(start)
    await a_month_of_history(runtime, fake_twilio, [gone, recent, living])
    await tenant_writes(runtime, fake_twilio, "+31699999902", "Hallo?")  # ... and one of today
    user_id = await users.add_user(runtime, "anna.officer@delinde.nl", "correct horse battery", "officer")
    officer = Officer(user_id, "anna.officer@delinde.nl", "Anna", "officer")
    await thread_service.take_over(runtime, (await thread_of(runtime.db, gone.id)).id, officer)
    await privacy.end_contract(runtime, gone.external_id, date(2024, 10, 31))  # 25 months before now
    await privacy.end_contract(runtime, recent.external_id, date(2025, 6, 30))  # 17 months: kept
    before = {t.id: await count_rows_of(runtime, t.id) for t in (recent, living)}
    assert {"messages", "threads", "payment_periods", "events"} <= set(await count_rows_of(runtime, gone.id))

    dry = await privacy.purge(runtime, 24, dry_run=True)
    assert (dry.tenants, dry.rows) == (1, {}) and await count_rows_of(runtime, gone.id)

    report = await privacy.purge(runtime, 24)
    assert report.cutoff == date(2024, 11, 28) and report.tenants == 1
    assert report.rows["tenants"] == 1 and report.rows["messages"] >= 2 and report.rows["thread_messages"] >= 1
    assert await count_rows_of(runtime, gone.id) == {}
    assert {t.id: await count_rows_of(runtime, t.id) for t in (recent, living)} == before
    assert [t.phone for t in await rows(runtime.db, threads, threads.c.tenant_id.is_(None))] == ["+31699999902"]
    counts = {(a.month, a.source, a.kind, a.state): a.count for a in await rows(runtime.db, retention_aggregates)}
    assert counts[("2026-11", "messages", "pre_debit", "delivered")] == 1
    assert counts[("2026-12", "payment_periods", "rent", "paid")] == 1
    assert counts[("2024-10", "tenants", "contract_ended", "nl")] == 1
    [take_over] = await rows(runtime.db, audit_log, audit_log.c.action == "take_over")
    assert (take_over.tenant_id, take_over.thread_id, take_over.user_email) == (None, None, "anna.officer@delinde.nl")

    again = await privacy.purge(runtime, 24)
    assert again.tenants == 0
    assert {(a.month, a.source, a.kind, a.state): a.count for a in await rows(runtime.db, retention_aggregates)} == counts


def test_the_privacy_commands_as_an_operator_runs_them(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.csv"
    tenants.write_text(HEADER + 'HC-1,Anna de Vries,0612345678,sms,nl,"700,00",5,\n'
                                'HC-2,Bram Bakker,0687654321,sms,nl,"650,00",6,\n')
    assert herinnering("import", str(tenants), cwd=tmp_path).returncode == 0
    exported = herinnering("export-tenant", "HC-1", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["tenant"]["phone"] == "+31612345678" and data["tables"]["events"]
    assert herinnering("end-contract", "HC-1", "--on", "2024-06-30", cwd=tmp_path).returncode == 0
    dry = herinnering("purge", "--older-than", "2y", "--dry-run", "--now", "2026-11-27T12:00", cwd=tmp_path)
    assert "would remove 1 tenants" in dry.stdout, dry.stdout + dry.stderr
    purged = herinnering("purge", "--older-than", "24m", "--now", "2026-11-27T12:00", cwd=tmp_path)
    assert purged.returncode == 0 and "removed 1 tenants" in purged.stdout, purged.stdout + purged.stderr
    missing = herinnering("export-tenant", "HC-1", cwd=tmp_path)
    assert missing.returncode == 2 and "no tenant" in missing.stderr
    assert herinnering("purge", "--older-than", "soon", cwd=tmp_path).returncode == 2

    created = herinnering("token", "create", "erp", cwd=tmp_path)
    token = created.stdout.strip()
    assert created.returncode == 0 and token.startswith("hrn_") and "not kept" in created.stderr
    listed = herinnering("token", "list", cwd=tmp_path)
    assert "erp" in listed.stdout and token not in listed.stdout

    with sqlite3.connect(tmp_path / "herinnering.db") as db:
        actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
        assert token not in repr(list(db.execute("SELECT * FROM api_tokens")))
    assert actions == ["cli import", "tenant_exported", "contract_ended", "purge", "api_token_created"]


def test_a_full_demo_logged_at_debug_in_json_holds_no_phone_number_or_name_of_any_sample_tenant(
    tmp_path: Path,
) -> None:
    result = herinnering("demo", "--once", "--port", "0", "--now", "2026-11-27T09:00", cwd=tmp_path,
                         env={"HERINNERING_LOGGING__LEVEL": "DEBUG", "HERINNERING_LOGGING__FORMAT": "json"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]  # every line is JSON
    assert len(lines) > 200 and {"time", "level", "logger", "message"} <= set(lines[0])
    assert {"twilio.http_client", "aiohttp.access"} & {line["logger"] for line in lines}  # the libraries too
    logs = result.stderr
    digits_only = re.sub(r"[\s\-]", "", logs)
    with (Path(__file__).parents[2] / "config" / "sample-tenants.csv").open(encoding="utf-8-sig") as handle:
        sample = list(csv.DictReader(handle))
    assert len(sample) == 50
    for tenant in sample:
        national = re.sub(r"\D", "", tenant["phone"])[-9:]  # 6xxxxxxxx: in +316…, 06…, 00316…, %2B316…
        assert national not in digits_only, tenant["contract_id"]
        assert tenant["name"] not in logs and tenant["name"].lower() not in logs.lower(), tenant["contract_id"]
