"""CLI command of the message templates: render every kind x language x channel with worst-case
data and fail on problems; the SMS segments and costs per language; the B1 readability of the
Dutch texts; with --compare, each translation beside its back-translation.

    herinnering templates check [--directory DIR] [--price-per-segment EUR] [--compare]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from herinnering.commands.common import console
from herinnering.config import Settings
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import (
    SAMPLE_NAMES,
    check_templates,
    compare,
    cost_report,
    segment_report,
)
from herinnering.services.reminders.wording_check import readability_table


def _print_segments_and_costs(directory: Path, settings: Settings, args: argparse.Namespace) -> None:
    """SMS segments with realistic names, and the monthly reminder's cost per language."""
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
    directory = Path(args.directory) if args.directory else templates_dir()
    if getattr(args, "compare", False):
        return _print_comparison(directory, settings)
    rows = check_templates(directory, settings)
    table = Table(title="Message templates with worst-case data")
    for column in ("kind", "language", "channel", "characters", "encoding", "segments", "problem"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.kind, row.language, row.channel, str(row.characters), row.encoding,
                      str(row.segments), f"[red]{row.problem}[/]" if row.problem else "ok")
    console.print(table)
    # the B1 readability of the Dutch texts
    console.print(readability_table(directory, settings))
    _print_segments_and_costs(directory, settings, args)
    failed = [row for row in rows if row.problem]
    console.print(f"{len(rows)} checked, {len(failed)} with problems")
    return 1 if failed else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("templates", help="message templates")
    actions = p.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="render every kind × language × channel; fail on problems")
    check.add_argument("--directory", help="a templates folder (default: the shipped one)")
    check.add_argument("--price-per-segment", type=float, help="EUR per SMS segment for the cost table "
                       "(default: dispatch.price_per_segment_eur)")
    check.add_argument("--compare", action="store_true",
                       help="print each non-Dutch text's back-translation beside the Dutch original")
    check.set_defaults(run=cmd_templates_check)
