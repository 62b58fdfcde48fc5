"""The pauzeknop: nothing goes out while a tenant is paused, and resuming continues the ladder
from where it was — one step at a time, never a burst of overdue messages."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.collection_tables import pauses
from herinnering.domain.payments.ladder import OPEN_ENDED
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments import pause as pauzeknop
from herinnering.services.payments.collection import ladder_tick
from tests.integration.collection_helpers import (
    change,
    days,
    ladder_messages,
    morning,
    report,
    rows,
    run_day,
)
from tests.integration.helpers import event_types

DAY_1 = date(2026, 12, 3)


async def press(runtime: Any, tenant: Any, until: date | None, reason: str = "schuldhulpverlening loopt") -> None:
    async with runtime.db.begin() as connection:
        await pauzeknop.pause(connection, runtime.settings, tenant.id, until, reason, runtime.clock.now(), "officer@delinde")


async def release(runtime: Any, tenant: Any) -> bool:
    async with runtime.db.begin() as connection:
        return await pauzeknop.resume(connection, tenant.id, runtime.clock.now(), "officer@delinde")


async def test_a_paused_tenant_gets_nothing_until_resumed_and_then_no_backlog_burst(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(DAY_1, hour_utc=6))
    assert (await ladder_tick(runtime)).messages == 1  # planned for 10:00 ...
    await press(runtime, tenant, until=None)            # ... and paused at 07:30, before it went out
    [message] = await ladder_messages(runtime)
    assert message.state == "cancelled" and message.error_message == "pauzeknop"
    async with runtime.db.begin() as connection:
        assert (await tenant_store.by_external_id(connection, tenant.external_id)).paused_until == OPEN_ENDED

    for day in days(DAY_1, 30):  # a month goes by: nothing at all
        ladder, _ = await run_day(runtime, day)
        assert ladder.messages == ladder.tasks == 0 and ladder.paused == 1
    assert fake_twilio.messages == []

    resumed_on = date(2027, 1, 2)
    runtime.clock.set(morning(resumed_on, hour_utc=8))
    assert await release(runtime, tenant)
    per_day: Counter[date] = Counter()
    for day in days(resumed_on, 40):
        ladder, _ = await run_day(runtime, day)
        per_day[day] += ladder.messages + ladder.tasks
    assert max(per_day.values()) == 1  # one step a day at most, never a backlog
    first, second, *_ = sorted(d for d, n in per_day.items() if n)
    assert first == resumed_on and (second - first).days == 4  # the ladder keeps its spacing
    assert len(fake_twilio.messages) == 3  # the three ladder messages, each once
    types = await event_types(runtime.db, tenant.id)
    assert "tenant_paused" in types and "tenant_resumed" in types


async def test_a_pause_until_a_date_ends_by_itself_and_is_kept_with_its_reason(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(date(2026, 12, 2)))
    await press(runtime, tenant, until=date(2026, 12, 10), reason="in gesprek met budgetcoach")
    [stored] = await rows(runtime, pauses)
    assert (stored.until, stored.reason, stored.created_by) == (date(2026, 12, 10), "in gesprek met budgetcoach",
                                                                 "officer@delinde")
    for day in days(date(2026, 12, 3), 8):  # 3 to 10 December: paused
        ladder, _ = await run_day(runtime, day)
        assert ladder.messages == 0
    ladder, sent = await run_day(runtime, date(2026, 12, 11))
    assert ladder.messages == 1 and sent.sent == 1 and len(fake_twilio.messages) == 1
    assert [m.kind for m in await ladder_messages(runtime)] == ["payment_link"]


async def test_resuming_a_tenant_who_is_not_paused_changes_nothing(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    assert not await release(runtime, tenant)


def test_the_pause_ladder_and_resume_commands_as_an_officer_runs_them(
    tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    from herinnering.cli import main
    from tests.integration.test_cli import HEADER

    monkeypatch.setenv("HERINNERING_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    tenants = tmp_path / "tenants.csv"
    tenants.write_text(HEADER + 'HC-7,Anna de Vries,0612345678,sms,nl,"700,00",5,\n')
    assert main(["import", str(tenants)]) == 0
    assert main(["pause", "--tenant", "HC-7", "--until", "2027-01-15", "--reason", "budgetcoach",
                 "--now", "2026-12-01T10:00"]) == 0
    assert "paused through 15-01-2027" in capsys.readouterr().out
    assert main(["ladder", "--tenant", "HC-7", "--now", "2026-12-02T10:00"]) == 0
    shown = capsys.readouterr().out
    assert "Paused through 15-01-2027: budgetcoach" in shown and "No arrears" in shown
    assert main(["resume", "--tenant", "HC-7", "--now", "2026-12-03T10:00"]) == 0
    assert "resumed" in capsys.readouterr().out
    assert main(["pause", "--tenant", "HC-404", "--open-ended", "--reason", "x"]) != 0
    assert "HC-404" in capsys.readouterr().err
