"""CLI commands of the experiments area: list, report, simulate.

    herinnering experiment list
    herinnering experiment report KEY [--plots DIR] [--by-segment]
    herinnering experiment simulate [--tenants N] [--uplift 0.05] [--base-rate 0.255]
                                    [--runs N] [--seed S] [--split 0.45] [--plots DIR]

`simulate` never touches the configured database: it runs on a fresh SQLite file in a
temporary folder (or `--database URL`, which must be a throwaway database).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.config import Settings
from herinnering.domain.planning import Period
from herinnering.errors import HerinneringError
from herinnering.services import experiments as service
from herinnering.services.experiment_segments import SegmentRow, by_segment

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def points(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} pt"


def interval(ci: object, signed: bool = False) -> str:
    if ci is None:
        return "-"
    low, high = ci.low, ci.high  # type: ignore[attr-defined]
    if signed:
        return f"[{low * 100:+.1f}, {high * 100:+.1f}] pt"
    return f"[{low * 100:.1f}%, {high * 100:.1f}%]"


def p_text(value: float | None) -> str:
    return "-" if value is None else (f"{value:.4f}" if value >= 0.0001 else "<0.0001")


def print_report(report: service.ExperimentReport) -> None:
    e, a = report.experiment, report.analysis
    console.print(f"[bold]{e.key}[/] — {e.title}  ({e.kind}, {e.status}, {e.start} .. {e.stop or 'open'})")
    metric = e.metric.value + (f" ({e.metric_days} days)" if e.metric.value == "paid_within_days" else "")
    console.print(f"Primary metric: {metric}; alpha {a.alpha}; "
                  f"correction: {a.correction}; planned sample size: {a.planned_sample_size or 'not set'}")
    table = Table(title="Primary metric per variant")
    for column in ("variant", "weight", "exposures", "conversions", "rate", "95% CI", "uplift", "uplift CI",
                   "relative", "relative CI", "p", "p adj.", "test", "MDE now", "significant"):
        table.add_column(column)
    weights = {v.name: v.weight for v in e.variants}
    for v in a.variants:
        c = v.comparison
        table.add_row(
            v.name + (" (control)" if v.is_control else ""), f"{weights[v.name]:.0%}", str(v.exposures),
            str(v.conversions), percent(v.rate), interval(v.rate_ci),
            points(c.uplift) if c else "", interval(c.uplift_ci, signed=True) if c else "",
            percent(c.relative) if c else "", interval(c.relative_ci) if c else "",
            p_text(c.p_value) if c else "", p_text(c.p_adjusted) if c else "", c.test if c else "",
            points(v.mde) if not v.is_control else "", ("yes" if v.significant else "no") if c else "",
        )
    console.print(table)
    srm = a.srm
    console.print(f"Sample ratio check: observed {list(srm.observed)}, expected "
                  f"{[round(x, 1) for x in srm.expected]}, chi-square p = {p_text(srm.p_value)}"
                  + ("  [red]MISMATCH[/]" if srm.mismatch else "  ok"))
    for guardrail in report.guardrails:
        if not guardrail.available:
            console.print(f"Guardrail {guardrail.guardrail.value}: {guardrail.note}")
            continue
        rows = "; ".join(
            f"{name} {events}/{n} = {percent(rate, 2)}" + (f" (p {p_text(cmp.p_value)})" if cmp else "")
            for name, n, events, rate, _ci, cmp in guardrail.rows
        )
        console.print(f"Guardrail {guardrail.guardrail.value} — {guardrail.note}: {rows}")
    for warning in report.warnings():
        console.print(f"[yellow]Warning:[/] {warning}", highlight=False)


def print_segments(rows: list[SegmentRow]) -> None:
    from herinnering.domain.segments import LABELS, Segment

    table = Table(title="Per segment (the tenant's segment on the day of exposure)")
    for column in ("segment", "variant", "exposures", "conversions", "rate"):
        table.add_column(column)
    for row in rows:
        name = "unknown" if row.segment is None else f"{row.segment} {LABELS[Segment(row.segment)]}"
        table.add_row(name, row.variant, str(row.exposures), str(row.conversions),
                      "-" if row.rate is None else percent(row.rate))
    console.print(table)
    if not rows:
        console.print("No exposures yet.")


def write_plots(report: service.ExperimentReport, directory: Path) -> list[Path]:
    from herinnering.adapters import plots  # matplotlib loads only when charts are asked for

    directory.mkdir(parents=True, exist_ok=True)
    e = report.experiment
    conversion = directory / f"{e.key}-conversion.png"
    conversion.write_bytes(plots.conversion_chart(report.analysis.variants, f"{e.key}: {e.metric.value}"))
    cumulative = directory / f"{e.key}-cumulative.png"
    cumulative.write_bytes(plots.cumulative_chart(report.series, e.control, f"{e.key}: cumulative conversion"))
    return [conversion, cumulative]


async def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        async with runtime.db.begin() as connection:
            exposed = await service.exposure_counts(connection)
        table = Table(title="Experiments")
        for column in ("key", "title", "kind", "status", "from", "until", "variants", "exposures", "templates"):
            table.add_column(column)
        for e in settings.experiments:
            missing = service.missing_templates(e, runtime.templates, settings.reminders.languages)
            table.add_row(
                e.key, e.title, e.kind, e.status.value, str(e.start), str(e.stop or "-"),
                ", ".join(f"{v.name}={v.template} {v.weight:.0%}" + (" (control)" if v.name == e.control else "")
                          for v in e.variants),
                str(exposed.get(e.key, 0)), "ok" if not missing else "missing: " + ", ".join(missing),
            )
    console.print(table)
    if not settings.experiments:
        console.print("No experiments configured: add [experiments.<key>] tables to your config file "
                      "(see config/default.toml).")
    return 0


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    experiment = service.find(settings, args.key)
    if experiment is None:
        known = ", ".join(e.key for e in settings.experiments) or "none configured"
        raise HerinneringError(f"no experiment {args.key!r} in the configuration (known: {known})")
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime, \
            runtime.db.begin() as connection:
        report = await service.build_report(connection, experiment, settings.reminders.timezone)
        per_segment = (await by_segment(connection, experiment, settings.reminders.timezone)
                       if args.by_segment else None)
    print_report(report)
    if per_segment is not None:
        print_segments(per_segment)
    if args.plots:
        for path in write_plots(report, Path(args.plots)):
            console.print(f"Wrote {path}")
    return 0


async def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from herinnering.services import simulation

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
    console.print(f"Simulated {spec.tenants} tenants through planning, exposure on send and payment outcomes "
                  f"(true rates: control {spec.base_rate:.1%}, kind {spec.base_rate + spec.uplift:.1%}"
                  + (f"; forced split {spec.actual_weights[0]:.0%}/{spec.actual_weights[1]:.0%}" if spec.actual_weights else "")
                  + ")")
    print_report(report)
    if args.plots:
        for path in write_plots(report, Path(args.plots)):
            console.print(f"Wrote {path}")
    if args.runs > 1:
        repeated = simulation.repeat(spec, args.runs)
        what = "false-positive rate (A/A, nominal 5%)" if spec.uplift == 0 else "power (share of runs that found the effect)"
        console.print(f"Over {repeated.runs} further simulated experiments (in memory, same engine): "
                      f"{repeated.rejections} called significant — {what}: {repeated.rate:.1%}")
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
    p.add_argument("--runs", type=int, default=1, help="also repeat the experiment N times in memory")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--split", type=float, help="force the control's real share (e.g. 0.45) to see the SRM check")
    p.add_argument("--plots", metavar="DIR", help="also write the charts as PNG files into DIR")
    p.add_argument("--database", help="a throwaway database URL (default: a temporary SQLite file)")
    p.set_defaults(run=cmd_simulate)
