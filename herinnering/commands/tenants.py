"""CLI commands of the tenants area: the import, and tenant-centred collection.

    herinnering import FILE [--dry-run]                                  tenants from the ERP's CSV export
    herinnering recollect export --date 2026-12-14 --out batch.xml   the day's re-collections as pain.008
    herinnering recollect handed --batch 3                             that file went to the bank (/herincasso too)
    herinnering collection-day show --tenant HC-100101                 the tenant's day and its changes
    herinnering collection-day reverse --change 7 --by "A. de Boer"    undo a change the tenant made
    herinnering tenant-page link --tenant HC-100101 [--send]           a fresh "mijn huur" link
    herinnering pre-debit-opt-out --tenant HC-100101 [--undo]          the tenant's wish (segment cadence)
    herinnering segments                                               today's klantprofielen, stored
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date
from pathlib import Path

from rich.progress import Progress

from herinnering.adapters.templates import money
from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.commands.common import add_now, console, err, make_clock, read_input
from herinnering.config import Settings
from herinnering.domain.tenants.segments import LABELS, Segment
from herinnering.errors import BadInput, NotFound
from herinnering.services.payments import recollection_screen
from herinnering.services.payments.returns import export_recollections
from herinnering.services.tenants import actions
from herinnering.services.tenants.importing import import_tenants
from herinnering.services.tenants.segments import compute


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--date: {text!r} is not a date like 2026-12-14") from None


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    data = read_input(path)
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"Importing {path.name}", total=max(1, data.count(b"\n") - 1))
            report = await import_tenants(runtime.db, data, settings.reminders, runtime.clock,
                                          dry_run=args.dry_run, progress=lambda n: progress.advance(task, n))
    for warning in report.warnings:
        err.print(f"[yellow]{path.name}: {warning}[/]", highlight=False)
    for error in report.errors:
        err.print(f"[red]{path.name}, {error}[/]", highlight=False)
    if args.dry_run:
        console.print(f"Checked {path.name}: {report.rows} rows, {report.valid} valid, "
                      f"{report.error_lines} with errors (dry run: nothing stored)")
    else:
        console.print(f"Imported {path.name}: {report.rows} rows, {report.inserted} new, {report.updated} changed, "
                      f"{report.unchanged} unchanged, {report.error_lines} with errors")
    return 0 if report.ok else 1


async def cmd_recollect_export(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await export_recollections(runtime.db, settings, runtime.clock, _date(args.date))
    for line in report.left_out:
        console.print(f"left out {line}", highlight=False)
    if not report.included:
        console.print(f"No re-collections for {report.collect_on:%d-%m-%Y}; no file written.")
        return 0
    Path(args.out).write_bytes(report.xml)
    console.print(f"Wrote {args.out}: pain.008.001.02, {len(report.included)} re-collection(s), "
                  f"{money(report.total_cents, 'nl')}, collection date {report.collect_on:%d-%m-%Y}; kept as file "
                  f"{report.batch_id} (`herinnering recollect handed --batch {report.batch_id}` once the bank has it)",
                  highlight=False)
    return 0


async def cmd_recollect_handed(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        found = await recollection_screen.record_handed(runtime, args.batch, args.by or "cli")
    console.print(f"File {args.batch} ({found.collect_on:%d-%m-%Y}, {found.payment_count} re-collection(s)) "
                  "recorded as handed to the bank.", highlight=False)
    return 0


async def cmd_day_show(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, changes = await actions.day_changes(runtime, args.tenant)
    console.print(f"{tenant.external_id}: collection day {tenant.collection_day} (ERP)")
    for c in changes:
        console.print(f"  change {c.id}: {c.old_day} → {c.new_day} from {c.effective_period} ({c.source}, {c.state})")
    return 0


async def cmd_day_reverse(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        done = await actions.reverse_day_change(runtime, args.change, args.by)
    if not done:
        raise NotFound(f"--change: no scheduled collection-day change {args.change}")
    console.print(f"Change {args.change} reversed.")
    return 0


async def cmd_page_link(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        url, message_id = await actions.page_link(runtime, args.tenant, send=args.send)
    if args.send:
        console.print(f"Message {message_id} planned with a new link.")
    else:
        console.print(url, highlight=False)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("import", help="import tenants from the ERP's CSV export")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate only; store nothing")
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("recollect", help="re-collections after a returned debit (SEPA pain.008)")
    sub = p.add_subparsers(dest="action", required=True)
    p = sub.add_parser("export", help="write the re-collections of one collection date as a pain.008 file")
    p.add_argument("--date", required=True, help="the collection date, e.g. 2026-12-14")
    p.add_argument("--out", required=True, help="the pain.008 file to write")
    add_now(p)
    p.set_defaults(run=cmd_recollect_export)
    p = sub.add_parser("handed", help="record that a re-collection file was handed to the bank")
    p.add_argument("--batch", type=int, required=True, help="the file's number (printed by export, shown on /herincasso)")
    p.add_argument("--by", help="who handed it (default: cli)")
    add_now(p)
    p.set_defaults(run=cmd_recollect_handed)

    p = commands.add_parser("collection-day", help="collection-day changes the tenant chose (DAG, mijn huur)")
    sub = p.add_subparsers(dest="action", required=True)
    p = sub.add_parser("show", help="the tenant's collection day and its changes")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.set_defaults(run=cmd_day_show)
    p = sub.add_parser("reverse", help="undo a collection-day change")
    p.add_argument("--change", required=True, type=int, help="the change number (collection-day show)")
    p.add_argument("--by", required=True, help="the officer who reverses it")
    p.set_defaults(run=cmd_day_reverse)

    p = commands.add_parser("tenant-page", help="the tenant's personal 'mijn huur' page")
    sub = p.add_subparsers(dest="action", required=True)
    p = sub.add_parser("link", help="make a new expiring link (print it, or --send it in a message)")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.add_argument("--send", action="store_true", help="send it to the tenant instead of printing it")
    add_now(p)
    p.set_defaults(run=cmd_page_link)
    register_segments(commands)


async def cmd_segments(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        now = runtime.clock.now()
        found = await compute(runtime.db, settings, now.astimezone(settings.reminders.timezone).date(), now)
    counts = Counter(a.segment for a in found.values())
    for segment in Segment:
        console.print(f"segment {int(segment)} ({LABELS[segment]}): {counts.get(segment, 0)}", highlight=False)
    return 0


async def cmd_pre_debit_opt_out(args: argparse.Namespace, settings: Settings) -> int:
    """An officer records the tenant's own wish; refused outside the segments that allow it."""
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant = await actions.set_pre_debit_opt_out(runtime, args.tenant, on=not args.undo, source="officer")
    console.print(f"{tenant.external_id}: pre-debit reminders {'on again' if args.undo else 'off'}", highlight=False)
    return 0


def register_segments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("segments", help="klantprofielen: compute and store today's segment of every tenant")
    add_now(p)
    p.set_defaults(run=cmd_segments)
    p = commands.add_parser("pre-debit-opt-out",
                            help="the tenant's own wish: no reminder before the debit (segments that allow it)")
    p.add_argument("--tenant", required=True, help="contract id, e.g. HC-100101")
    p.add_argument("--undo", action="store_true", help="turn the reminders on again")
    add_now(p)
    p.set_defaults(run=cmd_pre_debit_opt_out)
