"""What every command shares: the consoles, the `--now` clock, a worker's name, and reading the
dates, amounts and officer names typed on the command line."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from herinnering.clock import Clock, OffsetClock, SettableClock, SystemClock
from herinnering.config import Settings
from herinnering.domain.payments.state import check_amount_range
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


def day_option(text: str, option: str) -> date:
    """An ISO date given to `option`, or an error naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option}: {text!r} is not a date like 2027-01-15") from None


def cents_option(text: str) -> int:
    """An amount as people type it (745,50 · € 1.042,32 · 745.50) in cents, checked for range."""
    try:
        amount = Decimal(text.replace("€", "").strip().replace(".", "").replace(",", ".")
                        if "," in text else text.replace("€", "").strip())
    except InvalidOperation:
        raise BadInput(f"--amount: {text!r} is not an amount like 745,50") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise BadInput(f"--amount: {text!r} must be positive with at most two decimals")
    try:
        return check_amount_range(int(amount * 100), text)
    except ValueError as exc:
        raise BadInput(f"--amount: {exc}") from None


def officer(args: argparse.Namespace) -> str:
    """Who does it: `--by`, or the login of whoever runs the command."""
    return getattr(args, "by", None) or f"cli:{getpass.getuser()}"


def euros(cents: int) -> str:
    return f"€ {Decimal(cents) / 100:.2f}".replace(".", ",")
