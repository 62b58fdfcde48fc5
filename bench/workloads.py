"""The workloads, each run in a fresh process (`python -m bench.one`) so its peak memory is
its own. Each returns a dict: what was done, how long it took, and the counts that prove it
was done correctly (the suite asserts counts, never timings)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select, text

import herinnering.bootstrap  # noqa: F401  (wires who hears of a payment change, as in every process of the app)
from bench.data import csv_bytes, fresh_database, insert_tenants
from herinnering.adapters.db import outbox
from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.tables import messages
from herinnering.adapters.templates import MessageTemplates
from herinnering.clock import SettableClock
from herinnering.config import load_settings
from herinnering.domain.reminders.planning import Period
from herinnering.resources import templates_dir
from herinnering.services.reminders.planning import plan_month
from herinnering.services.tenants.importing import import_tenants

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # before every December reminder
PERIOD = Period(2026, 12)


async def generate(url: str, n: int) -> dict[str, Any]:
    """n tenants; on PostgreSQL then vacuumed, analysed and checkpointed, as autovacuum would
    have left a table of tenants long before a month is planned, and as the floor starts."""
    started = time.perf_counter()
    db = await fresh_database(url)
    await insert_tenants(db, n)
    await db.close()
    if url.startswith("postgresql"):
        import asyncpg

        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await connection.execute("VACUUM ANALYZE tenants")
            await connection.execute("CHECKPOINT")
        finally:
            await connection.close()
    return {"tenants": n, "seconds": time.perf_counter() - started}


async def plan(url: str) -> dict[str, Any]:
    settings = load_settings(environ={}).with_database(url)
    db = Database(url)
    started = time.perf_counter()
    report = await plan_month(db, settings, MessageTemplates(templates_dir()), SettableClock(NOW), PERIOD)
    seconds = time.perf_counter() - started
    async with db.begin() as connection:
        stored = (await connection.execute(select(func.count()).select_from(messages))).scalar_one()
        keys = (await connection.execute(select(func.count(func.distinct(messages.c.idempotency_key))))).scalar_one()
    await db.close()
    import os

    return {"created": report.created, "planned": report.planned, "stored": stored,
            "distinct_keys": keys, "seconds": seconds, "load_average": round(os.getloadavg()[0], 1)}


async def plan_floor(url: str) -> dict[str, Any]:
    """The SQL floor on PostgreSQL: the same month for the same tenants by one plain
    `INSERT … SELECT` (the send moment computed in SQL, the same unique key and ON CONFLICT,
    nothing else: no holidays, no segments, no payment method, no lease end, no experiments).
    The outbox is emptied first, so it starts where the planner started."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("TRUNCATE messages CASCADE")
        await connection.execute("CHECKPOINT")
        started = time.perf_counter()
        status = await connection.execute(
            "INSERT INTO messages (tenant_id, kind, period, idempotency_key, channel, template, variant, state,"
            " send_at, debit_date, attempts, created_at, updated_at)"
            " SELECT id, 'pre_debit', $1::text, 'pre_debit:' || id || ':' || $1::text, channel,"
            " 'messages/' || language || '/pre_debit.' || channel || '.j2', 'default', 'planned',"
            " make_timestamptz($2::int, $3::int, collection_day, 10, 0, 0, 'Europe/Amsterdam') - interval '3 days',"
            " make_date($2::int, $3::int, collection_day), 0, now(), now()"
            " FROM tenants WHERE active AND NOT opted_out"
            " ON CONFLICT (idempotency_key) DO NOTHING", str(PERIOD), PERIOD.year, PERIOD.month)
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    import os

    return {"created": int(status.rsplit(" ", 1)[1]), "seconds": seconds, "load_average": round(os.getloadavg()[0], 1)}


async def peer_plan(url: str, limit: int) -> dict[str, Any]:
    from bench.peers.apscheduler_jobs import plan_with_apscheduler

    jobs, seconds = await asyncio.to_thread(plan_with_apscheduler, url, PERIOD.year, PERIOD.month, limit)
    return {"jobs": jobs, "seconds": seconds}


async def import_csv(url: str, n: int) -> dict[str, Any]:
    db = await fresh_database(url)
    data = csv_bytes(n)
    settings = load_settings(environ={})
    started = time.perf_counter()
    with Progress(console=Console(file=sys.stderr, force_terminal=True), transient=True) as bar:  # as the CLI shows it
        task = bar.add_task("Importing", total=n)
        report = await import_tenants(db, data, settings.reminders, SettableClock(NOW),
                                      progress=lambda done: bar.advance(task, done))
    seconds = time.perf_counter() - started
    await db.close()
    return {"rows": report.rows, "inserted": report.inserted, "errors": len(report.errors), "seconds": seconds}


async def prepare_due(url: str, n: int, now: datetime = NOW) -> dict[str, Any]:
    """n tenants with one message each, due at `now`."""
    db = await fresh_database(url)
    await insert_tenants(db, n)
    async with db.begin() as connection:
        await connection.execute(text(
            "INSERT INTO messages (tenant_id, kind, period, idempotency_key, channel, template, variant, state,"
            " send_at, debit_date, attempts, created_at, updated_at)"
            " SELECT id, 'pre_debit', '2026-12', 'bench:' || id, channel, 'x', 'default', 'planned',"
            " :now, :debit, 0, :now, :now FROM tenants"
        ), {"now": now if db.dialect == "postgresql" else now.replace(tzinfo=None), "debit": date(2026, 12, 1)})
    await db.close()
    return {"messages": n}


def _claimer(url: str, batch: int, queue: Any, barrier: Any) -> None:
    async def loop() -> dict[str, Any]:
        db = Database(url)
        mine: list[int] = []
        worker = f"bench-{multiprocessing.current_process().pid}"
        async with db.begin() as connection:  # connect before the clock starts
            await connection.execute(text("SELECT 1"))
        barrier.wait()
        started = time.time()
        while True:
            async with db.begin() as connection:
                rows = await outbox.claim_due(connection, worker, NOW, batch)
            if not rows:
                break
            mine.extend(row.id for row in rows)
        finished = time.time()
        await db.close()
        return {"ids": mine, "started": started, "finished": finished}

    queue.put(asyncio.run(loop()))


async def claim(url: str, n: int, workers: int, batch: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(workers)
    processes = [context.Process(target=_claimer, args=(url, batch, queue, barrier)) for _ in range(workers)]
    for process in processes:
        process.start()
    parts = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = max(p["finished"] for p in parts) - min(p["started"] for p in parts)
    claimed = [p["ids"] for p in parts]
    ids = [i for part in claimed for i in part]
    db = Database(url)  # the database's own word: every message claimed exactly once
    async with db.begin() as connection:
        in_db = (await connection.execute(select(func.count()).where(
            messages.c.state == "sending", messages.c.attempts == 1))).scalar_one()
        twice = (await connection.execute(select(func.count()).where(messages.c.attempts > 1))).scalar_one()
    await db.close()
    return {"claimed": len(ids), "distinct": len(set(ids)), "expected": n, "seconds": seconds,
            "claimed_once_in_db": in_db, "claimed_twice_in_db": twice, "per_worker": [len(part) for part in claimed]}


WORKLOADS = {"generate": generate, "plan": plan, "plan_floor": plan_floor, "peer_plan": peer_plan, "import_csv": import_csv,
             "prepare_due": prepare_due, "claim": claim}


async def dispatch(url: str, n: int, rate: float, latency: float, workers: int = 1) -> dict[str, Any]:
    """n due messages sent through a fake Twilio server (its own process) that answers every
    create after `latency` seconds; returns segments per second as Twilio counts them."""
    import json as json_module
    import os
    import socket
    import subprocess
    import sys
    import urllib.request

    await prepare_due(url, n, now=datetime.now(UTC))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fake_url = f"http://127.0.0.1:{port}"
    account, token = "AC" + "d1" * 16, "bench-token"
    fake = subprocess.Popen([sys.executable, "-m", "herinnering", "fake-twilio", "--port", str(port),
                             "--account-sid", account, "--auth-token", token],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # the fake's process needs a few seconds to start
            try:
                urllib.request.urlopen(f"{fake_url}/_fake/faults", timeout=1).read()
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the fake Twilio server did not start")
        request = urllib.request.Request(
            f"{fake_url}/_fake/faults", data=json_module.dumps({"delay": latency, "times": n + 10}).encode(),
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
        # Statuses still move at the fake, but their callbacks go nowhere: no web process takes
        # part in this workload (callbacks are the webhooks workload's), and the fake's failing
        # posts to a closed port cost more CPU than its answers to the dispatcher.
        request = urllib.request.Request(
            f"{fake_url}/_fake/callbacks", data=json_module.dumps({"lost": True}).encode(),
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
        env = {**os.environ, "HERINNERING_DATABASE_URL": url, "TWILIO_ACCOUNT_SID": account,
               "TWILIO_AUTH_TOKEN": token, "TWILIO_FROM": "DeLinde", "TWILIO_API_BASE_URL": fake_url,
               "HERINNERING_PUBLIC_URL": "http://127.0.0.1:9", "HERINNERING_REMINDERS__SEND_WINDOW": "00:00-23:59",
               "HERINNERING_DISPATCH__RATE_PER_SECOND": str(rate / workers)}
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        fake_cpu = _cpu_seconds(fake.pid)
        started = time.perf_counter()
        wrap = os.environ.get("BENCH_WRAP", "").split()  # e.g. "py-spy record -o dispatch.svg --" to profile
        procs = [subprocess.Popen([*wrap, sys.executable, "-m", "herinnering", "dispatch"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(workers)]
        errors = [p.communicate()[1].decode()[-500:] for p in procs]
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the dispatchers, now ended and waited for
        dispatcher_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        fake_cpu = _cpu_seconds(fake.pid) - fake_cpu
        load_average = round(os.getloadavg()[0], 1)
        with urllib.request.urlopen(f"{fake_url}/_fake/messages", timeout=60) as response:
            received = json_module.loads(response.read())["messages"]
    finally:
        fake.terminate()
        fake.wait()
    db = Database(url)
    async with db.begin() as connection:
        sent = (await connection.execute(select(func.count()).where(messages.c.provider_sid.is_not(None)))).scalar_one()
        segments = (await connection.execute(select(func.sum(messages.c.segments)))).scalar_one() or 0
        first, last = (await connection.execute(select(func.min(messages.c.sent_at), func.max(messages.c.sent_at)))).one()
    await db.close()
    if isinstance(first, str):  # SQLite hands aggregates back as text
        first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
    recipients = [m["to"] for m in received]
    return {"messages": n, "sent": sent, "received": len(received), "distinct": len(set(recipients)),
            "segments": int(segments), "seconds": seconds, "sending_seconds": (last - first).total_seconds(),
            "errors": [e for e in errors if e.strip()], "load_average": load_average,
            "dispatcher_cpu_ms_per_message": 1000 * dispatcher_cpu / n, "fake_cpu_ms_per_message": 1000 * fake_cpu / n}


WORKLOADS["dispatch"] = dispatch


async def webhooks(url: str, n: int, concurrency: int = 64, seconds: float = 15.0, loader: str = "auto") -> dict[str, Any]:
    """Signed `delivered` callbacks at a running `herinnering serve --no-worker` (its own
    process), then at the bare handler (`bench/peers/bare_webhook.py`) right after, from the
    same load generator: wrk (2 threads, `concurrency` connections, `seconds`) when installed,
    else an aiohttp client sending every callback once. Each callback names its own message, so
    the database's count of delivered messages checks that every acknowledged one is durable."""
    await prepare_due(url, n)
    db = Database(url)
    async with db.begin() as connection:  # sent messages waiting for their callback; nobody to plan for
        await connection.execute(text("UPDATE tenants SET active = false"))
        await connection.execute(text(
            "UPDATE messages SET state = 'sent', sent_at = send_at, provider_sid = 'SM' || lpad(CAST(id AS TEXT), 32, '0')"))
        ids = list((await connection.execute(select(messages.c.id, messages.c.provider_sid).order_by(messages.c.id))).all())
    await db.close()
    account = "AC" + "e5" * 16

    def forms() -> list[tuple[str, dict[str, str]]]:
        return [(f"/webhooks/twilio/status?m={message_id}",
                 {"AccountSid": account, "MessageSid": sid, "MessageStatus": "delivered", "SmsStatus": "delivered"})
                for message_id, sid in ids]

    async def count(connection: Any) -> dict[str, Any]:
        delivered = (await connection.execute(select(func.count()).where(messages.c.state == "delivered"))).scalar_one()
        events = (await connection.execute(text("SELECT count(*) FROM events WHERE type = 'message_delivered'"))).scalar_one()
        await connection.execute(text(  # the same starting point for the next server
            "UPDATE messages SET state = 'sent', delivered_at = NULL, provider_status = NULL WHERE state = 'delivered'"))
        await connection.execute(text("DELETE FROM events"))
        return {"delivered": delivered, "delivered_events": events}

    return await _beside_bare(url, account, forms(), count, concurrency, seconds, loader, ("messages", "events"))


async def inbound(url: str, n: int, concurrency: int = 64, seconds: float = 15.0, loader: str = "auto",
                  tenants_n: int = 20_000) -> dict[str, Any]:
    """Signed inbound SMS at `serve --no-worker`, then at the bare handler, as `webhooks` does:
    the common case, words for a person in a conversation the bot has acknowledged already
    (each tenant has its thread; message i comes from tenant i mod `tenants_n`, so no two
    requests in flight share a thread). The database's count of stored messages checks that
    every answered one is durable, and herinnering's events that each was logged once."""
    from herinnering.fakes.twilio_inbound import inbound_fields

    db = await fresh_database(url)
    await insert_tenants(db, tenants_n)
    started = datetime.now(UTC)
    async with db.begin() as connection:
        await connection.execute(text("UPDATE tenants SET active = false"))  # nobody to plan for; still found by phone
        await connection.execute(text(
            "INSERT INTO threads (key, tenant_id, phone, unknown, channel, owner, needs_reply, flagged, unread,"
            " acknowledged_at, last_message_at, created_at, updated_at, status)"
            " SELECT 'tenant:' || id, id, phone, false, 'sms', 'bot', false, false, 0, :now, :now, :now, :now, 'open'"
            " FROM tenants"), {"now": started})
        phones = list((await connection.execute(text("SELECT phone FROM tenants ORDER BY id"))).scalars())
    await db.close()
    account = "AC" + "e5" * 16
    words = ("Ik kan pas op de 5e betalen", "Mijn uitkering komt later deze maand", "Kunt u mij morgen bellen?",
             "Ik heb een nieuwe baan, vanaf volgende maand lukt het weer")
    forms = [("/webhooks/twilio/inbound", inbound_fields(account, phones[i % len(phones)], words[i % len(words)],
                                                        sid="SM" + f"{i:032x}")) for i in range(n)]

    async def count(connection: Any) -> dict[str, Any]:
        stored = (await connection.execute(text("SELECT count(*) FROM thread_messages WHERE direction = 'in'"))).scalar_one()
        events = (await connection.execute(text("SELECT count(*) FROM events WHERE type = 'inbound_message'"))).scalar_one()
        replies = (await connection.execute(text("SELECT count(*) FROM messages"))).scalar_one()
        await connection.execute(text("DELETE FROM thread_messages"))
        await connection.execute(text("DELETE FROM events"))
        await connection.execute(text("UPDATE threads SET unread = 0, needs_reply = false"))
        return {"delivered": stored, "delivered_events": events, "replies": replies}

    return await _beside_bare(url, account, forms, count, concurrency, seconds, loader,
                              ("thread_messages", "threads", "events"))


async def _beside_bare(url: str, account: str, forms: list[tuple[str, dict[str, str]]], count: Any,
                       concurrency: int, seconds: float, loader: str, tables: tuple[str, ...]) -> dict[str, Any]:
    """The same signed requests at `herinnering serve --no-worker`, then at the bare handlers,
    each right after a VACUUM of `tables`; `count` reads (and resets) what each stored."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from twilio.request_validator import RequestValidator

    use_wrk = loader == "wrk" or (loader == "auto" and shutil.which("wrk") is not None)
    token = "bench-token"
    validator = RequestValidator(token)
    results: dict[str, Any] = {"callbacks": len(forms), "loader": "wrk" if use_wrk else "aiohttp",
                               "concurrency": concurrency}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("herinnering", "bare"):
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            # signed before the clock starts: the generator's cost is not the server's
            lines = [(path, form, validator.compute_signature(base + path, form)) for path, form in forms]
            if name == "herinnering":
                env = {**os.environ, "HERINNERING_DATABASE_URL": url, "TWILIO_ACCOUNT_SID": account,
                       "TWILIO_AUTH_TOKEN": token, "HERINNERING_PUBLIC_URL": base,
                       "HERINNERING_SERVER__HOST": "127.0.0.1", "HERINNERING_SERVER__PORT": str(port)}
                wrap = os.environ.get("BENCH_WRAP", "").split()  # e.g. "py-spy record -o web.svg --" to profile
                command = [*wrap, sys.executable, "-m", "herinnering", "serve", "--no-worker"]
            else:
                env = dict(os.environ)
                command = [sys.executable, "-m", "bench.peers.bare_webhook", url, str(port), token, base]
            await _vacuum(url, tables)
            log_path = Path(folder) / f"{name}.log"
            with log_path.open("w") as log_file:
                server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
                try:
                    await _wait_ready(f"{base}/readyz")
                    await asyncio.sleep(1)  # let start-up work (the scheduler's first planning run) settle
                    cpu_before = _cpu_seconds(server.pid)
                    load = (await _wrk(base, lines, folder, concurrency, seconds) if use_wrk
                            else await _each_once(base, lines, concurrency))
                    load["server_cpu_ms_per_request"] = 1000 * (_cpu_seconds(server.pid) - cpu_before) / max(load["requests"], 1)
                finally:
                    if os.environ.get("BENCH_WRAP"):  # a profiler writes its file on Ctrl-C, not on SIGTERM
                        import signal
                        server.send_signal(signal.SIGINT)
                    else:
                        server.terminate()
                    server.wait()
            errors = log_path.read_text()
            db = Database(url)
            async with db.begin() as connection:
                counted = await count(connection)
            await db.close()
            results[name] = {**load, **counted, "load_average": round(os.getloadavg()[0], 1),
                             "server_errors": errors[-500:] if "Traceback" in errors else ""}
    return results


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process used so far: a cost per request that a busy machine
    does not distort the way it distorts a rate."""
    import os

    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _vacuum(url: str, tables: tuple[str, ...]) -> None:
    """The same table state for each server: dead rows of the previous run cleaned away."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for table in tables:
            await connection.execute(f"VACUUM ANALYZE {table}")
    finally:
        await connection.close()


async def _wait_ready(address: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(address) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{address} did not answer")


async def _wrk(base: str, lines: list[tuple[str, dict[str, str], str]], folder: str, concurrency: int,
               seconds: float) -> dict[str, Any]:
    import json as json_module
    import os
    from pathlib import Path
    from urllib.parse import urlencode

    requests = Path(folder) / "requests.tsv"
    requests.write_text("".join(f"{path}\t{urlencode(form)}\t{signature}\n" for path, form, signature in lines))
    script = Path(__file__).parent / "load" / "signed_posts.lua"
    threads = 2
    process = await asyncio.create_subprocess_exec(
        "wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(script), base,
        env={**os.environ, "BENCH_REQUESTS": str(requests), "BENCH_THREADS": str(threads)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {err.decode()}")
    done = json_module.loads(out.decode().strip().splitlines()[-1])
    errors = sum(done[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {"requests": done["requests"], "seconds": done["duration_us"] / 1e6, "errors": errors,
            "rate": done["requests"] / (done["duration_us"] / 1e6),
            "p50_ms": done["p50_us"] / 1000, "p99_ms": done["p99_us"] / 1000, "distinct": len(lines)}


async def _each_once(base: str, lines: list[tuple[str, dict[str, str], str]], concurrency: int) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(lines)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def client() -> None:
            for path, form, signature in queue:
                sent = time.perf_counter()
                async with session.post(base + path, data=form, headers={"X-Twilio-Signature": signature}) as answer:
                    await answer.read()
                latencies.append(time.perf_counter() - sent)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "seconds": seconds, "errors": sum(v for k, v in statuses.items() if k >= 300),
            "rate": len(latencies) / seconds, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)], "distinct": len(lines)}


WORKLOADS["webhooks"] = webhooks
WORKLOADS["inbound"] = inbound


async def camt_import(url: str, n: int, dry_run: bool, times: int = 1) -> dict[str, Any]:
    """`payments import` of a CAMT.053 with n entries for n tenants (dry run, or stored), `times`
    times on the same database: a second stored run must find every entry seen before."""
    from bench.data import camt053_bytes
    from herinnering.adapters.db.payment_tables import payment_transactions
    from herinnering.services.payments.intake import import_payment_file

    db = await fresh_database(url)
    await insert_tenants(db, n)
    data = camt053_bytes(n)
    settings = load_settings(environ={}).with_database(url)
    runs = []
    for _ in range(times):
        started, cpu = time.perf_counter(), time.process_time()
        intake = await import_payment_file(db, settings, SettableClock(NOW), data, "bench.xml", dry_run=dry_run)
        seconds = time.perf_counter() - started
        runs.append({**{k: v for k, v in vars(intake.report).items() if isinstance(v, int)}, "seconds": seconds,
                     "cpu_seconds": time.process_time() - cpu, "load_average": round(os.getloadavg()[0], 1)})
    async with db.begin() as connection:
        booked = (await connection.execute(select(func.count()).select_from(payment_transactions))).scalar_one()
    await db.close()
    return {"entries": n, "megabytes": len(data) / 1e6, "dry_run": dry_run, "format": intake.format, "runs": runs,
            "booked_transactions": booked, "seconds": runs[0]["seconds"]}


WORKLOADS["camt_import"] = camt_import
