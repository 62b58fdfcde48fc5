"""SQL of the team's work list: open tasks with their tenant, what the tenant owes and who
holds the task, filtered and counted; and the few updates an officer makes to a task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrears_cases, ladder_steps
from herinnering.adapters.db.conversation_tables import threads, users
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import tasks, tenants

# The work list's kinds: what an officer does, each a set of stored task kinds.
GROUPS: dict[str, tuple[str, ...]] = {
    "call": ("call_tenant", "call_back"),
    "letter": ("written_reminder",),
    "check": ("verify_payment",),  # a tenant says BETAALD (with a tenant); unmatched payments are "match"
    "arrangement": ("arrangement_request", "instalment_missed"),
    "end": ("end_of_ladder", "ladder_end", "people_at_end"),
}
VIEWS = ("all", "mine", "unassigned", "overdue")


def due(row: Any) -> datetime:
    return row.due_at or row.created_at


def group_of(kind: str, tenant_id: int | None) -> str:
    if kind == "verify_payment" and tenant_id is None:
        return "match"
    for name, kinds in GROUPS.items():
        if kind in kinds:
            return name
    return "other"


def _group_condition(group: str) -> Any:
    if group == "match":
        return and_(tasks.c.kind == "verify_payment", tasks.c.tenant_id.is_(None))
    if group == "check":
        return and_(tasks.c.kind == "verify_payment", tasks.c.tenant_id.is_not(None))
    if group == "other":
        known = [k for kinds in GROUPS.values() for k in kinds]
        return tasks.c.kind.not_in(known)
    return tasks.c.kind.in_(GROUPS.get(group, ()))


def _view_condition(view: str, me: str, now: datetime) -> Any:
    due_at = func.coalesce(tasks.c.due_at, tasks.c.created_at)
    return {"mine": tasks.c.assigned_to == me, "unassigned": tasks.c.assigned_to.is_(None),
            "overdue": due_at < now}.get(view, true())


def _owed() -> Any:
    gap = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
    return (select(func.coalesce(func.sum(gap), 0)).where(payment_periods.c.tenant_id == tasks.c.tenant_id, gap > 0)
            .correlate(tasks).scalar_subquery())


async def open_tasks(connection: AsyncConnection, *, view: str, group: str, me: str, now: datetime,
                     limit: int = 300) -> list[Row[Any]]:
    """Open tasks, the earliest due first, with tenant, what they owe, holder's name and thread."""
    thread_id = (select(func.min(threads.c.id)).where(threads.c.tenant_id == tasks.c.tenant_id)
                 .correlate(tasks).scalar_subquery())
    statement = (
        select(tasks, tenants.c.name.label("tenant_name"), tenants.c.external_id, tenants.c.phone,
               tenants.c.language, _owed().label("owed_cents"), users.c.name.label("holder_name"),
               thread_id.label("thread_id"))
        .outerjoin(tenants, tenants.c.id == tasks.c.tenant_id)
        .outerjoin(users, users.c.email == tasks.c.assigned_to)
        .where(tasks.c.state == "open", _view_condition(view, me, now))
        .order_by(func.coalesce(tasks.c.due_at, tasks.c.created_at), tasks.c.id).limit(limit)
    )
    if group != "all":
        statement = statement.where(_group_condition(group))
    return list((await connection.execute(statement)).fetchall())


async def counts(connection: AsyncConnection, me: str, now: datetime) -> dict[str, int]:
    """How many open tasks each filter and kind shows."""
    def n(condition: Any) -> Any:
        return func.count().filter(condition)

    labels = {"all": true(), **{v: _view_condition(v, me, now) for v in VIEWS[1:]},
              **{g: _group_condition(g) for g in (*GROUPS, "match", "other")}}
    row = (await connection.execute(select(*[n(c).label(k) for k, c in labels.items()])
                                    .where(tasks.c.state == "open"))).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


async def get(connection: AsyncConnection, task_id: int) -> Row[Any] | None:
    return (await connection.execute(select(tasks).where(tasks.c.id == task_id))).first()


async def open_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    statement = (select(tasks).where(tasks.c.tenant_id == tenant_id, tasks.c.state == "open")
                 .order_by(func.coalesce(tasks.c.due_at, tasks.c.created_at), tasks.c.id))
    return list((await connection.execute(statement)).fetchall())


async def find_open(connection: AsyncConnection, tenant_id: int, kind: str) -> list[Row[Any]]:
    statement = select(tasks).where(tasks.c.tenant_id == tenant_id, tasks.c.kind == kind, tasks.c.state == "open")
    return list((await connection.execute(statement.order_by(tasks.c.id))).fetchall())


async def hold(connection: AsyncConnection, task_id: int, holder: str | None, now: datetime) -> bool:
    result = await connection.execute(update(tasks).where(tasks.c.id == task_id, tasks.c.state == "open")
                                      .values(assigned_to=holder, updated_at=now))
    return result.rowcount == 1


async def postpone(connection: AsyncConnection, task_id: int, due_at: datetime, data: dict[str, Any],
                   now: datetime) -> bool:
    result = await connection.execute(update(tasks).where(tasks.c.id == task_id, tasks.c.state == "open")
                                      .values(due_at=due_at, data=data, updated_at=now))
    return result.rowcount == 1


async def finish(connection: AsyncConnection, task_id: int, data: dict[str, Any], by: str, now: datetime) -> bool:
    """Mark an open task done; False when it was not open (a colleague was first)."""
    result = await connection.execute(
        update(tasks).where(tasks.c.id == task_id, tasks.c.state == "open")
        .values(state="done", done_at=now, updated_at=now, data=data,
                assigned_to=func.coalesce(tasks.c.assigned_to, by[:64])))
    return result.rowcount == 1


async def tenant_by_contract(connection: AsyncConnection, contract: str) -> Row[Any] | None:
    contract = contract.strip()
    return (await connection.execute(select(tenants).where(
        or_(tenants.c.external_id == contract, tenants.c.external_id == contract.upper())))).first()


async def ladder_step_of(connection: AsyncConnection, task_id: int) -> tuple[Row[Any], Row[Any]] | None:
    """The ladder rung that made this task and its case, when the ladder made it."""
    step = (await connection.execute(select(ladder_steps).where(ladder_steps.c.task_id == task_id))).first()
    if step is None:
        return None
    case = (await connection.execute(select(arrears_cases).where(arrears_cases.c.id == step.case_id))).first()
    return None if case is None else (step, case)

