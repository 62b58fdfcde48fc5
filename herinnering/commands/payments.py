"""CLI commands of the payments area.

    herinnering payments import FILE [--dry-run]          a CAMT.053/.054 bank file or the ERP's CSV
    herinnering payments show --tenant HC-100101           months, statuses, balance, links
    herinnering payments link --tenant HC-100101 --period 2026-12 [--amount 656,36]
    herinnering payments matches [--tenant HC-100101] | undo-match ID    matches made here, and undoing one
    herinnering payments statement --tenant HC-100101 [--pdf FILE]     the account statement, running balance
    herinnering payments payer --tenant HC-100101 --iban NL.. --label "budgetbeheer gemeente"
    herinnering fake-mollie [--port 8082]                  the Mollie-compatible development server
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

from rich.table import Table

from herinnering.adapters.templates import money
from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.commands.common import add_now, console, err, make_clock, read_input
from herinnering.config import Settings
from herinnering.domain.payments.state import parse_amount_cents
from herinnering.domain.reminders.planning import Period
from herinnering.errors import BadInput
from herinnering.fakes import mollie_server
from herinnering.services.payments import account, bank_matching, statement
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.privacy.audit import operator_action
from herinnering.services.tenants import lookup


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    data = read_input(path)
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        intake = await import_payment_file(runtime.db, settings, runtime.clock, data, path.name, dry_run=args.dry_run)
        names = await lookup.contract_ids(runtime, (c.tenant_id for c in intake.report.changes))
    report = intake.report
    for note in report.skipped:
        console.print(f"skipped {note}", highlight=False)
    for change in report.changes:
        reason = f" ({change.reason_code})" if change.reason_code else ""
        console.print(f"{names.get(change.tenant_id, change.tenant_id)} {change.period}: {change.status}{reason}, "
                      f"outstanding {money(change.outstanding_cents, 'nl')}", highlight=False)
    for contract, period, confidence, why in report.matched_by_signs:
        console.print(f"recognised without a contract id: {contract} {period} ({confidence}%: {why})",
                      highlight=False)
    verb = "Checked (dry run: nothing stored)" if intake.dry_run else "Imported"
    console.print(f"{verb} {path.name} ({intake.format}): {report.summary()}", highlight=False)
    return 0


async def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        found = await account.overview(runtime, args.tenant)
    tenant, months, balance, links = found.tenant, found.months, found.outstanding_cents, found.links
    table = Table(title=f"Payments of {tenant.external_id}")
    for column in ("month", "status", "due", "paid", "outstanding", "reason", "last source"):
        table.add_column(column)
    for m in months:
        table.add_row(m.period, m.status, money(m.amount_due_cents, "nl"), money(m.amount_paid_cents, "nl"),
                      money(m.outstanding_cents, "nl"), m.reason_code or "", m.source)
    console.print(table)
    console.print(f"Outstanding over all months: {money(balance, 'nl')}", highlight=False)
    for link in links:
        console.print(f"link {link.period} {money(link.amount_cents, 'nl')} {link.state} "
                      f"(until {link.expires_at:%d-%m-%Y}): {link.url}", highlight=False)
    return 0


async def cmd_link(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = str(Period.parse(args.period))
        amount = parse_amount_cents(args.amount) if args.amount else None
    except ValueError as exc:
        raise BadInput(f"{exc}") from None
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        link = await account.link_for_month(runtime, args.tenant, period, amount, runtime.clock.now())
    if link is None:
        console.print(f"{args.tenant} {period} is paid: no link needed.")
        return 0
    console.print(link.url, highlight=False, soft_wrap=True)
    err.print(f"{money(link.amount_cents, 'nl')} for {link.description}; valid until "
              f"{link.expires_at.astimezone(settings.reminders.timezone):%d-%m-%Y %H:%M}", highlight=False)
    return 0


async def cmd_statement(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, lines = await account.statement_of(runtime, args.tenant)
        language = args.language or tenant.language
        words = statement.labels(runtime.templates.env, language)
        if args.pdf:
            shown_as = SimpleNamespace(**{**tenant._mapping, "language": language})
            Path(args.pdf).write_bytes(statement.render_pdf(lines, words, settings, shown_as))
    table = Table(title=f"{words.title} — {tenant.external_id}")
    for column in (words.date, words.what, words.amount, words.balance):
        table.add_column(column)
    for row in statement.rows(lines, words, language):
        table.add_row(row["date"], row["what"], row["amount"], row["balance"])
    console.print(table)
    console.print(f"{words.total}: {money(lines.balance_cents, language)}", highlight=False)
    if args.pdf:
        err.print(f"PDF written to {args.pdf}", highlight=False)
    return 0


async def cmd_matches(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        rows = await account.matches(runtime, args.tenant)
    table = Table(title="Payments matched by hand or by their signs (undo with: payments undo-match ID)")
    for column in ("id", "contract", "month", "amount", "booked", "how"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.external_id, r.period or "", money(r.amount_cents, "nl"),
                      f"{r.booked_on:%d-%m-%Y}" if r.booked_on else "-", r.reference or "")
    console.print(table)
    return 0


async def cmd_undo_match(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        change, contract_id = await account.undo_match(runtime, args.id, by="cli")
        await operator_action(runtime, "payment_match_undone", transaction=args.id)
    console.print(f"Payment {args.id} is unmatched again and back on the work list; "
                  f"{contract_id} {change.period} is now {change.status}, outstanding "
                  f"{money(change.outstanding_cents, 'nl')}.", highlight=False)
    return 0


async def cmd_payer_add(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        new = await bank_matching.add_payer(runtime, args.tenant, args.iban, args.label, by="cli")
        await operator_action(runtime, "payer_added", tenant=args.tenant, label=args.label)
    console.print(f"{'Registered' if new else 'Already known'}: {args.label} pays for {args.tenant}; transfers "
                  "from that account are matched to this tenant.", highlight=False)
    return 0


async def cmd_fake_mollie(args: argparse.Namespace, settings: Settings) -> int:
    key = args.api_key or settings.payments.mollie_api_key or mollie_server.DEFAULT_API_KEY
    console.print(f"Fake Mollie on http://{args.host}:{args.port} (key {key[:5]}…); Ctrl-C to stop")
    await mollie_server.serve(args.host, args.port, key)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    parser = commands.add_parser("payments", help="payment intake, balances and payment links")
    sub = parser.add_subparsers(dest="payments_command", required=True)

    p = sub.add_parser("import", help="import a CAMT.053/.054 bank file or the ERP's payment CSV")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="check and match only; store nothing")
    p.add_argument("--now", help="record as if it were this moment")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("show", help="a tenant's months, statuses, balance and links")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("link", help="make (or reuse) a payment link and print its URL")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.add_argument("--period", required=True, help="the rent month, e.g. 2026-12")
    p.add_argument("--amount", help="default: what is outstanding for that month")
    add_now(p)
    p.set_defaults(run=cmd_link)

    p = sub.add_parser("statement", help="a tenant's account statement: dues, payments, returns, costs, running "
                       "balance")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.add_argument("--pdf", help="also write it as a PDF to this file")
    p.add_argument("--language", choices=("nl", "en", "tr", "ar", "pl"), help="default: the tenant's own")
    add_now(p)
    p.set_defaults(run=cmd_statement)

    p = sub.add_parser("matches", help="payments matched by hand or by their signs (the ones that can be undone)")
    p.add_argument("--tenant", help="only this contract id")
    p.set_defaults(run=cmd_matches)

    p = sub.add_parser("undo-match", help="take back a match made by hand or by its signs")
    p.add_argument("id", type=int, help="the payment's id from `payments matches`")
    add_now(p)
    p.set_defaults(run=cmd_undo_match)

    p = sub.add_parser("payer", help="an account that pays a tenant's rent (partner, budgetbeheer, schuldhulp)")
    p.add_argument("--tenant", required=True, help="the contract id, e.g. HC-100101")
    p.add_argument("--iban", required=True)
    p.add_argument("--label", required=True, help="who pays, e.g. 'budgetbeheer gemeente'")
    add_now(p)
    p.set_defaults(run=cmd_payer_add)

    p = commands.add_parser("fake-mollie", help="run the Mollie-compatible development server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8082)
    p.add_argument("--api-key", help="the key clients must send (default: payments.mollie_api_key or a test_ key)")
    p.set_defaults(run=cmd_fake_mollie)
