"""Purge and export leave nothing out: the sandbox provider's payments go with the tenant's
links, and the audit log keeps what officers did without the tenant's contract id, phone or
name in a command's arguments (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.conversation_tables import audit_log
from herinnering.adapters.db.link_tables import sandbox_payments
from herinnering.adapters.payment_providers.sandbox import tenant_chose
from herinnering.services.payments.links import create_payment_link
from herinnering.services.privacy import privacy
from herinnering.services.privacy.audit import command_run


async def paid_sandbox_link(runtime: Any, tenant: Any) -> str:
    async with runtime.db.begin() as connection:
        link = await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period="2026-12",
                                         amount_cents=65636, now=runtime.clock.now())
        ref = f"sbx_{link.public_id}"
        await tenant_chose(connection, ref, pay=True, bank="ASN", amount_cents=65636, now=runtime.clock.now())
    return ref


async def test_export_includes_the_sandbox_payment_of_the_tenants_link(runtime: Any, make_tenant: Any) -> None:
    anna, bram = await make_tenant(), await make_tenant()
    ref = await paid_sandbox_link(runtime, anna)
    await paid_sandbox_link(runtime, bram)
    data = await privacy.export_tenant(runtime, anna.external_id)
    assert [row["ref"] for row in data["tables"]["sandbox_payments"]] == [ref]


async def test_purge_leaves_no_sandbox_payment_and_no_contract_id_in_the_audit_log(
    runtime: Any, make_tenant: Any,
) -> None:
    runtime.settings = replace(runtime.settings, privacy=replace(
        runtime.settings.privacy, administration_retention_months=24, proof_retention_months=24,
        consent_retention_months=24))
    gone, kept = await make_tenant(name="Anna de Vries"), await make_tenant(name="Bram Bakker")
    gone_ref, kept_ref = await paid_sandbox_link(runtime, gone), await paid_sandbox_link(runtime, kept)
    await command_run(runtime.settings, "pause", {"tenant": gone.external_id, "reason": f"belt {gone.phone}"}, 0)
    await command_run(runtime.settings, "pause", {"tenant": kept.external_id}, 0)
    await privacy.end_contract(runtime, gone.external_id, date(2024, 10, 31))

    report = await privacy.purge(runtime, 24)
    assert report.tenants == 1 and report.rows["sandbox_payments"] == 1
    async with runtime.db.begin() as connection:
        refs = set((await connection.execute(select(sandbox_payments.c.ref))).scalars())
        entries = [row.data for row in await connection.execute(select(audit_log).order_by(audit_log.c.id))]
    assert refs == {kept_ref} and gone_ref not in refs
    text = json.dumps(entries, ensure_ascii=False)
    assert gone.external_id not in text and gone.phone not in text
    assert kept.external_id in text  # only the purged tenant is blotted out
    assert entries[0]["arguments"]["tenant"] == "‹verwijderd›"
