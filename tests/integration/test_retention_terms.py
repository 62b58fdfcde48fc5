"""Retention per kind of data (issue 11, item 6) through the purge service, on SQLite and
PostgreSQL: after the message term the messages of an ended contract go, but the proof of the
early-warning steps, the letters and the WhatsApp consent stay until their own (7-year) term;
then the tenant goes too. Old export files in the configured folder go after their term."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from herinnering.adapters.db.collection_tables import mvi_steps
from herinnering.adapters.db.tables import tenants
from herinnering.services.legal.proof import build
from herinnering.services.privacy import privacy
from tests.integration.collection_helpers import posted_letter, rows
from tests.integration.test_lawful import ladder_done_but_no_call
from tests.integration.test_privacy import count_rows_of

ENDED = date(2027, 1, 31)
PROOF = {"arrears_cases", "case_months", "letters", "whatsapp_consents"}  # the kept tables with a tenant_id column
ADMINISTRATION = {"payment_links"}  # what this tenant was asked to pay: kept for the fiscal duty


async def test_messages_go_after_their_term_and_the_proof_after_its_own(
    runtime: Any, make_tenant: Any, fake_twilio: Any, tmp_path: Path,
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    runtime.settings = replace(runtime.settings, privacy=replace(runtime.settings.privacy, exports_dir=str(exports)))
    with_case = await ladder_done_but_no_call(runtime, make_tenant, channel="whatsapp")
    await posted_letter(runtime, with_case, "veertiendagenbrief")
    bundle = await build(runtime, with_case, None)  # the proof bundle shows the consent the WhatsApp messages went under
    assert "Toestemming voor WhatsApp" in bundle.html and "via import" in bundle.html
    assert "Geen reclame" in bundle.html
    plain = await make_tenant(name="Bram Bakker")
    for someone in (with_case, plain):
        await privacy.end_contract(runtime, someone.external_id, ENDED)
    assert {"messages", "events"} | PROOF <= set(await count_rows_of(runtime, with_case.id))
    steps = len(await rows(runtime, mvi_steps))
    assert steps >= 3

    runtime.clock.set(datetime(2029, 3, 1, 9, tzinfo=UTC))  # 25 months after the end: past the message term only
    old_export, new_export = exports / "wgs-2029-01.csv", exports / "wgs-2029-02.csv"
    for path in (old_export, new_export):
        path.write_text("name;amount\n", encoding="utf-8")
    moment = runtime.clock.now().timestamp()
    os.utime(old_export, (moment - 31 * 86_400, moment - 31 * 86_400))
    os.utime(new_export, (moment - 29 * 86_400, moment - 29 * 86_400))
    report = await privacy.purge(runtime)
    assert (report.tenants, report.kept_for_proof, report.exports) == (1, 1, 1)
    assert report.rows["messages"] >= 2 and "letters" not in report.rows and "mvi_steps" not in report.rows
    assert set(await count_rows_of(runtime, with_case.id)) == PROOF | ADMINISTRATION  # messages, events … gone
    assert len(await rows(runtime, mvi_steps)) == steps
    assert await count_rows_of(runtime, plain.id) == {}
    assert [t.id for t in await rows(runtime, tenants)] == [with_case.id]
    assert sorted(p.name for p in exports.iterdir()) == [new_export.name]

    again = await privacy.purge(runtime)  # a monthly run changes nothing more
    assert (again.tenants, again.kept_for_proof, again.rows) == (0, 1, {})

    runtime.clock.set(datetime(2034, 3, 1, 9, tzinfo=UTC))  # past the 7 years of the proof and the consent
    final = await privacy.purge(runtime)
    assert (final.tenants, final.kept_for_proof) == (1, 0)
    assert final.rows["letters"] == 2 and final.rows["mvi_steps"] == steps and final.rows["tenants"] == 1
    assert await count_rows_of(runtime, with_case.id) == {} and await rows(runtime, mvi_steps) == []
