"""The `herinnering` command: parse arguments, call a service, print. Nothing else."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from herinnering.bootstrap import open_runtime, refuse_unsafe_web
from herinnering.clock import SystemClock
from herinnering.commands import changes as commands_changes
from herinnering.commands import collection as commands_collection
from herinnering.commands import conversations as commands_conversations
from herinnering.commands import experiments as commands_experiments
from herinnering.commands import legal as commands_lawful
from herinnering.commands import payments as commands_payments
from herinnering.commands import privacy as commands_privacy
from herinnering.commands import screenshots as commands_workplace
from herinnering.commands import tenants as commands_tenant_centred
from herinnering.commands.audit_hook import run_audited
from herinnering.commands.common import console, err, make_clock, parse_moment, read_input
from herinnering.config import Settings, load_settings
from herinnering.config import logging as logging_config
from herinnering.domain.reminders.planning import Period
from herinnering.errors import BadInput, HerinneringError
from herinnering.logging_setup import configure as configure_logging
from herinnering.logging_setup import describe_error


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False):
        console.print(f"Database is up to date: {settings.database.url}")
    return 0


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.services.tenants.importing import import_tenants

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


async def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.services.reminders.planning import plan_month

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
    from herinnering.services.reminders.dispatch import Dispatcher

    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime:
        dispatcher = Dispatcher(runtime, worker_id())
        report = await dispatcher.run_until_idle()
        if args.sweep_statuses:  # what `serve` does on a schedule: ask about messages still `sent`
            from herinnering.services.reminders.status_sweep import sweep

            swept = await sweep(runtime, dispatcher.sender)
            console.print(f"status sweep: asked {swept.asked}, moved {swept.moved}, still open {swept.still_open}")
    if report.quiet:
        console.print("Outside the send window: nothing sent.")
    console.print(f"claimed {report.claimed}, sent {report.sent}, failed {report.failed}, "
                  f"retry later {report.retried}, unknown {report.unknown}, cancelled {report.cancelled}")
    return 0


async def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.scheduler import build_scheduler
    from herinnering.services.reminders.dispatch import Dispatcher
    from herinnering.web.app import serving

    if not args.no_worker:
        settings.twilio.require()
    refuse_unsafe_web(settings)  # with or without a worker: this process answers the webhooks
    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime, \
            serving(runtime, settings.server.host, settings.server.port) as url:
        dispatcher = None if args.no_worker else Dispatcher(runtime, worker_id())
        scheduler = build_scheduler(runtime, dispatcher, planning=True)
        scheduler.start()
        console.print(f"Serving on {url}{' (no sending: run workers)' if args.no_worker else ''}; Ctrl-C to stop")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
    return 0


async def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch only: run as many as the provider's rate needs, beside one `serve --no-worker`."""
    from contextlib import AsyncExitStack

    from herinnering import metrics
    from herinnering.scheduler import build_scheduler
    from herinnering.services.reminders.dispatch import Dispatcher

    settings.twilio.require()
    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime, AsyncExitStack() as stack:
        if settings.server.metrics_port:  # every worker's sends and errors reach Prometheus
            url = await stack.enter_async_context(metrics.serving(settings.server.host, settings.server.metrics_port))
            console.print(f"Metrics on {url}")
        scheduler = build_scheduler(runtime, Dispatcher(runtime, worker_id()), planning=False)
        scheduler.start()
        console.print("Worker sending due messages; Ctrl-C to stop")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.demo.run import run_demo

    start = parse_moment(args.now, settings.reminders.timezone) if args.now else SystemClock().now()
    settings = settings.with_server(port=args.port)
    return await run_demo(settings, start, once=args.once, database=Path(args.database).resolve(),
                          keep=args.keep, console=console)


def _print_segments_and_costs(directory: Path, settings: Settings, args: argparse.Namespace) -> None:
    """SMS segments with realistic names, and the monthly reminder's cost per language."""
    from herinnering.services.reminders.template_check import (
        SAMPLE_NAMES,
        cost_report,
        segment_report,
    )

    rows = segment_report(directory, settings)
    table = Table(title="SMS segments with realistic names (a name is never transliterated)")
    for column in ("kind", "language", *SAMPLE_NAMES):
        table.add_column(column)
    for row in rows:
        table.add_row(row.kind, row.language, *(f"{row.segments[n][1]} {row.segments[n][0]}" if n in row.segments
                                                else "-" for n in SAMPLE_NAMES))
    console.print(table)
    price = args.price_per_segment if getattr(args, "price_per_segment", None) is not None \
        else settings.dispatch.price_per_segment_eur
    costs = Table(title=f"Monthly pre-debit reminder per 1,000 tenants at EUR {price:.4f} per segment")
    for column in ("language", "name", "segments", "EUR / month", "vs Dutch"):
        costs.add_column(column)
    for cost in cost_report(rows, price):
        costs.add_row(cost.language, cost.name, str(cost.segments), f"{cost.per_thousand:.2f}",
                      f"{cost.versus_dutch:+.2f}")
    console.print(costs)


def _print_comparison(directory: Path, settings: Settings) -> int:
    """Each non-Dutch text, its back-translation and the Dutch original, one block per text."""
    from herinnering.services.reminders.template_check import compare

    missing = 0
    for item in compare(directory, settings):
        console.rule(f"{item.kind} · {item.channel} · {item.language}", style="dim")
        console.print(f"{item.language}:    {item.translation}", markup=False, highlight=False)
        if item.back_translation is None:
            missing += 1
            console.print("terug: [red]no back-translation in templates/backtranslations[/]")
        else:
            console.print(f"terug: {item.back_translation}", markup=False, highlight=False)
        console.print(f"nl:    {item.dutch}", markup=False, highlight=False)
    console.print(f"{missing} texts without a back-translation")
    return 1 if missing else 0


async def cmd_templates_check(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.resources import templates_dir

    if getattr(args, "compare", False):
        return _print_comparison(Path(args.directory) if args.directory else templates_dir(), settings)
    from herinnering.services.reminders.template_check import check_templates

    rows = check_templates(Path(args.directory) if args.directory else templates_dir(), settings)
    table = Table(title="Message templates with worst-case data")
    for column in ("kind", "language", "channel", "characters", "encoding", "segments", "problem"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.kind, row.language, row.channel, str(row.characters), row.encoding,
                      str(row.segments), f"[red]{row.problem}[/]" if row.problem else "ok")
    console.print(table)
    # issue 11: the B1 readability of the Dutch texts
    from herinnering.services.reminders.wording_check import readability_table

    console.print(readability_table(Path(args.directory) if args.directory else templates_dir(), settings))
    _print_segments_and_costs(Path(args.directory) if args.directory else templates_dir(), settings, args)
    failed = [row for row in rows if row.problem]
    console.print(f"{len(rows)} checked, {len(failed)} with problems")
    return 1 if failed else 0


async def cmd_fake_twilio(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.fakes.twilio_server import serve

    account_sid = args.account_sid or settings.twilio.account_sid or "AC" + "0" * 32
    auth_token = args.auth_token or settings.twilio.auth_token or "fake-auth-token"
    console.print(f"Fake Twilio on http://{args.host}:{args.port} (account {account_sid}); Ctrl-C to stop")
    await serve(args.host, args.port, account_sid, auth_token)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="herinnering", description="Kind, correct rent reminders and payment links for housing corporations."
    )
    parser.add_argument("--config", help="a TOML file with settings that override config/default.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(run=cmd_migrate)

    p = commands.add_parser("import", help="import tenants from the ERP's CSV export")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate only; store nothing")
    p.set_defaults(run=cmd_import)

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

    p = commands.add_parser("serve", help="run the web app and the scheduler")
    p.add_argument("--now", help="run with a clock that starts at this moment")
    p.add_argument("--no-worker", action="store_true", help="web and planning only; `herinnering worker` sends")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("worker", help="send due messages only (several may run on PostgreSQL)")
    p.add_argument("--now", help="run with a clock that starts at this moment")
    p.set_defaults(run=cmd_worker)

    p = commands.add_parser("demo", help="the whole loop on SQLite with the fake Twilio server")
    p.add_argument("--now", help="start the clock here (default: now)")
    p.add_argument("--once", action="store_true", help="exit after the summary instead of serving")
    p.add_argument("--port", type=int, default=8080, help="port of the web app (0: any free port)")
    p.add_argument("--database", default="herinnering-demo.db", help="the demo's SQLite file (recreated)")
    p.add_argument("--keep", action="store_true", help="keep the demo database of an earlier run")
    p.set_defaults(run=cmd_demo)

    for area in (commands_payments, commands_collection, commands_conversations, commands_experiments,
                 commands_lawful, commands_tenant_centred, commands_privacy, commands_changes, commands_workplace):
        area.register(commands)

    p = commands.add_parser("templates", help="message templates")
    actions = p.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="render every kind × language × channel; fail on problems")
    check.add_argument("--directory", help="a templates folder (default: the shipped one)")
    check.add_argument("--price-per-segment", type=float, help="EUR per SMS segment for the cost table "
                       "(default: dispatch.price_per_segment_eur)")
    check.add_argument("--compare", action="store_true",
                       help="print each non-Dutch text's back-translation beside the Dutch original")
    check.set_defaults(run=cmd_templates_check)

    p = commands.add_parser("fake-twilio", help="run the Twilio-compatible development server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--account-sid")
    p.add_argument("--auth-token")
    p.set_defaults(run=cmd_fake_twilio)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(logging_config.shipped(), args.verbose)  # masked from the first record on
    try:
        settings = load_settings(args.config)
        configure_logging(settings.logging, args.verbose, secrets=(
            settings.twilio.auth_token, settings.payments.api_token, settings.payments.mollie_api_key))
        return asyncio.run(run_audited(args, settings))  # officers' commands go into the audit log
    except HerinneringError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)  # "[twilio] key" is no markup
        return 2
    except KeyboardInterrupt:
        return 130
    except SQLAlchemyError as exc:  # no traceback: a driver's message may quote the values it refused
        err.print(f"[red]error:[/] the database refused the change: {escape(describe_error(exc))}; "
                  "nothing of it was stored", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
