"""CLI commands of the security and privacy area.

    herinnering token create NAME | list | revoke NAME     API tokens (shown once, stored hashed)
    herinnering export-tenant ID [--out FILE]              a tenant's full data as JSON (right of access)
    herinnering end-contract ID --on DATE | --reopen       the day the lease ended (retention counts from it)
    herinnering purge [--older-than 24m] [--dry-run]       remove each kind of data past its term; keep counts

Every one of them is written to the audit log as `cli:<user>`.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

from rich.table import Table

from herinnering.bootstrap import open_runtime
from herinnering.commands.common import console, err, make_clock
from herinnering.config import Settings
from herinnering.domain.privacy.retention import parse_age
from herinnering.errors import BadInput
from herinnering.services.privacy import api_tokens, privacy
from herinnering.services.privacy.audit import operator_action

KEPT_BECAUSE = {
    "proof": "proof of the early-warning steps and letters (proof_retention_months: a claim can reach court)",
    "consents": "WhatsApp consents (consent_retention_months: the proof the messages above went under)",
    "administration": "dues, payments, returns and arrangements (administration_retention_months: the fiscal "
                      "retention duty, AWR art. 52)",
}


async def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        token = await api_tokens.create(runtime, args.name)
        await operator_action(runtime, "api_token_created", token=args.name)
    print(token)  # plain, so a script can capture it; the only time it is shown
    err.print(f"Token {args.name!r} created. Store it now: it is not kept and cannot be shown again.",
              highlight=False)
    return 0


async def cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tokens = await api_tokens.listing(runtime)
    table = Table(title="API tokens")
    for column in ("name", "starts with", "created", "last used", "revoked"):
        table.add_column(column)
    for t in tokens:
        table.add_row(t.name, t.prefix + "…", f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
                      f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "-")
    console.print(table)
    return 0


async def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        await api_tokens.revoke(runtime, args.name)
        await operator_action(runtime, "api_token_revoked", token=args.name)
    console.print(f"Token {args.name!r} revoked.")
    return 0


async def cmd_export_tenant(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        data = await privacy.export_tenant(runtime, args.tenant)
        await operator_action(runtime, "tenant_exported", tenant_id=data["tenant"]["id"])
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    if args.out:
        path = Path(args.out)
        path.write_text(text + "\n", encoding="utf-8")
        os.chmod(path, 0o600)  # personal data: readable by the operator only
        console.print(f"Wrote the data of tenant {data['tenant']['external_id']} to {path}")
    else:
        print(text)
    return 0


async def cmd_end_contract(args: argparse.Namespace, settings: Settings) -> int:
    if not args.reopen and not args.on:
        raise BadInput("give --on DATE (the last day of the lease) or --reopen")
    try:
        on = None if args.reopen else date.fromisoformat(args.on)
    except ValueError:
        raise BadInput(f"--on: {args.on!r} is not a date like 2026-12-31") from None
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant_id = await privacy.end_contract(runtime, args.tenant, on)
        await operator_action(runtime, "contract_ended" if on else "contract_reopened", tenant_id=tenant_id,
                              **({"on": on.isoformat()} if on else {}))
    console.print(f"Contract {args.tenant}: " + (f"ended on {on:%d-%m-%Y}" if on else "running again"))
    return 0


async def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    try:
        months = parse_age(args.older_than) if args.older_than else settings.privacy.retention_months
    except ValueError as exc:
        raise BadInput(f"--older-than: {exc}") from None
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await privacy.purge(runtime, months, dry_run=args.dry_run)
        if not args.dry_run:
            await operator_action(runtime, "purge", months=months, cutoff=report.cutoff.isoformat(),
                                  tenants=report.tenants)
    verb = "would remove" if args.dry_run else "removed"
    console.print(f"Contracts ended before {report.cutoff:%d-%m-%Y} ({months} months): {verb} {report.tenants} "
                  f"tenants with all their data; {report.aggregates} anonymous counts "
                  + ("would be kept" if args.dry_run else "kept"))
    if report.kept_for_proof:
        console.print(f"  {report.kept_for_proof} tenants: messages {verb}; kept until their own term ([privacy]):")
        for kind, n in sorted(report.kept.items()):
            console.print(f"    {n} with {KEPT_BECAUSE[kind]}")
    if report.exports:
        console.print(f"  {report.exports} export files removed")
    for table, n in sorted(report.rows.items()):
        console.print(f"  {table}: {n} rows")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    token = commands.add_parser("token", help="API tokens for the JSON API (stored hashed)")
    actions = token.add_subparsers(dest="token_command", required=True)
    p = actions.add_parser("create", help="make a token and print it once")
    p.add_argument("name", help="who uses it, e.g. erp-connector")
    p.set_defaults(run=cmd_token_create)
    actions.add_parser("list", help="the tokens, without their secrets").set_defaults(run=cmd_token_list)
    p = actions.add_parser("revoke", help="stop a token from working")
    p.add_argument("name")
    p.set_defaults(run=cmd_token_revoke)

    p = commands.add_parser("export-tenant", help="a tenant's full data as JSON (AVG right of access)")
    p.add_argument("tenant", help="the contract id (HC-…) or the database id")
    p.add_argument("--out", help="write to this file (mode 600) instead of standard output")
    p.set_defaults(run=cmd_export_tenant)

    p = commands.add_parser("end-contract", help="record the day a tenant's lease ended")
    p.add_argument("tenant", help="the contract id (HC-…) or the database id")
    p.add_argument("--on", help="the last day of the lease, e.g. 2026-12-31")
    p.add_argument("--reopen", action="store_true", help="the contract runs again (the end date is cleared)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_end_contract)

    p = commands.add_parser("purge", help="remove tenants whose contract ended long ago; keep anonymous counts")
    p.add_argument("--older-than", help="the term of message bodies and logs, e.g. 24m or 2y (default: [privacy] "
                   "retention_months); proof and consents keep their own longer terms")
    p.add_argument("--dry-run", action="store_true", help="count only; remove nothing")
    p.add_argument("--now", help="purge as if it were this moment")
    p.set_defaults(run=cmd_purge)
