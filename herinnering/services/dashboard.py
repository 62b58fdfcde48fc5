"""The team lead's dashboard: where the arrears stand and how the team is doing — arrears per
rent month and the share collected, open cases over the last weeks and per ladder step, overdue
tasks, and how fast tenants get an answer in the inbox (by a person, and by anyone)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from herinnering.adapters.db import dashboard_store
from herinnering.runtime import Runtime

WEEKS = 8


@dataclass(frozen=True)
class Dashboard:
    months: list[dict[str, Any]]        # period, due, paid, open, tenants_open, rate (0..1)
    weeks: list[dict[str, Any]]         # week start, open cases at its end, their open amount
    steps: list[tuple[str, int]]        # ladder step (or "none"), cases
    overdue: list[tuple[str, int]]      # task kind, count
    response: dict[str, float | int | None]  # median/p90 minutes to a person's answer, answered, waiting


def _response(rows: list[Any]) -> dict[str, float | int | None]:
    """Minutes from a tenant's message to the next answer by an officer in that thread."""
    waits: list[float] = []
    waiting = 0
    pending: dict[int, datetime] = {}
    for row in rows:
        if row.direction == "in":
            pending.setdefault(row.thread_id, row.created_at)
        elif row.author == "officer" and row.thread_id in pending:
            waits.append((row.created_at - pending.pop(row.thread_id)).total_seconds() / 60)
    waiting = len(pending)
    if not waits:
        return {"median": None, "p90": None, "answered": 0, "waiting": waiting}
    ordered = sorted(waits)
    return {"median": round(statistics.median(ordered), 1),
            "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
            "answered": len(ordered), "waiting": waiting}


async def dashboard(runtime: Runtime) -> Dashboard:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        months = await dashboard_store.months(connection)
        cases = await dashboard_store.cases(connection)
        steps = await dashboard_store.last_steps(connection)
        overdue = await dashboard_store.overdue_tasks(connection, now)
        talk = await dashboard_store.conversation_messages(connection, now - timedelta(days=30))
    month_rows = [{"period": m.period, "due": int(m.due or 0), "paid": int(m.paid or 0), "open": int(m.open or 0),
                   "tenants_open": int(m.tenants_open or 0),
                   "rate": (min(int(m.paid or 0), int(m.due or 0)) / int(m.due)) if m.due else None} for m in months]
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        end = now - timedelta(weeks=back)
        alive = [c for c in cases if c.opened_at <= end and (c.closed_at is None or c.closed_at > end)]
        weeks.append({"end": end.date(), "cases": len(alive),
                      "open": sum(max(0, c.amount_due_cents - c.amount_paid_cents) for c in alive)})
    by_step: dict[str, int] = {}
    for row in steps:
        by_step[row.step or "none"] = by_step.get(row.step or "none", 0) + 1
    order = [s.name for s in runtime.settings.ladder.ladder.steps]
    step_rows = sorted(by_step.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else -1)
    return Dashboard(month_rows, weeks, step_rows, [(r.kind, int(r.n)) for r in overdue], _response(talk))
