"""CLI commands of the experiments area: list, report, simulate.

    herinnering experiment list
    herinnering experiment report KEY [--plots DIR] [--by-segment]
    herinnering experiment simulate [--tenants N] [--uplift 0.05] [--base-rate 0.255]
                                    [--runs N] [--break-tenants N] [--skip-database]
                                    [--seed S] [--split 0.45] [--plots DIR]

`simulate` never touches the configured database: it runs on a fresh SQLite file in a
temporary folder (or `--database URL`, which must be a throwaway database).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import jinja2
from rich.console import Console
from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.config import Settings
from herinnering.domain.experiments.simulation import run_scenarios
from herinnering.domain.reminders.planning import Period
from herinnering.domain.tenants.segments import LABELS, Segment
from herinnering.resources import templates_dir
from herinnering.services.experiments import experiments as service
from herinnering.services.experiments import screen, simulation
from herinnering.services.experiments import view as view
from herinnering.services.experiments.report import ExperimentReport
from herinnering.services.experiments.segments import SegmentRow
from herinnering.web.experiments import charts_png

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def print_report(report: ExperimentReport) -> None:
    """The report's text, in Dutch: the same sentences as the page (templates/web)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    text = env.get_template("web/experiment_report.txt.j2").render(
        report=report, experiment=report.experiment, h=view.helpers(report.experiment))
    console.print(text, highlight=False, markup=False)
    for guardrail in report.guardrails:
        if not guardrail.available:
            console.print(f"Vangrail {guardrail.guardrail.value}: {guardrail.note}", markup=False)
            continue
        rows = "; ".join(f"{name} {events}/{n} = {view.percent(rate, 2)} %" for name, n, events, rate, _ci, _c
                         in guardrail.rows)
        console.print(f"Vangrail {guardrail.guardrail.value} — {guardrail.note}: {rows}", markup=False)


def print_segments(rows: list[SegmentRow]) -> None:
    table = Table(title="Per segment (the tenant's segment on the day of exposure)")
    for column in ("segment", "variant", "exposures", "conversions", "rate"):
        table.add_column(column)
    for row in rows:
        name = "unknown" if row.segment is None else f"{row.segment} {LABELS[Segment(row.segment)]}"
        table.add_row(name, row.variant, str(row.exposures), str(row.conversions),
                      "-" if row.rate is None else view.percent(row.rate) + " %")
    console.print(table)
    if not rows:
        console.print("No exposures yet.")


def write_plots(report: ExperimentReport, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in charts_png(report):
        path = directory / f"{report.experiment.key}-{name}.png"
        path.write_bytes(png)
        written.append(path)
    return written


async def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        exposed, known = await screen.catalogue(runtime)
        table = Table(title="Experiments")
        for column in ("key", "title", "kind", "status", "from", "until", "variants", "exposures", "templates"):
            table.add_column(column)
        for e in known:
            missing = service.missing_templates(e, runtime.templates, settings.reminders.languages)
            table.add_row(
                e.key, e.title, e.kind, e.status.value, str(e.start), str(e.stop or "-"),
                ", ".join(f"{v.name}={v.template} {v.weight:.0%}" + (" (control)" if v.name == e.control else "")
                          for v in e.variants),
                str(exposed.get(e.key, 0)), "ok" if not missing else "missing: " + ", ".join(missing),
            )
    console.print(table)
    if not known:
        console.print("No experiments configured: add [experiments.<key>] tables to your config file "
                      "(see config/default.toml).")
    return 0


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    clock = SystemClock()
    async with open_runtime(settings, clock, with_sender=False) as runtime:
        report, per_segment = await screen.report_by_key(runtime, args.key, clock.now(), per_segment=args.by_segment)
    print_report(report)
    if per_segment is not None:
        print_segments(per_segment)
    if args.plots:
        for path in write_plots(report, Path(args.plots)):
            console.print(f"Wrote {path}")
    return 0


async def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    if not args.skip_database:
        spec = simulation.Spec(
            tenants=args.tenants, base_rate=args.base_rate, uplift=args.uplift, seed=args.seed,
            actual_weights=(args.split, 1 - args.split) if args.split is not None else None,
        )
        with tempfile.TemporaryDirectory(prefix="herinnering-simulation-") as scratch:
            url = args.database or f"sqlite+aiosqlite:///{Path(scratch) / 'simulation.db'}"
            clock = SystemClock()
            today = clock.now().date()
            month = Period(today.year + (today.month == 12), today.month % 12 + 1)
            async with open_runtime(settings.with_database(url), clock, with_sender=False) as runtime:
                report = await simulation.simulate(runtime.db, runtime.settings, runtime.templates, spec, month)
        truth = (f"werkelijk: controle {view.percent(spec.base_rate)} %, variant "
                 f"{view.percent(spec.base_rate + spec.uplift)} %")
        if spec.actual_weights:
            truth += f"; verdeling geforceerd op {view.percent(spec.actual_weights[0], 0)}/" \
                     f"{view.percent(spec.actual_weights[1], 0)}"
        console.print(f"Gesimuleerd: {spec.tenants} huurders door planning, verzending en betalingen ({truth})",
                      markup=False)
        print_report(report)
        if args.plots:
            for path in write_plots(report, Path(args.plots)):
                console.print(f"Wrote {path}")
    if args.runs > 0:
        console.print(f"Trying to break the engine: {args.runs} simulated experiments of {args.break_tenants} "
                      "tenants per scenario, none with a true difference (vectorised, seeded):")
        table = Table(title="Share of experiments that declared a difference (95 % Wilson interval)")
        for column in ("scenario", "engine", "runs", "declared", "rate", "95% interval", "should be"):
            table.add_column(column)
        for rate in run_scenarios(args.runs, args.break_tenants, seed=args.seed):
            table.add_row(rate.scenario, rate.engine, str(rate.runs), str(rate.hits), f"{rate.rate:.1%}",
                          f"{rate.interval.low:.1%} – {rate.interval.high:.1%}", rate.target)
        console.print(table)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    parser = commands.add_parser("experiment", help="A/B experiments on message wording: list, report, simulate")
    sub = parser.add_subparsers(dest="experiment_command", required=True)

    sub.add_parser("list", help="the configured experiments and their exposures").set_defaults(run=cmd_list)

    p = sub.add_parser("report", help="the statistical report of one experiment")
    p.add_argument("key")
    p.add_argument("--plots", metavar="DIR", help="also write the charts as PNG files into DIR")
    p.add_argument("--by-segment", action="store_true",
                   help="also split exposures and conversions per tenant segment (at exposure time)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("simulate", help="a simulated experiment with a known true effect, then its report")
    p.add_argument("--tenants", type=int, default=4000, help="synthetic tenants (default 4000)")
    p.add_argument("--uplift", type=float, default=0.05, help="true absolute uplift of the variant (0 = A/A)")
    p.add_argument("--base-rate", type=float, default=0.255, help="control conversion rate (default 0.255)")
    p.add_argument("--runs", type=int, default=2000,
                   help="simulated experiments per scenario that try to break the engine (0: none)")
    p.add_argument("--break-tenants", type=int, default=400, help="tenants per simulated experiment (default 400)")
    p.add_argument("--skip-database", action="store_true", help="only the scenarios, not the run on a database")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--split", type=float, help="force the control's real share (e.g. 0.45) to see the SRM check")
    p.add_argument("--plots", metavar="DIR", help="also write the charts as PNG files into DIR")
    p.add_argument("--database", help="a throwaway database URL (default: a temporary SQLite file)")
    p.set_defaults(run=cmd_simulate)
