"""Chaos: kill -9 the dispatcher at random moments, restart it, and prove nothing was lost
or sent twice, by comparing the database with the fake Twilio server's own log.

    python -m bench.chaos --kills 100 --tenants 2000 [--postgres]

The fake server runs in a process of its own (it survives the kills) with a little latency
on every call and some calls that fail after storing the message (500) or before (429), so
kills land mid-send. Each dispatcher is a real `herinnering dispatch` process. One tenant in
ten also gets two identical texts (a repeated bot reply): reconciliation must tell them apart.
No web process listens, so every delivery callback is lost; at the end the status sweep
(`dispatch --sweep-statuses`) asks the provider, and every message must end `delivered` or
`failed` — none left `sent`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.tables import messages

ACCOUNT = "AC" + "c4" * 16
TOKEN = "chaos-token"


TWIN_TEXT = "De Linde: dank u voor uw bericht. Wij bellen u binnen twee werkdagen. Vragen? Bel 020 123 4567."


@dataclass
class ChaosResult:
    kills: int
    planned: int
    accepted: int
    duplicates: int
    lost: int
    twins: int = 0      # tenants that were sent two identical texts
    unsettled: int = 0  # messages not `delivered` or `failed` at the end (a lost status)

    def line(self) -> str:
        return (f"kills {self.kills}, planned {self.planned} ({self.twins} pairs of identical texts), "
                f"accepted by the provider {self.accepted}, duplicates {self.duplicates}, lost {self.lost}, "
                f"not delivered or failed at the end {self.unsettled}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post_json(url: str, payload: object) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


def fake_log(url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(f"{url}/_fake/messages", timeout=30) as response:
        return json.loads(response.read())["messages"]  # type: ignore[no-any-return]


async def prepare(url: str, tenants: int) -> tuple[int, int]:
    """One message per tenant, due now (real time: dispatcher processes restart their clocks),
    and for one tenant in ten two identical texts with their body fixed (as bot replies are)."""
    from bench.workloads import prepare_due

    now = datetime.now(UTC) - timedelta(minutes=1)
    await prepare_due(url, tenants, now=now)
    db = Database(url)
    twins = tenants // 10
    async with db.begin() as connection:
        stamp = now if db.dialect == "postgresql" else now.replace(tzinfo=None)
        for copy in (1, 2):
            await connection.execute(text(
                "INSERT INTO messages (tenant_id, kind, period, idempotency_key, channel, template, variant, state,"
                " send_at, recipient, body, attempts, created_at, updated_at)"
                " SELECT id, 'bot_reply', '2026-12', 'twin:' || :copy || ':' || id, 'sms', 'bot_help', 'default',"
                " 'planned', :now, phone, :body, 0, :now, :now FROM tenants WHERE id <= :twins"
            ), {"now": stamp, "copy": str(copy), "body": TWIN_TEXT, "twins": twins})
    await db.close()
    return tenants + 2 * twins, twins


async def expected_per_recipient(url: str) -> dict[str, int]:
    """How many texts each number should get: one per message that was to be sent."""
    from herinnering.adapters.db.tables import tenants

    db = Database(url)
    async with db.begin() as connection:
        rows = (await connection.execute(
            select(tenants.c.phone, func.count()).join(messages, messages.c.tenant_id == tenants.c.id)
            .group_by(tenants.c.phone))).all()
    await db.close()
    return {phone: n for phone, n in rows}


async def outcome(url: str) -> dict[str, int]:
    db = Database(url)
    async with db.begin() as connection:
        rows = (await connection.execute(
            select(messages.c.state, func.count()).group_by(messages.c.state))).all()
    await db.close()
    return {state: n for state, n in rows}


def run_chaos(kills: int, tenants: int, db_url: str | None = None, seed: int = 1, quiet: bool = False) -> ChaosResult:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        url = db_url or f"sqlite+aiosqlite:///{folder}/chaos.db"
        planned, twins = asyncio.run(prepare(url, tenants))
        port = free_port()
        fake_url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HERINNERING_", "TWILIO_"))}
        env.update({
            "HERINNERING_DATABASE_URL": url, "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM": "DeLinde", "TWILIO_API_BASE_URL": fake_url,
            "HERINNERING_PUBLIC_URL": "http://127.0.0.1:9",  # nobody listens: callbacks are lost, as in a crash
            "HERINNERING_DISPATCH__RATE_PER_SECOND": "1000", "HERINNERING_DISPATCH__BATCH_SIZE": "50",
            "HERINNERING_DISPATCH__STALL_SECONDS": "2", "HERINNERING_DISPATCH__RETRY_BASE_SECONDS": "0.2",
            "HERINNERING_DISPATCH__MAX_ATTEMPTS": "20", "HERINNERING_DISPATCH__RETRY_MAX_SECONDS": "2",
            "HERINNERING_REMINDERS__SEND_WINDOW": "00:00-23:59",  # chaos runs at any hour
            "HERINNERING_DISPATCH__PROVIDER_TIMEOUT_SECONDS": "5",
            "HERINNERING_DISPATCH__STATUS_SWEEP_AFTER_SECONDS": "1",  # callbacks are lost: ask soon
        })
        fake = subprocess.Popen(
            [sys.executable, "-m", "herinnering", "fake-twilio", "--port", str(port),
             "--account-sid", ACCOUNT, "--auth-token", TOKEN],
            env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):  # the fake's process needs a few seconds to start
                try:
                    fake_log(fake_url)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("the fake Twilio server did not start")
            faults: list[dict[str, object]] = []
            for _ in range(planned * 3):
                roll = rng.random()
                faults.append({"status": 500, "stored": True} if roll < 0.03 else
                              {"status": 429, "code": 20429} if roll < 0.05 else
                              {"status": 500, "stored": False} if roll < 0.07 else {"delay": 0.004})
            post_json(f"{fake_url}/_fake/faults", faults)

            def dispatcher() -> subprocess.Popen[bytes]:
                return subprocess.Popen([sys.executable, "-m", "herinnering", "dispatch"],
                                        env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

            for kill in range(kills):
                before = asyncio.run(outcome(url)).get("planned", 0)
                worker = dispatcher()
                while worker.poll() is None and asyncio.run(outcome(url)).get("planned", 0) == before:
                    time.sleep(0.02)  # wait until it claims: kill it while it sends, not while it starts
                time.sleep(rng.uniform(0.0, 0.4))
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                if not quiet:
                    print(f"kill {kill + 1}: {asyncio.run(outcome(url))}", flush=True)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:  # let the last claims go stale, then settle everything
                states = asyncio.run(outcome(url))
                if set(states) <= {"failed", "delivered"}:
                    break
                time.sleep(2.2)
                subprocess.run([sys.executable, "-m", "herinnering", "dispatch", "--sweep-statuses"],
                               env=env, cwd=folder, capture_output=True, check=False)
            received = fake_log(fake_url)
        finally:
            fake.terminate()
            fake.wait()
        per_recipient: dict[str, int] = {}
        for message in received:
            per_recipient[str(message["to"])] = per_recipient.get(str(message["to"]), 0) + 1
        states = asyncio.run(outcome(url))
        expected = asyncio.run(expected_per_recipient(url))
    duplicates = sum(max(0, n - expected.get(to, 0)) for to, n in per_recipient.items())
    lost = sum(max(0, n - per_recipient.get(to, 0)) for to, n in expected.items())
    unsettled = sum(n for state, n in states.items() if state not in ("delivered", "failed"))
    return ChaosResult(kills, planned, len(received), duplicates, lost, twins, unsettled)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="use the PostgreSQL bench database")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = None
    if args.postgres:
        from bench.__main__ import postgres_url
        url = postgres_url()
    result = run_chaos(args.kills, args.tenants, url, args.seed)
    print(result.line())
    return 0 if result.duplicates == result.lost == result.unsettled == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
