"""CLI commands for trying herinnering without a provider.

    herinnering demo [--once] [--now T] [--port N]   the whole loop on SQLite with the fake Twilio server
    herinnering fake-twilio [--port 8081]            the Twilio-compatible development server
"""

from __future__ import annotations

import argparse
from pathlib import Path

from herinnering.clock import SystemClock
from herinnering.commands.common import console, parse_moment
from herinnering.config import Settings
from herinnering.demo.run import run_demo
from herinnering.fakes import twilio_server


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    start = parse_moment(args.now, settings.reminders.timezone) if args.now else SystemClock().now()
    settings = settings.with_server(port=args.port)
    return await run_demo(settings, start, once=args.once, database=Path(args.database).resolve(),
                          keep=args.keep, console=console)


async def cmd_fake_twilio(args: argparse.Namespace, settings: Settings) -> int:
    account_sid = args.account_sid or settings.twilio.account_sid or "AC" + "0" * 32
    auth_token = args.auth_token or settings.twilio.auth_token or "fake-auth-token"
    console.print(f"Fake Twilio on http://{args.host}:{args.port} (account {account_sid}); Ctrl-C to stop")
    await twilio_server.serve(args.host, args.port, account_sid, auth_token)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("demo", help="the whole loop on SQLite with the fake Twilio server")
    p.add_argument("--now", help="start the clock here (default: now)")
    p.add_argument("--once", action="store_true", help="exit after the summary instead of serving")
    p.add_argument("--port", type=int, default=8080, help="port of the web app (0: any free port)")
    p.add_argument("--database", default="herinnering-demo.db", help="the demo's SQLite file (recreated)")
    p.add_argument("--keep", action="store_true", help="keep the demo database of an earlier run")
    p.set_defaults(run=cmd_demo)

    p = commands.add_parser("fake-twilio", help="run the Twilio-compatible development server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--account-sid")
    p.add_argument("--auth-token")
    p.set_defaults(run=cmd_fake_twilio)
