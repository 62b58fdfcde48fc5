"""Use cases of the team's work list: every open task in one place, and the one action that
completes each — a call's outcome (with what it means for the MVI steps), a payment matched
to a tenant and month by hand, a batch of letters posted, a BETAALD claim checked.

Each action is one transaction that also writes the audit log and the tenant's timeline; an
action on a task a colleague finished meanwhile is refused, never done twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herinnering.adapters.db import case_store, task_store, tenant_store, thread_store, user_store
from herinnering.adapters.db import events as event_log
from herinnering.clock import local_day
from herinnering.domain.conversations.calls import OUTCOMES, CallOutcome, retry_at
from herinnering.domain.legal.mvi import MviStep
from herinnering.errors import BadInput, HerinneringError, NotFound, TaskError
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.legal import letters, mvi
from herinnering.services.payments import unmatched


@dataclass(frozen=True)
class WorkList:
    tasks: list[Any]
    counts: dict[str, int]
    view: str
    group: str


async def work_list(runtime: Runtime, officer: Officer, view: str = "all", group: str = "all") -> WorkList:
    now = runtime.clock.now()
    view = view if view in task_store.VIEWS else "all"
    groups = (*task_store.GROUPS, "match", "other")
    group = group if group in groups else "all"
    async with runtime.db.begin() as connection:
        rows = await task_store.open_tasks(connection, view=view, group=group, me=officer.email, now=now)
        counts = await task_store.counts(connection, officer.email, now)
    tasks = [{**row._mapping, "group": task_store.group_of(row.kind, row.tenant_id), "due": task_store.due(row),
              "overdue": task_store.due(row) < now} for row in rows]
    return WorkList(tasks, counts, view, group)


async def counts(runtime: Runtime, officer: Officer) -> dict[str, int]:
    async with runtime.db.begin() as connection:
        return await task_store.counts(connection, officer.email, runtime.clock.now())


async def _open_task(connection: Any, task_id: int, *groups: str) -> Any:
    task = await task_store.get(connection, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.state != "open":
        raise TaskError(f"task {task_id} is already {task.state}")
    if groups and task_store.group_of(task.kind, task.tenant_id) not in groups:
        raise TaskError(f"task {task_id} is not a {' or '.join(groups)} task")
    return task


async def _audit(connection: Any, officer: Officer, action: str, task: Any, now: Any, **data: Any) -> None:
    await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action=action, now=now,
                           tenant_id=task.tenant_id, task_id=task.id, **data)


async def _done(connection: Any, runtime: Runtime, task: Any, officer: Officer, now: Any, **data: Any) -> int:
    """Finish the task (and, for a ladder task, record its MVI steps); returns the steps recorded."""
    if not await task_store.finish(connection, task.id, {**(task.data or {}), **data}, officer.email, now):
        raise TaskError(f"task {task.id} was finished by someone else")
    await event_log.append(connection, [event_log.event(task.tenant_id, "task_done", now, task_id=task.id,
                                                        kind=task.kind, by=officer.email)])
    ladder = await task_store.ladder_step_of(connection, task.id)
    finished = await task_store.get(connection, task.id) if ladder is not None else None
    if ladder is None or finished is None:
        return 0
    step_row, case = ladder
    return await mvi.record_task(connection, runtime.settings, finished, step_row, case, now)


async def take(runtime: Runtime, task_id: int, officer: Officer) -> None:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        task = await _open_task(connection, task_id)
        await task_store.hold(connection, task_id, officer.email, now)
        await _audit(connection, officer, "task_take", task, now)


async def record_call(runtime: Runtime, task_id: int, officer: Officer, outcome: str, note: str = "") -> CallOutcome:
    """A call's outcome: done or back tomorrow, and MVI step (a) when it was an attempt at contact."""
    found = OUTCOMES.get(outcome)
    if found is None:
        raise BadInput(f"call outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    now = runtime.clock.now()
    note = " ".join(note.split())[:1000]
    text = f"{found.nl}{': ' + note if note else ''}"
    async with runtime.db.begin() as connection:
        task = await _open_task(connection, task_id, "call")
        if found.personal_contact and task.tenant_id is not None:
            open_cases = await case_store.cases_of(connection, task.tenant_id, ("open", "in_arrangement"))
            if open_cases:
                attempt = len((task.data or {}).get("calls", []))
                await mvi.record(connection, case_id=open_cases[-1].id, tenant_id=task.tenant_id,
                                 step=MviStep.PERSONAL_CONTACT, channel="phone", text=text, occurred_at=now,
                                 by=officer.email, now=now,  # the first attempt is the one record_task would make
                                 source_key=f"task:{task.id}:personal_contact" if not attempt
                                 else f"call:{task.id}:{attempt}")
        calls = [*(task.data or {}).get("calls", []), {"at": now.isoformat(), "outcome": found.key,
                                                       "by": officer.email, "note": note}]
        if found.done:
            await _done(connection, runtime, task, officer, now, calls=calls, channel="phone", note=text,
                        mvi_recorded=found.personal_contact)
        else:
            await task_store.postpone(connection, task.id, retry_at(now), {**(task.data or {}), "calls": calls}, now)
            await task_store.hold(connection, task.id, task.assigned_to or officer.email, now)
        await _audit(connection, officer, "call_outcome", task, now, outcome=found.key)
        if task.tenant_id is not None:
            await event_log.append(connection, [event_log.event(  # the ERP hears of the call (changes feed)
                task.tenant_id, "call_recorded", now, task_id=task.id, outcome=found.key,
                mvi_step=MviStep.PERSONAL_CONTACT.value if found.personal_contact else None, note=note)])
            await event_log.append(connection, [event_log.event(task.tenant_id, "officer_note", now,
                                                                officer=officer.email, note=text)])
    return found


async def match_payment(runtime: Runtime, task_id: int, officer: Officer, contract: str, period: str) -> Any:
    """Match an unmatched payment to a tenant (contract id) and month, and finish its task."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        task = await _open_task(connection, task_id, "match")
        tenant = await task_store.tenant_by_contract(connection, contract)
        if tenant is None:
            raise NotFound(f"no tenant has contract {contract.strip()!r}")
        source_key = (task.data or {}).get("source_key")
        if not source_key:
            raise TaskError(f"task {task_id} names no payment")
        change = await unmatched.assign_unmatched(connection, runtime.settings, source_key, tenant.id, period, now,
                                                 by=officer.email)
        await task_store.finish(connection, task.id, {**(task.data or {}), "tenant_id": tenant.id,
                                                      "period": change.period}, officer.email, now)
        await event_log.append(connection, [event_log.event(tenant.id, "task_done", now, task_id=task.id,
                                                            kind="match_payment", by=officer.email)])
        await _audit(connection, officer, "payment_matched", task, now, contract=tenant.external_id,
                     period=change.period, tenant=tenant.id)
    return change


async def check_claim(runtime: Runtime, task_id: int, officer: Officer, found: bool, note: str = "") -> None:
    """A tenant said BETAALD: the officer looked and the payment is there, or is not."""
    now = runtime.clock.now()
    note = " ".join(note.split())[:1000]
    async with runtime.db.begin() as connection:
        task = await _open_task(connection, task_id, "check")
        outcome = "Betaling gevonden" if found else "Betaling niet gevonden"
        await _done(connection, runtime, task, officer, now, found=found,
                    note=f"{outcome}{': ' + note if note else ''}")
        await _audit(connection, officer, "claim_checked", task, now, found=found)


async def complete(runtime: Runtime, task_id: int, officer: Officer, note: str = "", channel: str | None = None) -> int:
    """Any other task: done, with what the officer did."""
    now = runtime.clock.now()
    note = " ".join(note.split())[:1000]
    async with runtime.db.begin() as connection:
        task = await _open_task(connection, task_id)
        recorded = await _done(connection, runtime, task, officer, now, **({"note": note} if note else {}),
                               **({"channel": channel} if channel else {}))
        await _audit(connection, officer, "task_done", task, now)
    return recorded


@dataclass(frozen=True)
class LetterBatch:
    batch_id: int | None
    made: list[tuple[int, str]]     # task id, contract: a letter generated and put in the batch
    refused: list[tuple[int, str]]  # task id, why


async def batch_letters(runtime: Runtime, task_ids: list[int], officer: Officer) -> LetterBatch:
    """The chosen "post a letter" tasks: each tenant's written reminder generated from their case
    (services/legal/letters.py), then every generated letter in one post batch to print. Nothing counts
    until the batch is marked posted; a task whose letter cannot be made is named with why."""
    made, refused = [], []
    for task_id in task_ids:
        async with runtime.db.begin() as connection:
            task = await task_store.get(connection, task_id)
            tenant = await tenant_store.by_id(connection, task.tenant_id) if task is not None and task.tenant_id else None
        if task is None or tenant is None or task.state != "open" or task.kind != "written_reminder":
            refused.append((task_id, "not an open letter task"))
            continue
        try:
            await letters.generate(runtime, tenant, "written_reminder", by=officer.email)
        except HerinneringError as exc:
            refused.append((task_id, f"{tenant.external_id}: {exc}"))
            continue
        made.append((task_id, tenant.external_id))
    batch_id = None
    if made:
        batch = await letters.make_post_batch(runtime, by=officer.email)
        batch_id = batch.batch_id
        async with runtime.db.begin() as connection:
            await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="letter_batch",
                                   now=runtime.clock.now(), batch_id=batch_id, letters=len(batch.letter_ids))
    return LetterBatch(batch_id, made, refused)


async def mark_posted(runtime: Runtime, batch_id: int, officer: Officer, posted_on: Any | None = None) -> int:
    """The printed batch went into the post: its letters count from that day, their tasks are done."""
    day = posted_on or local_day(runtime.clock.now(), runtime.settings)
    posted = await letters.mark_batch_posted(runtime, batch_id, day, by=officer.email)
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="letters_posted",
                               now=runtime.clock.now(), batch_id=batch_id, letters=len(posted))
    return len(posted)


async def open_batches(runtime: Runtime) -> list[Any]:
    """Post batches printed but not posted yet."""
    async with runtime.db.begin() as connection:
        return [b for b in await letters.batches(connection) if b.state != "posted"]


async def done_by_contract(runtime: Runtime, contract: str, kind: str, by: str, channel: str | None,
                           note: str | None) -> tuple[int, int]:
    """`herinnering mvi done-task --tenant HC-… --kind call_tenant`: the one open task of that
    kind; returns (task id, MVI steps recorded)."""
    async with runtime.db.begin() as connection:
        tenant = await task_store.tenant_by_contract(connection, contract)
        if tenant is None:
            raise NotFound(f"no tenant has contract {contract!r}")
        found = await task_store.find_open(connection, tenant.id, kind)
        if not found:
            open_kinds = sorted({t.kind for t in await task_store.open_of(connection, tenant.id)})
            raise TaskError(f"{tenant.external_id} has no open {kind} task"
                            + (f"; open: {', '.join(open_kinds)}" if open_kinds else ""))
        if len(found) > 1:
            raise TaskError(f"{tenant.external_id} has {len(found)} open {kind} tasks "
                            f"({', '.join(str(t.id) for t in found)}); give the task id")
        task = found[0]
        recorded = await mvi.complete_task(connection, runtime.settings, task.id, runtime.clock.now(), by=by,
                                           channel=channel, note=note)
    return task.id, recorded


async def batch_pdf(runtime: Runtime, batch_id: int) -> bytes | None:
    """The post batch's PDF to print, as it was made."""
    async with runtime.db.begin() as connection:
        return await letters.batch_pdf(connection, batch_id)


async def nav_counts(runtime: Runtime, officer: Officer) -> dict[str, int]:
    """What the navigation shows on every page: open and overdue tasks, unread messages."""
    tasks = await counts(runtime, officer)
    async with runtime.db.begin() as connection:
        threads = await thread_store.counts(connection, officer.id)
    return {"tasks": tasks["all"], "overdue": tasks["overdue"], "unread": threads["unread"]}
