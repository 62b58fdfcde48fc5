"""The peer: one APScheduler job per tenant and period in SQLAlchemyJobStore.

This is the design Twilio's appointment-reminder tutorials lead to: a started scheduler,
`add_job(send_reminder, "date", run_date=..., args=[tenant])` for every tenant, the jobs kept
in the database through SQLAlchemyJobStore (a synchronous SQLAlchemy engine). The run date is
computed the simple way a tutorial would (collection day minus three days at 10:00), which
is less work than herinnering's SEPA-aware planner.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, text

TZ = ZoneInfo("Europe/Amsterdam")


def send_reminder(tenant_id: int) -> None:
    """What the job would run (never runs here: the scheduler is paused)."""


def sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


def plan_with_apscheduler(url: str, year: int, month: int, limit: int) -> tuple[int, float]:
    """Schedule one job per tenant; returns (jobs, seconds)."""
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
        tenants = connection.execute(
            text("SELECT id, collection_day FROM tenants ORDER BY id LIMIT :n"), {"n": limit}
        ).fetchall()
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)}, timezone=TZ)
    scheduler.start(paused=True)
    started = time.perf_counter()
    for tenant_id, day in tenants:
        run_date = datetime.combine(date(year, month, day) - timedelta(days=3), datetime.min.time(), TZ)
        scheduler.add_job(send_reminder, "date", run_date=run_date.replace(hour=10), args=[tenant_id],
                          id=f"reminder-{tenant_id}-{year}-{month:02d}", replace_existing=True)
    seconds = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    engine.dispose()
    return len(tenants), seconds
