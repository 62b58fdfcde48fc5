"""Changing and cancelling a payment arrangement from the tenant's page (two officers at once)
and from the CLI, on both databases: what is unpaid is re-planned or goes back to the ladder,
old reminders stop, the reason is in the audit log and on the timeline, and the tenant gets a
message in their own language saying what was decided."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from herinnering.adapters.db.collection_tables import arrangements, instalments
from herinnering.adapters.db.conversation_tables import audit_log
from herinnering.adapters.db.tables import events, messages
from herinnering.cli import main
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments.arrangements import add_arrangement
from tests.integration.collection_helpers import cases, change, morning, report, rows, run_day
from tests.integration.officer_browser import officer


async def _arranged(runtime: Any, make_tenant: Any, language: str = "nl") -> tuple[Any, Any]:
    tenant = await make_tenant(monthly_rent_cents=74550, language=language)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(date(2026, 12, 4)))
    async with runtime.db.begin() as connection:
        made = await add_arrangement(connection, runtime, tenant.id, count=3, first=date(2027, 1, 5), every="month",
                                     by="officer@delinde")
    return tenant, made


async def test_two_officers_change_one_arrangement_once_and_the_tenant_hears_the_new_plan(
    runtime: Any, make_tenant: Any, browser: Any, fake_twilio: Any,
) -> None:
    tenant, made = await _arranged(runtime, make_tenant, language="tr")
    anna, bram = await officer(runtime, browser), await officer(runtime, browser, "bram@delinde.nl")
    _, html = await anna.get(f"/huurders/{tenant.id}")
    assert f"/regeling/{made.arrangement_id}/wijzigen" in html and "Regeling stoppen" in html
    _, html = await bram.get(f"/huurders/{tenant.id}")  # Bram has the same page open

    _, where = await anna.post(f"/huurders/{tenant.id}/regeling/{made.arrangement_id}/wijzigen", count="2",
                               first="2027-01-20", every="month", reason="")
    assert "notice=refused" in where and "reason" in where  # a change needs its reason
    _, where = await anna.post(f"/huurders/{tenant.id}/regeling/{made.arrangement_id}/wijzigen", count="2",
                               first="2027-01-20", every="month", reason="Ander inkomen vanaf januari")
    assert where.endswith("notice=changed"), where
    _, where = await bram.post(f"/huurders/{tenant.id}/regeling/{made.arrangement_id}/stoppen",
                               reason="Wil in een keer betalen")
    assert "notice=refused" in where and "no+longer+active" in where  # his page was stale: nothing happens

    old, new = await rows(runtime, arrangements)
    assert (old.state, new.state, new.total_cents) == ("changed", "active", 74550)
    parts = await rows(runtime, instalments, instalments.c.arrangement_id == new.id)
    assert [(p.due_on, p.amount_cents) for p in parts] == [(date(2027, 1, 20), 37275), (date(2027, 2, 20), 37275)]
    assert {p.state for p in await rows(runtime, instalments, instalments.c.arrangement_id == old.id)} == {"cancelled"}
    reminders = await rows(runtime, messages, messages.c.kind == "instalment_reminder")
    assert sorted(m.state for m in reminders) == ["cancelled"] * 3 + ["planned"] * 2
    [case] = await cases(runtime)
    assert case.state == "in_arrangement"  # still in an arrangement: the ladder stays stopped

    [audit] = await rows(runtime, audit_log, audit_log.c.action == "arrangement_changed")
    assert audit.user_email == "anna@delinde.nl" and audit.data["reason"] == "Ander inkomen vanaf januari"
    [event] = await rows(runtime, events, events.c.type == "arrangement_changed")
    assert event.data["new_arrangement_id"] == new.id and event.data["reason"] == "Ander inkomen vanaf januari"

    _, html = await anna.get("/regelingen")
    assert tenant.external_id in html and "20-01-2027" in html

    await run_day(runtime, date(2026, 12, 7))
    [told] = [m["body"] for m in fake_twilio.messages if "ödeme planınız değiştirildi" in m["body"]]
    assert "2 taksitte" in told and "20 Ocak" in told and "745,50" in told and "020 123 4567" in told


async def test_cancelling_hands_the_months_back_to_the_ladder_and_tells_the_tenant(
    runtime: Any, make_tenant: Any, browser: Any, fake_twilio: Any,
) -> None:
    tenant, made = await _arranged(runtime, make_tenant)
    other, _ = await _arranged(runtime, make_tenant)
    anna = await officer(runtime, browser)
    _, where = await anna.post(f"/huurders/{other.id}/regeling/{made.arrangement_id}/stoppen", reason="mis")
    assert "notice=refused" in where and "not+this+tenant" in where  # the id belongs to someone else
    _, where = await anna.post(f"/huurders/{tenant.id}/regeling/{made.arrangement_id}/stoppen",
                               reason="Huurder betaalt liever in een keer")
    assert where.endswith("notice=cancelled"), where
    [mine] = await rows(runtime, arrangements, arrangements.c.id == made.arrangement_id)
    assert mine.state == "cancelled"
    case = next(c for c in await cases(runtime) if c.tenant_id == tenant.id)
    assert case.state == "open"  # the ladder takes over again
    assert [e.type for e in await rows(runtime, events, events.c.tenant_id == tenant.id,
                                       events.c.type.in_(["arrangement_cancelled", "ladder_resumed"]))] == [
        "arrangement_cancelled", "ladder_resumed"]
    await run_day(runtime, date(2026, 12, 7))
    [told] = [m["body"] for m in fake_twilio.messages if "betalingsregeling is gestopt" in m["body"]]
    assert "745,50" in told and "020 123 4567" in told and "Woonstichting De Linde" in told


@pytest.mark.usefixtures("fake_twilio")
async def test_the_cli_lists_changes_and_cancels_with_the_same_rules(
    runtime: Any, make_tenant: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, made = await _arranged(runtime, make_tenant)
    monkeypatch.setenv("HERINNERING_DATABASE_URL", runtime.settings.database.url)
    now = ["--now", runtime.clock.now().isoformat()]
    assert await asyncio.to_thread(main, ["arrangement", "list", *now]) == 0
    assert tenant.external_id in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["arrangement", "change", str(made.arrangement_id), "--instalments", "5",
                                          "--first", "2027-01-10", "--reason", "Lager inkomen", *now]) == 0
    assert "still to pay" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["arrangement", "cancel", str(made.arrangement_id), "--reason", "x",
                                          *now]) == 2  # already changed: refused, with the reason why
    assert "no longer active" in capsys.readouterr().err
    _, new = await rows(runtime, arrangements)
    assert await asyncio.to_thread(main, ["arrangement", "cancel", str(new.id), "--reason", "Regeling vervalt",
                                          *now]) == 0
    kinds = sorted(m.kind for m in await rows(runtime, messages, messages.c.kind.like("arrangement_%")))
    assert kinds == ["arrangement_cancelled", "arrangement_changed"]
