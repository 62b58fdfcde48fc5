"""CLI commands of the collection area: the ladder, the pauzeknop, arrangements, MVI and Wgs.

    herinnering ladder --tenant HC-…                 where a tenant stands and what comes next
    herinnering ladder-tick [--now T]                carry out the ladder steps due now (serve does this hourly)
    herinnering pause --tenant HC-… (--until DATE | --open-ended) --reason TEXT
    herinnering resume --tenant HC-…
    herinnering arrangement add --tenant HC-… [--amount 745,50] --instalments 3 --first 2027-01-05 --every month
    herinnering arrangement list                     every active arrangement: paid so far, next and missed instalments
    herinnering arrangement change ID --instalments 4 --first 2027-02-05 [--every month] --reason "…"
    herinnering arrangement cancel ID --reason "…"   the months go back to the ladder; the tenant is told
    herinnering mvi record --tenant HC-… --step personal_contact --channel phone --text "…" [--period 2026-12]
    herinnering mvi done-task (TASK_ID | --tenant HC-… --kind call_tenant) [--channel phone] [--note "…"]
    herinnering wgs-export --since DATE --out FILE [--format csv|json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.commands.common import (
    add_now,
    cents_option,
    day_option,
    euros,
    make_clock,
    officer,
)
from herinnering.config import Settings
from herinnering.domain.legal.mvi import CHANNELS, MviStep
from herinnering.domain.payments.arrangements import Every
from herinnering.domain.payments.ladder import OPEN_ENDED
from herinnering.errors import BadInput
from herinnering.services.conversations.worklist import done_by_contract
from herinnering.services.legal import records, wgs_screen
from herinnering.services.payments.arrangement_changes import team_list
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.ladder_overview import ladder_overview
from herinnering.services.tenants import actions

console = Console(soft_wrap=True)


async def cmd_ladder(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        found = await ladder_overview(runtime, args.tenant)
    tenant, views, pause, plans = found.tenant, found.cases, found.pause, found.arrangements
    signals, returns, open_tasks = found.signals, found.returns, found.open_tasks
    console.print(f"{tenant.external_id} {tenant.name} — {tenant.channel}, {tenant.language}")
    for task in open_tasks:  # the id `herinnering mvi done-task` takes
        due = task.due_at or task.created_at
        console.print(f"Open task {task.id}: {task.kind} — {task.title} (due {due:%d-%m-%Y})", highlight=False)
    if pause is not None:
        until = "until resumed" if pause.until is None else f"through {pause.until:%d-%m-%Y}"
        console.print(f"[yellow]Paused {until}[/]: {pause.reason}")
    if not views:
        console.print("No arrears: the ladder has nothing to do.")
    for line in plans:
        console.print(line)
    for view in views:
        table = Table(title=f"{view.period}: {view.state}, {euros(view.outstanding_cents)} open since "
                            f"{view.missed_on:%d-%m-%Y}")
        for column in ("day", "step", "action", "done on", "status"):
            table.add_column(column)
        for step in view.steps:
            table.add_row(str(step.day), step.name, step.action,
                          f"{step.done_on:%d-%m-%Y}" if step.done_on else "", step.status)
        console.print(table)
        console.print(signals.get(view.case_id, ""), highlight=False)  # the early-warning gate (issue 11)
        for line in returns.get(view.period, []):  # the return's reason and why this step (issue 10)
            console.print(f"Terugboeking: {line}", highlight=False)
        nxt = view.next
        if nxt.step is not None and nxt.due_on is not None:
            when = "after the pause" if nxt.due_on == OPEN_ENDED else f"{nxt.due_on:%d-%m-%Y}"
            console.print(f"Next: {nxt.step.name} ({nxt.status.value}, {when})")
        elif nxt.status.value == "finished":
            console.print("Next: a person takes the case over (a handover task with a due date); no more automatic steps")
        else:
            console.print(f"Next: nothing ({nxt.status.value})")
    return 0


async def cmd_ladder_tick(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await ladder_tick(runtime)
    console.print(f"{report.cases} open cases: {report.messages} messages planned, {report.tasks} tasks created, "
                  f"{report.paused} paused, {report.mvi_recorded} MVI steps recorded, "
                  f"{report.instalment_tasks} missed instalments")
    return 0


async def cmd_pause(args: argparse.Namespace, settings: Settings) -> int:
    if bool(args.until) == bool(args.open_ended):
        raise BadInput("give either --until DATE or --open-ended")
    until = day_option(args.until, "--until") if args.until else None
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant = await actions.pause_by_contract(runtime, args.tenant, until, args.reason, officer(args))
    console.print(f"{tenant.external_id} is paused " + (f"through {until:%d-%m-%Y}" if until else "until resumed")
                  + ": no reminders, links or ladder steps.")
    return 0


async def cmd_resume(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, resumed = await actions.resume_by_contract(runtime, args.tenant, officer(args))
    console.print(f"{tenant.external_id} resumed: the ladder continues where it was." if resumed
                  else f"{tenant.external_id} was not paused.")
    return 0


async def cmd_arrangement_add(args: argparse.Namespace, settings: Settings) -> int:
    first = day_option(args.first, "--first")
    amount = cents_option(args.amount) if args.amount else None
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, made = await actions.arrange_by_contract(runtime, args.tenant, count=args.instalments, first=first,
                                                         every=args.every, amount_cents=amount, by=officer(args))
    table = Table(title=f"Betalingsregeling {made.arrangement_id} for {tenant.external_id}: {euros(made.total_cents)}")
    table.add_column("#")
    table.add_column("date")
    table.add_column("amount")
    for part in made.instalments:
        table.add_row(str(part.number), f"{part.due_on:%a %d-%m-%Y}", euros(part.amount_cents))
    console.print(table)
    console.print(f"{made.reminders} reminders planned ({settings.ladder.instalment_reminder_days} days before each); "
                  f"covers {', '.join(made.periods) or 'no open period'}; the ladder stops for these periods.")
    return 0


async def cmd_arrangement_list(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        plans = await team_list(runtime)
    table = Table(title=f"{len(plans)} active payment arrangements")
    for column in ("id", "tenant", "total", "paid", "next instalment", "missed"):
        table.add_column(column)
    for plan in plans:
        nxt = plan.next_open
        table.add_row(str(plan.id), f"{plan.contract_id} {plan.name}", euros(plan.total_cents), euros(plan.paid_cents),
                      f"{nxt.due_on:%d-%m-%Y} {euros(nxt.amount_cents)}" if nxt is not None else "", str(plan.missed))
    console.print(table)
    return 0


async def cmd_arrangement_change(args: argparse.Namespace, settings: Settings) -> int:
    first = day_option(args.first, "--first")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        ended = await actions.change_arrangement_by(runtime, args.arrangement_id, count=args.instalments, first=first,
                                                    every=args.every, reason=args.reason, by=officer(args))
    console.print(f"Arrangement {ended.arrangement_id} changed: {euros(ended.remaining_cents)} still to pay, now "
                  f"arrangement {ended.new_arrangement_id}; the tenant gets a message.", highlight=False)
    for part in ended.instalments:
        console.print(f"  #{part.number} {part.due_on:%a %d-%m-%Y} {euros(part.amount_cents)}", highlight=False)
    return 0


async def cmd_arrangement_cancel(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        ended = await actions.cancel_arrangement_by(runtime, args.arrangement_id, args.reason, officer(args))
    told = "the tenant gets a message" if ended.message_id else "nothing left to pay, no message"
    console.print(f"Arrangement {ended.arrangement_id} cancelled: {euros(ended.remaining_cents)} still to pay goes "
                  f"back to the ladder; {told}.", highlight=False)
    return 0


async def cmd_mvi_record(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, period, new = await records.record_step(runtime, args.tenant, period=args.period, step=args.step,
                                                        channel=args.channel, text=args.text, by=officer(args))
    console.print(f"Recorded {args.step} ({args.channel}) for {tenant.external_id} {period}."
                  if new else "Already recorded.")
    return 0


async def cmd_mvi_done_task(args: argparse.Namespace, settings: Settings) -> int:
    if (args.task_id is None) == (args.tenant is None):
        raise BadInput("give a task id (see `herinnering ladder --tenant …` or /werk), "
                               "or --tenant HC-… with --kind")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        if args.task_id is None:
            task_id, recorded = await done_by_contract(runtime, args.tenant, args.kind, officer(args), args.channel,
                                                       args.note)
        else:
            task_id = args.task_id
            recorded = await records.complete_task(runtime, task_id, by=officer(args), channel=args.channel,
                                                   note=args.note)
    console.print(f"Task {task_id} done; {recorded} MVI steps recorded.")
    return 0


async def cmd_wgs_export(args: argparse.Namespace, settings: Settings) -> int:
    since = day_option(args.since, "--since")
    out = Path(args.out)
    kind = args.format or ("json" if out.suffix.lower() == ".json" else "csv")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        export = await wgs_screen.collect(runtime, since)
        written = []
        for municipality, part in sorted(export.per_municipality().items()):
            slug = "".join(c if c.isalnum() else "-" for c in municipality.lower()).strip("-") or "onbekend"
            path = out.with_name(f"{out.stem}-{slug}{out.suffix}")
            try:
                path.write_text(part.json() if kind == "json" else part.csv(), encoding="utf-8")
            except OSError as exc:
                raise BadInput(f"cannot write {path}: {exc.strerror}") from None
            written.append(f"{path} ({municipality}: {len(part.rows)})")
        if not args.dry_run:
            await records.mark_signalled(runtime, export)
    for refusal in export.refused:
        console.print(f"[red]refused[/] {refusal.contract_id} case {refusal.case_id}: {refusal.reason}",
                      highlight=False)
    console.print(f"Wrote {len(export.rows)} signals, one file per municipality ({kind}): "
                  f"{'; '.join(written) or 'none'}; refused {len(export.refused)} cases.", highlight=False)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("ladder", help="where a tenant stands in the follow-up ladder and what comes next")
    p.add_argument("--tenant", required=True, help="contract id, e.g. HC-000123")
    add_now(p)
    p.set_defaults(run=cmd_ladder)

    p = commands.add_parser("ladder-tick", help="carry out the ladder steps that are due now")
    add_now(p)
    p.set_defaults(run=cmd_ladder_tick)

    p = commands.add_parser("pause", help="pauzeknop: no reminders, links or ladder steps for a tenant")
    p.add_argument("--tenant", required=True)
    p.add_argument("--until", help="the last paused day, e.g. 2027-01-15")
    p.add_argument("--open-ended", action="store_true", help="until `herinnering resume`")
    p.add_argument("--reason", required=True, help="why, e.g. \"schuldhulpverlening loopt\"")
    p.add_argument("--by", help="who pressed it (default: your login)")
    add_now(p)
    p.set_defaults(run=cmd_pause)

    p = commands.add_parser("resume", help="end a tenant's pause; the ladder continues where it was")
    p.add_argument("--tenant", required=True)
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_resume)

    arrangement = commands.add_parser("arrangement", help="betalingsregelingen")
    actions = arrangement.add_subparsers(dest="arrangement_command", required=True)
    p = actions.add_parser("add", help="split what a tenant owes into instalments, with a reminder before each")
    p.add_argument("--tenant", required=True)
    p.add_argument("--amount", help="the total, e.g. 745,50 (default: everything open)")
    p.add_argument("--instalments", type=int, required=True)
    p.add_argument("--first", required=True, help="date of the first instalment")
    p.add_argument("--every", choices=[e.value for e in Every], default="month")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_arrangement_add)
    p = actions.add_parser("list", help="every active arrangement: paid so far, the next and any missed instalment")
    add_now(p)
    p.set_defaults(run=cmd_arrangement_list)
    p = actions.add_parser("change", help="re-plan what is still unpaid; the tenant gets a message")
    p.add_argument("arrangement_id", type=int, help="the arrangement's id (arrangement list, ladder, /regelingen)")
    p.add_argument("--instalments", type=int, required=True)
    p.add_argument("--first", required=True, help="date of the first new instalment")
    p.add_argument("--every", choices=[e.value for e in Every], default="month")
    p.add_argument("--reason", required=True, help="why (timeline and audit log)")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_arrangement_change)
    p = actions.add_parser("cancel", help="stop an arrangement: its months go back to the ladder; the tenant is told")
    p.add_argument("arrangement_id", type=int)
    p.add_argument("--reason", required=True, help="why (timeline and audit log)")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_arrangement_cancel)

    mvi = commands.add_parser("mvi", help="record the MVI steps of an arrears case")
    actions = mvi.add_subparsers(dest="mvi_command", required=True)
    p = actions.add_parser("record", help="record a step by hand (e.g. the tenant's answer or objection)")
    p.add_argument("--tenant", required=True)
    p.add_argument("--step", required=True, choices=[s.value for s in MviStep])
    p.add_argument("--channel", required=True, choices=sorted(CHANNELS))
    p.add_argument("--text", required=True, help="what was said or sent (kept as proof)")
    p.add_argument("--period", help="the rent period of the case (default: the latest open one)")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_mvi_record)
    p = actions.add_parser("done-task", help="mark a ladder task done and record its MVI steps")
    p.add_argument("task_id", type=int, nargs="?", help="the task's id (shown by `herinnering ladder` and /werk)")
    p.add_argument("--tenant", help="instead of an id: the tenant's contract id, with --kind")
    p.add_argument("--kind", default="call_tenant", help="with --tenant: the task's kind (default call_tenant)")
    p.add_argument("--channel", choices=sorted(CHANNELS), help="how: phone, visit, letter, email …")
    p.add_argument("--note", help="what was said or sent")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_mvi_done_task)

    p = commands.add_parser("wgs-export", help="the cases ready for the municipality's early-warning report")
    p.add_argument("--since", required=True, help="cases whose arrears began on or after this date")
    p.add_argument("--out", required=True, help="the file name to start from: one file per municipality, "
                   "e.g. wgs.csv → wgs-utrecht.csv (.json for JSON, otherwise CSV)")
    p.add_argument("--format", choices=["csv", "json"])
    p.add_argument("--dry-run", action="store_true", help="write the file but do not mark the cases as signalled")
    add_now(p)
    p.set_defaults(run=cmd_wgs_export)
