"""A fleet you can observe: two `herinnering worker` processes and one `serve --no-worker` on
one PostgreSQL, sending through the shipped fake Twilio server. Each worker's sends and
provider errors are read from its own /metrics, and /healthz on the web process reports the
open circuit that a worker's breaker opened (shared through the database)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.db.tables import tenants
from tests.conftest import _fresh_postgres

MESSAGES = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def due_messages(url: str, n: int) -> None:
    """n tenants with one SMS reminder each, due a minute ago."""
    now = datetime.now(UTC)
    db = Database(url)
    try:
        await upgrade(db)
        async with db.begin() as connection:
            await connection.execute(tenants.insert(), [{
                "external_id": f"F-{i:05d}", "name": f"Huurder {i}", "phone": f"+316{20_000_000 + i:08d}",
                "channel": "sms", "language": "nl", "monthly_rent_cents": 65_000, "collection_day": 1,
                "iban": None, "active": True, "opted_out": False, "created_at": now, "updated_at": now,
            } for i in range(n)])
            await connection.execute(text(
                "INSERT INTO messages (tenant_id, kind, period, idempotency_key, channel, template, variant, state,"
                " send_at, debit_date, attempts, created_at, updated_at)"
                " SELECT id, 'pre_debit', '2026-12', 'fleet:' || id, 'sms', 'pre_debit', 'default', 'planned',"
                " :due, :debit, 0, :due, :due FROM tenants"), {"due": now - timedelta(minutes=1), "debit": date(2026, 12, 1)})
    finally:
        await db.close()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def metric(session: aiohttp.ClientSession, url: str, name: str) -> float:
    """The sum of a counter's samples (every label) at a /metrics endpoint; 0 when absent."""
    try:
        async with session.get(url) as response:
            body = await response.text()
    except aiohttp.ClientError:
        return 0.0
    return sum(sample.value for family in text_string_to_metric_families(body)
               for sample in family.samples if sample.name == name)


async def until(check: Any, what: str, timeout: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_two_workers_report_their_sends_and_errors_and_the_web_process_reports_their_open_circuit(
    postgres_url: str, fake_twilio: Any, processes: list[subprocess.Popen[bytes]]
) -> None:
    await _fresh_postgres(postgres_url)
    await due_messages(postgres_url, MESSAGES)
    web_port = free_port()
    web = f"http://127.0.0.1:{web_port}"
    env = {**os.environ, "HERINNERING_DATABASE_URL": postgres_url, "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
           "TWILIO_AUTH_TOKEN": fake_twilio.auth_token, "TWILIO_FROM": "DeLinde", "TWILIO_API_BASE_URL": fake_twilio.url,
           "HERINNERING_PUBLIC_URL": web, "HERINNERING_SERVER__HOST": "127.0.0.1",
           "HERINNERING_SERVER__PORT": str(web_port), "HERINNERING_REMINDERS__SEND_WINDOW": "00:00-23:59",
           "HERINNERING_DISPATCH__RATE_PER_SECOND": "10", "HERINNERING_DISPATCH__CONCURRENCY": "2",
           "HERINNERING_DISPATCH__BATCH_SIZE": "4", "HERINNERING_DISPATCH__INTERVAL_SECONDS": "0.2",
           "HERINNERING_DISPATCH__CIRCUIT_WINDOW": "4", "HERINNERING_DISPATCH__CIRCUIT_COOL_DOWN_SECONDS": "600"}
    processes.append(subprocess.Popen([sys.executable, "-m", "herinnering", "serve", "--no-worker"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    workers = []
    for _ in range(2):
        port = free_port()
        workers.append(f"http://127.0.0.1:{port}/metrics")
        processes.append(subprocess.Popen([sys.executable, "-m", "herinnering", "worker"],
                                          env={**env, "HERINNERING_SERVER__METRICS_PORT": str(port)},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async def each_worker_sent() -> bool:
            return all([await metric(session, url, "herinnering_sends_total") >= 1 for url in workers])

        await until(each_worker_sent, "both workers' sends on their /metrics")
        fake_twilio.add_fault(status=500, times=10_000)  # the provider falls over

        async def each_worker_saw_errors() -> bool:
            return all([await metric(session, url, "herinnering_provider_errors_total") >= 1 for url in workers])

        await until(each_worker_saw_errors, "both workers' provider errors on their /metrics")

        async def web_reports_open() -> bool:
            try:
                async with session.get(f"{web}/healthz") as response:
                    return (await response.json())["provider_circuit"] == "open"
            except aiohttp.ClientError:
                return False

        await until(web_reports_open, "/healthz on the web process reporting the open circuit")
        async with session.get(f"{web}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "degraded"
        accepted = sum([await metric(session, url, "herinnering_sends_total") for url in workers])
    assert 2 <= accepted <= MESSAGES
    received = len(fake_twilio.messages)
    assert received == len({m["to"] for m in fake_twilio.messages})  # nothing sent twice
