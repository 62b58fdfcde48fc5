"""`python -m bench`: every workload, herinnering beside its peer in the same run.

Each measurement runs in a fresh process (so its peak memory is its own) on a fresh
database. The table goes to the terminal, every result also to a JSON-lines file. Counts are
checked (nothing lost, nothing twice) and a wrong count fails the run; timings never do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

PG_ADMIN = os.environ.get("HERINNERING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
console = Console(width=None if sys.stdout.isatty() else 200)


def one(**spec: Any) -> dict[str, Any]:
    """Run one workload in its own process; return its JSON result."""
    done = subprocess.run([sys.executable, "-m", "bench.one", json.dumps(spec)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: workload {spec['workload']} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_url(name: str = "herinnering_bench") -> str | None:
    import asyncpg

    async def prepare() -> None:
        connection = await asyncpg.connect(PG_ADMIN, timeout=5)
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    try:
        asyncio.run(prepare())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


def drop_database(name: str) -> None:
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(PG_ADMIN, timeout=5)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    asyncio.run(drop())


class Results:
    def __init__(self, out: Path) -> None:
        self.rows: list[dict[str, Any]] = []
        self.out = out
        self.failures: list[str] = []

    def add(self, **row: Any) -> None:
        row["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        row["load_average"] = round(os.getloadavg()[0], 1)  # other work on the machine shows here
        self.rows.append(row)
        with self.out.open("a") as handle:
            handle.write(json.dumps(row) + "\n")

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)


def planning(results: Results, backend: str, url: str, sizes: list[int], peer_cap: int) -> None:
    for n in sizes:
        one(workload="generate", url=url, n=n)
        first = one(workload="plan", url=url)
        again = one(workload="plan", url=url)
        results.check(first["created"] == first["stored"] == first["distinct_keys"] == n,
                      f"plan {backend} {n}: {first}")
        results.check(again["created"] == 0 and again["stored"] == n, f"re-plan {backend} {n}: {again}")
        floor = one(workload="plan_floor", url=url) if backend == "postgresql" else None
        peer = one(workload="peer_plan", url=url, limit=min(n, peer_cap))
        ours, theirs = n / first["seconds"], peer["jobs"] / peer["seconds"]
        if floor is not None:  # the bare SQL floor, same tenants, same run, right after
            results.check(floor["created"] == n, f"plan floor {n}: {floor}")
            results.add(workload="plan a month (postgresql) beside the SQL floor (one plain INSERT … SELECT)", size=n,
                        ours=f"{first['seconds']:.1f} s (load {first['load_average']})",
                        peer=f"SQL floor: {floor['seconds']:.1f} s (load {floor['load_average']})",
                        ratio=None, ratio_text=f"{first['seconds'] / floor['seconds']:.1f}× the floor",
                        floor_ratio=first["seconds"] / floor["seconds"], rss_mb=first["peak_rss_mb"])
        results.add(workload=f"plan a month ({backend})", size=n, ours=f"{ours:,.0f} tenants/s ({first['seconds']:.1f} s)",
                    peer=f"{theirs:,.0f} tenants/s (on {peer['jobs']:,})", ratio=ours / theirs,
                    rss_mb=first["peak_rss_mb"], per_tenant_us=1e6 * first["seconds"] / n)
        results.add(workload=f"re-plan, nothing new ({backend})", size=n,
                    ours=f"{n / again['seconds']:,.0f} tenants/s ({again['seconds']:.1f} s)", peer="-",
                    ratio=None, rss_mb=again["peak_rss_mb"], per_tenant_us=1e6 * again["seconds"] / n)


def importing(results: Results, backend: str, url: str, n: int) -> None:
    done = one(workload="import_csv", url=url, n=n)
    results.check(done["inserted"] == n and done["errors"] == 0, f"import {backend}: {done}")
    results.add(workload=f"import CSV, full validation ({backend})", size=n,
                ours=f"{n / done['seconds']:,.0f} rows/s", peer="-", ratio=None, rss_mb=done["peak_rss_mb"])


CAMT_TARGET_SECONDS, CAMT_TARGET_MB = 60.0, 500.0  # issue 15: 60,000 entries in under a minute, under 500 MB


def camt(results: Results, backend: str, url: str, n: int) -> None:
    """A bank statement of n entries for n tenants: read and checked (dry run); stored, then the
    same file again (it must book nothing twice). Beside the target: time and peak memory."""
    for dry_run in (True, False):
        done = one(workload="camt_import", url=url, n=n, dry_run=dry_run, times=1 if dry_run else 2)
        first, again = done["runs"][0], done["runs"][-1]
        results.check(first["transactions"] == first["stored"] == n and first["unmatched"] == 0,
                      f"camt {backend}: {first}")
        if not dry_run:
            results.check(again["duplicates"] == n and again["stored"] == 0 and done["booked_transactions"] == n,
                          f"camt replay {backend}: {done}")
        runs = [("--dry-run", first)] if dry_run else [("stored", first), ("the same file again", again)]
        for what, run in runs:
            results.add(workload=f"payments import CAMT.053 {what} ({backend})", size=n,
                        ours=f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f} s CPU in the importing process), "
                             f"{done['megabytes']:.0f} MB file (load {run['load_average']})",
                        peer=f"target: {CAMT_TARGET_SECONDS:.0f} s, {CAMT_TARGET_MB:.0f} MB", ratio=None,
                        ratio_text=f"{run['seconds'] / CAMT_TARGET_SECONDS:.2f}× the time, "
                                   f"{done['peak_rss_mb'] / CAMT_TARGET_MB:.2f}× the memory",
                        target_time_ratio=run["seconds"] / CAMT_TARGET_SECONDS, cpu_seconds=run["cpu_seconds"],
                        target_memory_ratio=done["peak_rss_mb"] / CAMT_TARGET_MB,
                        rss_mb=done["peak_rss_mb"], per_tenant_us=1e6 * run["seconds"] / n)


def claiming(results: Results, url: str, n: int, workers: int, batch: int) -> None:
    one(workload="prepare_due", url=url, n=n)
    done = one(workload="claim", url=url, n=n, workers=workers, batch=batch)
    results.check(done["claimed"] == done["distinct"] == done["claimed_once_in_db"] == n
                  and done["claimed_twice_in_db"] == 0, f"claim: {done}")
    results.add(workload=f"claim due messages, {workers} processes × {batch} a batch (postgresql)", size=n,
                ours=f"{n / done['seconds']:,.0f} claims/s, {done['claimed_twice_in_db']} twice",
                peer="-", ratio=None, rss_mb=None)


def dispatching(results: Results, url: str, n: int, rate: float, latency: float, workers: int) -> float:
    """One dispatch run; returns the segments per second it achieved."""
    done = one(workload="dispatch", url=url, n=n, rate=rate, latency=latency, workers=workers)
    results.check(done["sent"] == done["received"] == done["distinct"] == n and not done["errors"],
                  f"dispatch {rate}/s × {workers}: {done}")
    achieved = done["segments"] * (n - 1) / n / max(done["sending_seconds"], 1e-9)  # first to last: n - 1 gaps
    results.add(workload=f"dispatch, {latency * 1000:.0f} ms per call, {workers} process(es) (postgresql)",
                size=n, ours=f"{achieved:,.0f} segments/s, {done['dispatcher_cpu_ms_per_message']:.2f} CPU ms per message "
                             f"(load {done['load_average']})",
                peer=f"the configured rate: {rate:,.0f} segments/s", ratio=None,
                ratio_text=f"{achieved / rate:.0%} of the rate", share=achieved / rate, rss_mb=done["peak_rss_mb"],
                fake_cpu_ms_per_message=done["fake_cpu_ms_per_message"])
    return achieved


def webhooks(results: Results, url: str, n: int, concurrency: int, seconds: float, loader: str,
             kind: str = "webhooks") -> None:
    """Status callbacks (`kind="webhooks"`) or inbound messages (`"inbound"`) beside the bare handler."""
    done = one(workload=kind, url=url, n=n, concurrency=concurrency, seconds=seconds, loader=loader)
    for name in ("herinnering", "bare"):
        part = done[name]
        acknowledged, delivered = part["requests"], part["delivered"]
        if done["loader"] == "aiohttp" or acknowledged >= n:  # every request was made
            durable = delivered == n
        else:  # each answered request is durable; the last few in flight may be too
            durable = acknowledged <= delivered <= acknowledged + concurrency
        results.check(durable and part["errors"] == 0 and not part["server_errors"]
                      and (name == "bare" or part["delivered_events"] == delivered)
                      and not part.get("replies"), f"{kind} {name}: {part}")
    ours, bare = done["herinnering"], done["bare"]
    what, peer = (("signed status callbacks", "bare aiohttp + asyncpg UPDATE") if kind == "webhooks"
                  else ("signed inbound SMS, acknowledged conversations", "bare aiohttp + asyncpg INSERT"))
    results.add(workload=f"{what}, {concurrency} connections, 1 web process (postgresql, {done['loader']})",
                size=ours["requests"],
                ours=f"{ours['rate']:,.0f} req/s, p50 {ours['p50_ms']:.0f} ms, p99 {ours['p99_ms']:.0f} ms, "
                     f"{ours['server_cpu_ms_per_request']:.2f} CPU ms/req (load {ours['load_average']})",
                peer=f"{peer}: {bare['rate']:,.0f} req/s, p99 {bare['p99_ms']:.0f} ms, "
                     f"{bare['server_cpu_ms_per_request']:.2f} CPU ms/req (load {bare['load_average']})",
                ratio=None, ratio_text=f"{ours['rate'] / bare['rate']:.0%} of the rate, p99 {ours['p99_ms'] / bare['p99_ms']:.1f}×",
                share=ours["rate"] / bare["rate"], p99_ratio=ours["p99_ms"] / bare["p99_ms"], rss_mb=None)


def wanted(args: argparse.Namespace, workload: str) -> bool:
    return not args.only or workload in args.only.split(",")


def postgres_workloads(results: Results, pg: str, args: argparse.Namespace, sizes: list[int], peer_cap: int,
                       import_n: int, claim_n: int, workers: int, camt_n: int) -> None:
    if wanted(args, "planning"):
        planning(results, "postgresql", pg, sizes, peer_cap)
    if wanted(args, "import"):
        importing(results, "postgresql", pg, import_n)
    if wanted(args, "camt"):
        camt(results, "postgresql", pg, camt_n)
    if wanted(args, "claim"):
        claiming(results, pg, claim_n, workers, batch=500)
    if wanted(args, "webhooks"):
        webhooks(results, pg, 200 if args.quick else 60_000, concurrency=64, seconds=15,
                 loader="aiohttp" if args.quick else "auto")
    if wanted(args, "inbound"):
        webhooks(results, pg, 200 if args.quick else 60_000, concurrency=64, seconds=15,
                 loader="aiohttp" if args.quick else "auto", kind="inbound")
    if wanted(args, "dispatch") and args.quick:
        dispatching(results, pg, 100, rate=100, latency=0.05, workers=1)
    elif wanted(args, "dispatch"):
        achieved = {procs_rate: dispatching(results, pg, int(procs_rate[1] * 30 / 2), rate=procs_rate[1], latency=0.1,
                                            workers=procs_rate[0])  # ~30 s each: start and end weigh little
                    for procs_rate in ((1, 100), (2, 200), (1, 400))}
        one_process, two = achieved[(1, 100)], achieved[(2, 200)]
        results.add(workload="dispatch, 2 processes at 100 segments/s each, beside 1 process at 100/s", size=3000,
                    ours=f"{two:,.0f} segments/s", peer=f"1 process: {one_process:,.0f} segments/s", ratio=None,
                    ratio_text=f"{two / one_process:.2f}× one process", rss_mb=None)
    if args.sector and wanted(args, "planning"):  # last: the longest
        planning(results, "postgresql", pg, [2_300_000], peer_cap)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes for CI (well under a minute)")
    parser.add_argument("--sizes", default="10000,100000", help="tenants per planning run, comma-separated")
    parser.add_argument("--sector", action="store_true", help="also plan 2.3 million tenants (PostgreSQL)")
    parser.add_argument("--peer-cap", type=int, default=5000, help="tenants the peer schedules (its rate is per tenant)")
    parser.add_argument("--camt-entries", type=int, default=60_000, help="entries in the CAMT.053 workload")
    parser.add_argument("--out", default="bench-results.jsonl", help="JSON lines, appended")
    parser.add_argument("--only", default="", help="comma-separated: planning, import, camt, claim, webhooks, inbound, "
                                                   "dispatch")
    args = parser.parse_args()

    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    peer_cap = 300 if args.quick else args.peer_cap
    import_n = 3000 if args.quick else 100_000
    claim_n, workers = (3000, 2) if args.quick else (100_000, 4)
    camt_n = 300 if args.quick else args.camt_entries
    results = Results(Path(args.out))
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite+aiosqlite:///{folder}/bench.db"
        if wanted(args, "planning"):
            planning(results, "sqlite", sqlite_url, [n for n in sizes if n <= 200_000], peer_cap)
        if wanted(args, "import"):
            importing(results, "sqlite", sqlite_url, import_n)
        if wanted(args, "camt"):
            camt(results, "sqlite", sqlite_url, camt_n)
    bench_db = f"herinnering_bench_{os.getpid()}"  # its own: two runs at once must not drop each other's tables
    pg = postgres_url(bench_db)
    if pg is None:
        console.print("[yellow]PostgreSQL not reachable: its workloads are skipped[/]")
    else:
        try:
            postgres_workloads(results, pg, args, sizes, peer_cap, import_n, claim_n, workers, camt_n)
        finally:
            drop_database(bench_db)

    table = Table(title=f"herinnering bench — {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for column in ("workload", "size", "herinnering", "peer", "ratio", "µs per tenant", "peak RSS", "load"):
        table.add_column(column, justify="left" if column in ("workload", "herinnering", "peer") else "right")
    for row in results.rows:  # µs per tenant side by side across sizes: growth worse than linear shows
        table.add_row(row["workload"], f"{row['size']:,}", row["ours"], row["peer"],
                      row.get("ratio_text") or (f"{row['ratio']:.0f}×" if row["ratio"] else "-"),
                      f"{row['per_tenant_us']:.1f}" if row.get("per_tenant_us") else "-",
                      f"{row['rss_mb']:.0f} MB" if row.get("rss_mb") else "-", f"{row['load_average']:.1f}")
    console.print(table)
    for failure in results.failures:
        console.print(f"[red]count check failed:[/] {failure}")
    console.print(f"passed: {len(results.rows)} measurements, {len(results.failures)} failed checks")
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
