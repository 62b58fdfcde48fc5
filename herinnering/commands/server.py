"""CLI commands of the long-running processes and the database they share.

    herinnering migrate                   create or upgrade the database
    herinnering serve [--now T] [--no-worker]   the web app, the webhooks and the scheduler
    herinnering worker [--now T]          send due messages only (several may run on PostgreSQL)
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack

from herinnering import metrics
from herinnering.bootstrap import open_runtime, refuse_unsafe_web
from herinnering.clock import SystemClock
from herinnering.commands.common import console, make_clock, worker_id
from herinnering.config import Settings
from herinnering.scheduler import build_scheduler
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.web.app import serving


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False):
        console.print(f"Database is up to date: {settings.database.url}")
    return 0


async def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if not args.no_worker:
        settings.twilio.require()
    refuse_unsafe_web(settings)  # with or without a worker: this process answers the webhooks
    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime, \
            serving(runtime, settings.server.host, settings.server.port) as url:
        dispatcher = None if args.no_worker else Dispatcher(runtime, worker_id())
        scheduler = build_scheduler(runtime, dispatcher, planning=True)
        scheduler.start()
        console.print(f"Serving on {url}{' (no sending: run workers)' if args.no_worker else ''}; Ctrl-C to stop")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
    return 0


async def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch only: run as many as the provider's rate needs, beside one `serve --no-worker`."""
    settings.twilio.require()
    async with open_runtime(settings, make_clock(args, settings, moving=True)) as runtime, AsyncExitStack() as stack:
        if settings.server.metrics_port:  # every worker's sends and errors reach Prometheus
            url = await stack.enter_async_context(metrics.serving(settings.server.host, settings.server.metrics_port))
            console.print(f"Metrics on {url}")
        scheduler = build_scheduler(runtime, Dispatcher(runtime, worker_id()), planning=False)
        scheduler.start()
        console.print("Worker sending due messages; Ctrl-C to stop")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(run=cmd_migrate)

    p = commands.add_parser("serve", help="run the web app and the scheduler")
    p.add_argument("--now", help="run with a clock that starts at this moment")
    p.add_argument("--no-worker", action="store_true", help="web and planning only; `herinnering worker` sends")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("worker", help="send due messages only (several may run on PostgreSQL)")
    p.add_argument("--now", help="run with a clock that starts at this moment")
    p.set_defaults(run=cmd_worker)
