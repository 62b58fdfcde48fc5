"""The team lead's early-warning page over real HTTP: the at-risk tenants with their reasons,
each linked to their conversation, the segment plot; officers are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.services.tenants.segments import compute
from tests.integration.officer_browser import officer

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


async def test_the_view_lists_the_tenants_at_risk_with_a_link_to_their_thread_and_the_plot(
    runtime: Any, browser: Any, make_tenant: Any,
) -> None:
    returned, growing, fine = [await make_tenant(name=n) for n in ("Anna Terug", "Bram Groei", "Cor Goed")]
    rows = [(returned.id, "2026-11", 0, "returned", "AM04"), (growing.id, "2026-11", 100, "partly_paid", None),
            (growing.id, "2026-12", 0, "expected", None), (fine.id, "2026-11", 74550, "paid", None)]
    async with runtime.db.begin() as connection:
        await connection.execute(payment_periods.insert(), [
            {"tenant_id": t, "period": p, "amount_due_cents": 74550, "amount_paid_cents": paid, "status": s,
             "reason_code": code, "source": "camt", "created_at": NOW, "updated_at": NOW}
            for t, p, paid, s, code in rows])
    runtime.clock.set(NOW)
    await compute(runtime.db, runtime.settings, date(2026, 12, 10), NOW)
    lead = await officer(runtime, browser, "tl@delinde.nl", role="teamlead")
    status, html = await lead.get("/risico")
    assert status == 200
    assert "Anna Terug" in html and "terugboeking vorige maand (AM04)" in html
    assert "Bram Groei" in html and "achterstand groeit: 2 maanden open" in html
    assert "Cor Goed" not in html
    assert 'href="/inbox/threads/' in html and 'src="data:image/png;base64,' in html
    thread_link = html.split('href="/inbox/threads/')[1].split('"')[0]
    assert (await lead.get(f"/inbox/threads/{thread_link}"))[0] == 200

    plain = await officer(runtime, browser, "anna@delinde.nl")
    assert (await plain.get("/risico"))[0] == 403
