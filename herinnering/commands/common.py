"""What every command shares: the consoles, the `--now` clock and a worker's name."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from herinnering.clock import Clock, OffsetClock, SettableClock, SystemClock
from herinnering.config import Settings
from herinnering.errors import BadInput

# Piped output (logs, tests, cron mail) is not cut at 80 columns.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)


def parse_moment(text: str, timezone: ZoneInfo) -> datetime:
    """ISO date-time; without an offset it is local time (Europe/Amsterdam by default)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--now: {text!r} is not a date-time like 2026-12-01T10:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def add_now(parser: argparse.ArgumentParser) -> None:
    """The `--now` option of a command that can run as if it were another moment (tests, demos)."""
    parser.add_argument("--now", help="as if it were this moment (local time unless an offset is given)")


def make_clock(args: argparse.Namespace, settings: Settings, *, moving: bool = False) -> Clock:
    """The system clock, or one set to `--now` (standing still, or `moving` at real speed)."""
    if not getattr(args, "now", None):
        return SystemClock()
    start = parse_moment(args.now, settings.reminders.timezone)
    return OffsetClock(start) if moving else SettableClock(start)


def read_input(path: Path) -> bytes:
    """The bytes of an input file, or an error naming it (no traceback for a typo in a path)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None


def worker_id() -> str:
    """Names a sending process in the claims it makes: host, process id and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
