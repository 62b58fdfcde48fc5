"""The tenant beside every conversation: what an officer needs to see before answering — what is
owed and for which months (with the bank's return reasons), where the ladder stands and what
comes next on which day, arrangement, pause, language, channel, consent, segment, and the last
messages and letters the tenant got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from herinnering.adapters.db import (
    arrangement_store,
    task_store,
    tenant_store,
    tenant_view_store,
    user_store,
)
from herinnering.clock import local_day
from herinnering.domain.payments.ladder import OPEN_ENDED
from herinnering.domain.payments.state import reason
from herinnering.runtime import Runtime
from herinnering.services.payments import arrangements, collection, pause
from herinnering.services.tenants import segments


@dataclass(frozen=True)
class TenantPanel:
    tenant: Any
    balance_cents: int
    months: list[dict[str, Any]]   # period, open_cents, status, reason (nl, en) or None
    ladder: list[dict[str, Any]]   # per open case: period, state, last step, next step, its date, status
    arrangements: list[dict[str, Any]]
    pause: Any
    segment: Any
    messages: list[Any]
    letters: list[Any]
    tasks: list[Any]
    thread: Any
    today: date


async def panel(runtime: Runtime, tenant_id: int) -> TenantPanel | None:
    settings = runtime.settings
    today = local_day(runtime.clock.now(), settings)
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant_id)
        if tenant is None:
            return None
        months = []
        for row in await tenant_view_store.open_months(connection, tenant_id):
            why = reason(row.reason_code) if row.reason_code else None
            months.append({"period": row.period, "open_cents": row.open_cents, "status": row.status,
                           "reason": (why.nl, why.en) if why else None, "code": row.reason_code})
        ladder = []
        for view in await collection.ladder_view(connection, settings, tenant, today):
            if view.state == "closed":
                continue
            done = [s for s in view.steps if s.done_on is not None and s.status not in ("redo", "later")]
            nxt = view.next
            ladder.append({
                "period": view.period, "state": view.state, "open_cents": view.outstanding_cents,
                "last": done[-1].name if done else None, "last_on": done[-1].done_on if done else None,
                "next": nxt.step.name if nxt.step is not None else None, "status": nxt.status.value,
                "next_on": None if nxt.due_on in (None, OPEN_ENDED) else nxt.due_on,
            })
        plans = []
        for arrangement in await arrangements.active_of(connection, tenant_id):
            parts = await arrangement_store.parts_of(connection, arrangement.id)
            plans.append({"id": arrangement.id, "total_cents": arrangement.total_cents, "every": arrangement.every,
                          "periods": arrangement.periods, "parts": parts})
        result = TenantPanel(
            tenant=tenant, balance_cents=sum(m["open_cents"] for m in months), months=months, ladder=ladder,
            arrangements=plans, pause=await pause.current(connection, tenant_id, today),
            segment=await segments.segment_of(connection, tenant_id),
            messages=await tenant_view_store.sent_messages(connection, tenant_id),
            letters=await tenant_view_store.sent_letters(connection, tenant_id),
            tasks=await task_store.open_of(connection, tenant_id),
            thread=await tenant_view_store.thread_of(connection, tenant_id), today=today,
        )
    return result


async def search(runtime: Runtime, text: str) -> list[Any]:
    async with runtime.db.begin() as connection:
        return await tenant_view_store.search(connection, text[:100])


async def with_answering(runtime: Runtime, tenant_id: int | None, conversation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tenant message gets `answering`: the last reminder or link sent to them before it that
    is not already in the conversation — so an officer sees what "Ja" or "Wanneer?" is about."""
    if tenant_id is None:
        return conversation
    async with runtime.db.begin() as connection:
        sent = await tenant_view_store.delivered_messages(connection, tenant_id)
    shown = {m.get("message_id") for m in conversation if m.get("message_id")}
    used: set[int] = set()
    result = []
    for m in conversation:
        if m["direction"] == "in":
            before = [s for s in sent if s.sent_at <= m["created_at"] and s.id not in shown and s.body]
            if before and before[-1].id not in used:
                used.add(before[-1].id)
                m = {**m, "answering": before[-1]}
        result.append(m)
    return result


async def record_view(runtime: Runtime, user_id: int, user_email: str, tenant_id: int) -> None:
    """Looking at a tenant is in the audit log, like opening a thread."""
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=user_id, user_email=user_email, action="view_tenant",
                               now=runtime.clock.now(), tenant_id=tenant_id)
