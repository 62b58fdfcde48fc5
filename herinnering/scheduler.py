"""APScheduler as an in-process trigger, nothing more.

Two jobs: plan (at start and daily) and dispatch (every few seconds). The truth lives in our
tables, so a job that runs twice, late, or in a second process does no harm; there is no
APScheduler job store to share. `misfire_grace_time` is raised from its 1-second default,
which would silently skip a late run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from herinnering.clock import SystemClock
from herinnering.domain.reminders.planning import Period
from herinnering.errors import HerinneringError
from herinnering.runtime import Runtime
from herinnering.services import changes
from herinnering.services.payments.collection import ladder_job
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from herinnering.services.reminders.status_sweep import sweep_job
from herinnering.services.tenants.segments import segments_job

log = logging.getLogger(__name__)


def periods_to_plan(now: datetime, runtime: Runtime) -> list[Period]:
    """This month and the next: a reminder for the 1st is sent in the last days of the month before."""
    current = Period.of(now.astimezone(runtime.settings.reminders.timezone).date())
    return [current, current.next()]


async def plan_job(runtime: Runtime) -> None:
    async with runtime.db.try_lock("plan") as mine:
        if not mine:  # another process is planning right now; the work is idempotent anyway
            return
        await _plan(runtime)


async def _plan(runtime: Runtime) -> None:
    for period in periods_to_plan(runtime.clock.now(), runtime):
        report = await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, period)
        log.info("planned %s: %d new reminders, %d already planned", period, report.created,
                 report.planned - report.created)


async def dispatch_job(dispatcher: Dispatcher) -> None:
    """Send until nothing is due (not one batch per interval: that would cap the rate)."""
    try:
        report = await dispatcher.run_until_idle()
    except HerinneringError as exc:
        log.error("dispatch stopped: %s", exc)
        return
    except Exception as exc:
        if not database_gone(exc):
            raise
        # Claims a broken tick left in `sending` are settled by a later one (looked up, not re-sent).
        log.warning("dispatch tick lost the database (%s); the next tick reconnects", type(exc).__name__)
        return
    if report.claimed or report.reconciled or report.cancelled:
        log.info("dispatch: %d claimed, %d sent, %d failed, %d retry, %d unknown, %d cancelled",
                 report.claimed, report.sent, report.failed, report.retried, report.unknown, report.cancelled)


async def status_sweep_job(dispatcher: Dispatcher) -> None:
    """Ask the provider about messages still `sent` long after sending (services/reminders/status_sweep.py)."""
    try:
        await sweep_job(dispatcher.rt, dispatcher.sender)
    except Exception as exc:
        if not database_gone(exc):
            raise
        log.warning("status sweep lost the database (%s); the next one tries again", type(exc).__name__)


def database_gone(exc: BaseException) -> bool:
    """A dropped or refused database connection, alone or among a task group's errors."""
    if isinstance(exc, BaseExceptionGroup):
        return all(database_gone(inner) for inner in exc.exceptions)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | OSError)


def build_scheduler(runtime: Runtime, dispatcher: Dispatcher | None, *, planning: bool = True) -> AsyncIOScheduler:
    """`planning`: the once-a-day work (plan, ladder); `dispatcher`: sending. `serve` has both,
    `worker` only sends, `serve --no-worker` only plans."""
    settings = runtime.settings
    scheduler = AsyncIOScheduler(
        timezone=settings.reminders.timezone,
        job_defaults={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
    )
    if dispatcher is not None:
        scheduler.add_job(dispatch_job, "interval", seconds=settings.dispatch.interval_seconds,
                          args=[dispatcher], id="dispatch")
        scheduler.add_job(status_sweep_job, "interval", seconds=settings.dispatch.status_sweep_interval_seconds,
                          args=[dispatcher], id="status-sweep")  # lost delivery callbacks
    if not planning:
        return scheduler
    scheduler.add_job(plan_job, "cron", hour=6, minute=0, args=[runtime], id="plan",
                      next_run_time=SystemClock().now())
    scheduler.add_job(ladder_job, "interval", minutes=30, args=[runtime], id="ladder", next_run_time=SystemClock().now())
    if settings.changes.webhook_url:  # the change feed pushed to the ERP's webhook
        scheduler.add_job(changes.push_job, "interval", seconds=settings.changes.interval_seconds, args=[runtime],
                          id="changes-push")
    scheduler.add_job(segments_job, "cron", hour=5, minute=30, args=[runtime], id="segments")  # klantprofielen, daily (issue 10)
    return scheduler
