"""Runs a command and, for the commands that change or hand out tenants' data (an officer's
work done at the command line), writes one audit entry: who, which command, its arguments,
the exit code. Read-only and infrastructure commands (demo, serve, templates …) are not
audited; the privacy commands write their own, richer entries."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from herinnering.config import Settings
from herinnering.services.privacy.audit import command_run

log = logging.getLogger(__name__)
AUDITED = frozenset({
    "import", "payments", "ladder-tick", "pause", "resume", "arrangement", "mvi", "wgs-export", "user",
    "letter", "proof", "objection", "wgs-feedback", "costs", "recollect", "collection-day", "tenant-page",
})
_NOT_ARGUMENTS = {"run", "config", "verbose", "command"}


def _arguments(args: argparse.Namespace) -> dict[str, Any]:
    return {key: value for key, value in sorted(vars(args).items())
            if key not in _NOT_ARGUMENTS and isinstance(value, str | int | float | bool) and value is not False}


async def run_audited(args: argparse.Namespace, settings: Settings) -> int:
    code: int = await args.run(args, settings)
    if args.command in AUDITED:
        try:
            await command_run(settings, args.command, _arguments(args), code)
        except (OSError, SQLAlchemyError) as exc:
            log.error("could not write the audit entry for %s: %s", args.command, type(exc).__name__)
    return code
