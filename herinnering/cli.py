"""The `herinnering` command: parse arguments, call a service, print. Nothing else.

Each command lives in a module of `herinnering/commands/` named for its area, which adds its
parsers (`register`). `COMMANDS` says which module holds which command: `herinnering dispatch`
imports the reminders commands only, not the web app, the experiments' statistics or the PDF
code, so a command run from cron starts quickly; `herinnering --help` imports none of them.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence

from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from herinnering.commands.audit_hook import run_audited
from herinnering.commands.common import err
from herinnering.config import load_settings
from herinnering.config import logging as logging_config
from herinnering.errors import HerinneringError
from herinnering.logging_setup import configure as configure_logging
from herinnering.logging_setup import describe_error

# command -> (the module in herinnering/commands that registers it, its line in `--help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "migrate": ("server", "create or upgrade the database"),
    "import": ("tenants", "import tenants from the ERP's CSV export"),
    "plan": ("reminders", "plan the pre-debit reminders of a month"),
    "dispatch": ("reminders", "send what is due now, then stop"),
    "serve": ("server", "run the web app and the scheduler"),
    "worker": ("server", "send due messages only (several may run on PostgreSQL)"),
    "demo": ("demo", "the whole loop on SQLite with the fake Twilio server"),
    "payments": ("payments", "payment intake, balances and payment links"),
    "fake-mollie": ("payments", "run the Mollie-compatible development server"),
    "ladder": ("collection", "where a tenant stands in the follow-up ladder and what comes next"),
    "ladder-tick": ("collection", "carry out the ladder steps that are due now"),
    "pause": ("collection", "pauzeknop: no reminders, links or ladder steps for a tenant"),
    "resume": ("collection", "end a tenant's pause; the ladder continues where it was"),
    "arrangement": ("collection", "betalingsregelingen"),
    "mvi": ("collection", "record the MVI steps of an arrears case"),
    "wgs-export": ("collection", "the cases ready for the municipality's early-warning report"),
    "user": ("conversations", "officers' accounts for the inbox"),
    "experiment": ("experiments", "A/B experiments on message wording: list, report, simulate"),
    "letter": ("legal", "generate a letter (PDF) from the tenant's arrears case: the written reminder or the "
               "14-day letter; it counts once posted"),
    "post-batch": ("legal", "gather every generated paper letter into one PDF to print, with a list"),
    "posted": ("legal", "mark a post batch posted: its letters' terms run from that day"),
    "post-letter": ("legal", "mark one letter posted by registered mail or delivered by e-mail"),
    "cases": ("legal", "the open arrears cases: months, total, in arrears since"),
    "proof": ("legal", "the proof bundle of an arrears case (PDF and HTML) for a lawyer"),
    "objection": ("legal", "record that the tenant objects to passing data to the municipality"),
    "wgs-feedback": ("legal", "import the municipality's answers to early-warning signals (CSV)"),
    "costs": ("legal", "the statutory collection costs and the 14-day letter's dates"),
    "recollect": ("tenants", "re-collections after a returned debit (SEPA pain.008)"),
    "collection-day": ("tenants", "collection-day changes the tenant chose (DAG, mijn huur)"),
    "tenant-page": ("tenants", "the tenant's personal 'mijn huur' page"),
    "segments": ("tenants", "klantprofielen: compute and store today's segment of every tenant"),
    "pre-debit-opt-out": ("tenants", "the tenant's own wish: no reminder before the debit (segments that allow it)"),
    "token": ("privacy", "API tokens for the JSON API (stored hashed)"),
    "export-tenant": ("privacy", "a tenant's full data as JSON (AVG right of access)"),
    "end-contract": ("privacy", "record the day a tenant's lease ended"),
    "purge": ("privacy", "remove tenants whose contract ended long ago; keep anonymous counts"),
    "changes": ("changes", "the change feed for the ERP and the bank"),
    "screenshots": ("screenshots", "PNGs of the officers' main screens at desktop and phone width"),
    "templates": ("templates", "message templates"),
    "fake-twilio": ("demo", "run the Twilio-compatible development server"),
}


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the line, read past the global options."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--config")
    first.add_argument("-v", "--verbose", action="store_true")
    _, rest = first.parse_known_args(argv)
    return next((word for word in rest if not word.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command's arguments (`argv` None), or only those of the command
    `argv` names: the others are listed with their help line and load nothing."""
    parser = argparse.ArgumentParser(
        prog="herinnering", description="Kind, correct rent reminders and payment links for housing corporations."
    )
    parser.add_argument("--config", help="a TOML file with settings that override config/default.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    chosen = None if argv is None else COMMANDS.get(_chosen(argv) or "", (None,))[0]
    registered: set[str] = set()
    for name, (module, help_line) in COMMANDS.items():
        if name in commands.choices:
            continue
        if argv is None or module == chosen:
            if module not in registered:
                importlib.import_module(f"herinnering.commands.{module}").register(commands)
                registered.add(module)
            if name in commands.choices:
                continue
        commands.add_parser(name, help=help_line)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    if not hasattr(args, "run"):  # the command was not where `_chosen` looked: parse with every module
        args = build_parser().parse_args(words)
    configure_logging(logging_config.shipped(), args.verbose)  # masked from the first record on
    try:
        settings = load_settings(args.config)
        configure_logging(settings.logging, args.verbose, secrets=(
            settings.twilio.auth_token, settings.payments.api_token, settings.payments.mollie_api_key))
        return asyncio.run(run_audited(args, settings))  # officers' commands go into the audit log
    except HerinneringError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)  # "[twilio] key" is no markup
        return 2
    except KeyboardInterrupt:
        return 130
    except SQLAlchemyError as exc:  # no traceback: a driver's message may quote the values it refused
        err.print(f"[red]error:[/] the database refused the change: {escape(describe_error(exc))}; "
                  "nothing of it was stored", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
