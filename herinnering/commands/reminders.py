"""CLI commands of the reminders area: plan a month, send what is due.

    herinnering plan --month 2026-12 [--dry-run] [--now T] [--limit N]
    herinnering dispatch [--now T] [--sweep-statuses]
"""

from __future__ import annotations

import argparse

from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.commands.common import console, make_clock, worker_id
from herinnering.config import Settings
from herinnering.domain.reminders.planning import Period
from herinnering.errors import BadInput
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from herinnering.services.reminders.status_sweep import sweep


async def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = Period.parse(args.month)
    except ValueError as exc:
        raise BadInput(f"--month: {exc}") from None
    tz = settings.reminders.timezone
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await plan_month(runtime.db, settings, runtime.templates, runtime.clock, period,
                                  dry_run=args.dry_run, preview=args.limit)
    table = Table(title=f"Reminders for {period}" + (" (dry run)" if args.dry_run else ""))
    for column in ("tenant", "name", "day", "debit date", "send moment", "channel", "template"):
        table.add_column(column)
    for r in report.preview:
        table.add_row(r.external_id, r.name, str(r.collection_day), f"{r.debit_date:%a %d-%m-%Y}",
                      f"{r.send_at.astimezone(tz):%a %d-%m-%Y %H:%M}", r.channel, r.template)
    console.print(table)
    if report.planned > len(report.preview):
        console.print(f"(the first {len(report.preview)} shown; --limit N shows more)")
    created = "nothing stored (dry run)" if args.dry_run else f"{report.created} newly planned"
    console.print(f"{report.planned} reminders, {created}, "
                  f"{report.skipped} tenants skipped because their moment has passed")
    if report.extra:
        console.print(f"{report.extra} extra earlier reminders newly planned for segments that ask for one "
                      "(the segments.cadence setting)")
    return 0


async def cmd_dispatch(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime:
        dispatcher = Dispatcher(runtime, worker_id())
        report = await dispatcher.run_until_idle()
        if args.sweep_statuses:  # what `serve` does on a schedule: ask about messages still `sent`
            swept = await sweep(runtime, dispatcher.sender)
            console.print(f"status sweep: asked {swept.asked}, moved {swept.moved}, still open {swept.still_open}")
    if report.quiet:
        console.print("Outside the send window: nothing sent.")
    console.print(f"claimed {report.claimed}, sent {report.sent}, failed {report.failed}, "
                  f"retry later {report.retried}, unknown {report.unknown}, cancelled {report.cancelled}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("plan", help="plan the pre-debit reminders of a month")
    p.add_argument("--month", required=True, help="the rent month, e.g. 2026-12")
    p.add_argument("--dry-run", action="store_true", help="show the plan; store nothing")
    p.add_argument("--now", help="plan as if it were this moment (local time unless an offset is given)")
    p.add_argument("--limit", type=int, default=200, help="rows shown in the table (default 200)")
    p.set_defaults(run=cmd_plan)

    p = commands.add_parser("dispatch", help="send what is due now, then stop")
    p.add_argument("--now", help="send as if it were this moment")
    p.add_argument("--sweep-statuses", action="store_true",
                   help="then ask Twilio about messages still 'sent' after [dispatch] status_sweep_after_seconds")
    p.set_defaults(run=cmd_dispatch)
