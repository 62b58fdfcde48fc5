"""CLI commands of the change feed for the ERP and the bank.

    herinnering changes export [--after CURSOR] [--format csv|json] [--out FILE]
    herinnering changes push                       push what is due to [changes] webhook_url now
    herinnering changes dead                       the dead-letter view: pushes the receiver kept refusing
    herinnering changes retry (CHANGE_ID … | --all)   put dead ones back in the queue
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.commands.common import add_now, console, err, make_clock
from herinnering.config import Settings
from herinnering.errors import BadInput, ConfigError
from herinnering.services import changes
from herinnering.services.privacy.audit import operator_action


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.after < 0:
        raise BadInput("--after: expected 0 or a cursor an earlier export printed")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        found, cursor = await changes.export_all(runtime.db, settings.changes, args.after)
    text = (changes.csv_text(found) if args.format == "csv"
            else json.dumps({"changes": found, "cursor": cursor}, ensure_ascii=False, indent=2) + "\n")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    err.print(f"{len(found)} changes after cursor {args.after}; next time: --after {cursor}", highlight=False)
    return 0


async def cmd_push(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.changes.webhook_url:
        raise ConfigError("changes.webhook_url is not set: nothing to push to (the ERP can pull "
                               "GET /api/changes instead)")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await changes.push_once(runtime)
        counts = await changes.delivery_counts(runtime.db)
    console.print(f"Queued {report.queued}, delivered {report.delivered}, to retry {report.retried}, "
                  f"dead {report.dead}. In all: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0 if not report.dead else 1


async def cmd_dead(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        dead = await changes.dead_letters(runtime.db, settings.changes.include_notes)
    table = Table(title=f"Changes the receiver kept refusing ({len(dead)})")
    for column in ("id", "kind", "contract", "happened", "attempts", "last error", "given up"):
        table.add_column(column)
    for d in dead:
        table.add_row(d["id"], d["kind"], d["contract_id"], d["occurred_at"][:16], str(d["attempts"]),
                      d["last_error"] or "-", d["failed_at"][:16])
    console.print(table)
    if dead:
        console.print("Put them back in the queue with: herinnering changes retry --all")
    return 0


async def cmd_retry(args: argparse.Namespace, settings: Settings) -> int:
    if not args.all and not args.ids:
        raise BadInput("name the changes (chg-12 …) or give --all")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        n = await changes.retry_dead(runtime, None if args.all else args.ids)
        await operator_action(runtime, "changes_retried", count=n)
    console.print(f"{n} dead changes are queued again; `serve` pushes them at its next round "
                  "(or run `herinnering changes push`).")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("changes", help="the change feed for the ERP and the bank")
    actions = group.add_subparsers(dest="changes_command", required=True)
    p = actions.add_parser("export", help="the changes after a cursor, as CSV or JSON")
    p.add_argument("--after", type=int, default=0, help="the cursor the previous export ended at (default 0)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--out", help="write to this file instead of standard output")
    add_now(p)
    p.set_defaults(run=cmd_export)
    p = actions.add_parser("push", help="push what is due to [changes] webhook_url now")
    add_now(p)
    p.set_defaults(run=cmd_push)
    p = actions.add_parser("dead", help="the dead-letter view: pushes the receiver kept refusing")
    p.set_defaults(run=cmd_dead)
    p = actions.add_parser("retry", help="put dead changes back in the queue")
    p.add_argument("ids", nargs="*", help="change ids, e.g. chg-12")
    p.add_argument("--all", action="store_true", help="every dead change")
    p.set_defaults(run=cmd_retry)
