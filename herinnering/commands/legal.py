"""CLI commands of the lawful area: letters, the proof bundle, objections and the municipality's answers.

    herinnering letter --tenant HC-… --kind veertiendagenbrief --out brief.pdf [--post-on DATE] [--channel letter]
    herinnering post-batch --out batch.pdf                              every generated paper letter, to print
    herinnering posted BATCH --on DATE                                  the batch went into the post that day
    herinnering post-letter LETTER --on DATE (--registered T&T | --email-delivered RECORD)
    herinnering cases                                                   the open arrears cases, with their months
    herinnering proof --tenant HC-… [--case 2026-12] --out dossier.pdf   (also writes dossier.html)
    herinnering objection --tenant HC-… --text "…" [--channel phone]   the tenant objects to the Wgs signal
    herinnering wgs-feedback FILE [--dry-run]                           the municipality's answers (CSV)
    herinnering costs AMOUNT [--sent DATE] [--rent AMOUNT]              the statutory costs and the letter's dates
"""

from __future__ import annotations

import argparse
from pathlib import Path

from herinnering.bootstrap import open_runtime
from herinnering.clock import local_day
from herinnering.commands.common import (
    add_now,
    cents_option,
    console,
    day_option,
    euros,
    make_clock,
    officer,
    read_input,
)
from herinnering.config import Settings
from herinnering.domain.legal.mvi import CHANNELS
from herinnering.domain.payments.costs import collection_costs, letter_dates
from herinnering.errors import BadInput, Conflict
from herinnering.services.legal import letters, proof, records
from herinnering.services.payments.cases import list_open_cases
from herinnering.services.tenants import lookup


def _write(path: Path, data: bytes | str) -> None:
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None


async def cmd_letter(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant = await lookup.tenant(runtime, args.tenant)
        made = await letters.generate(runtime, tenant, args.kind, by=officer(args), channel=args.channel,
                              post_on=day_option(args.post_on, "--post-on") if args.post_on else None)
    out = Path(args.out)
    _write(out, made.pdf)
    console.print(f"{made.kind} {made.letter_id} for {tenant.external_id} (case {made.case_id}: "
                  f"{', '.join(made.months)}; total {euros(made.total_cents)}) generated: {out}")
    if made.costs is not None and made.stated is not None:
        console.print(f"Costs {euros(made.costs.total_cents)} once, on the case total"
                      f"{' (low-rent cap)' if made.costs.capped else ''}. The letter states its dates for posting on "
                      f"{made.planned_post_on:%d-%m-%Y}: presumed receipt {made.stated.received_on:%d-%m-%Y}, term "
                      f"ends {made.stated.term_ends_on:%d-%m-%Y}.")
    console.print("Not posted yet: nothing counts until it is (`post-batch`, then `posted`; or `post-letter`).")
    return 0


async def cmd_post_batch(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        batch = await letters.make_post_batch(runtime, by=officer(args))
    out = Path(args.out)
    _write(out, batch.pdf)
    _write(out.with_suffix(".txt"), batch.listing + "\n")
    console.print(f"Post batch {batch.batch_id}: {len(batch.letter_ids)} letter(s) in {out} "
                  f"(sha256 {batch.pdf_sha256[:16]}…), list in {out.with_suffix('.txt')}:", highlight=False)
    console.print(batch.listing, highlight=False)
    console.print(f"Print, post, then: herinnering posted {batch.batch_id} --on YYYY-MM-DD")
    return 0


async def cmd_posted(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        ids = await letters.mark_batch_posted(runtime, args.batch, day_option(args.on, "--on"), by=officer(args))
    console.print(f"Post batch {args.batch} posted on {args.on}: {len(ids)} letter(s); their terms run from that day.")
    return 0


async def cmd_post_letter(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        await letters.post_single(runtime, args.letter, day_option(args.on, "--on"), by=officer(args),
                          tracking_number=args.registered, delivery_record=args.email_delivered)
    how = f"registered mail {args.registered}" if args.registered else "e-mail (delivered)"
    console.print(f"Letter {args.letter} posted on {args.on} by {how}.")
    return 0


async def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        found = await list_open_cases(runtime.db)
    for case in found:
        months = ", ".join(f"{m.period} {euros(m.open_cents)}" for m in case.open_months)
        console.print(f"case {case.case_id} {case.contract_id} {case.name}: {case.state}, in arrears since "
                      f"{case.arrears_since:%d-%m-%Y}, total {euros(case.total_cents)} ({months})", highlight=False)
    if not found:
        console.print("No open arrears cases.")
    return 0


async def cmd_proof(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant = await lookup.tenant(runtime, args.tenant)
        bundle = await proof.build(runtime, tenant, args.case)
    out = Path(args.out)
    _write(out, bundle.pdf)
    twin = out.with_suffix(".html")
    _write(twin, bundle.html)
    console.print(f"{bundle.title}: {out} and {twin} ({len(bundle.sections)} sections)")
    return 0


async def cmd_objection(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        tenant, cases = await records.record_objection(runtime, args.tenant, channel=args.channel, text=args.text,
                                                       by=officer(args))
    if not cases:
        raise Conflict(f"{tenant.external_id} has no open arrears case to object for")
    console.print(f"Objection recorded for {tenant.external_id} on {cases} open case(s): no Wgs signal for them.")
    return 0


async def cmd_wgs_feedback(args: argparse.Namespace, settings: Settings) -> int:
    text = read_input(Path(args.file)).decode("utf-8-sig")
    async with open_runtime(settings, make_clock(args, settings), with_sender=False) as runtime:
        report = await records.import_feedback(runtime, text, by=officer(args), dry_run=args.dry_run)
    for error in report.errors:
        console.print(f"[red]{error}[/]", highlight=False)
    if report.errors:
        console.print("Nothing stored: fix the lines above and import the file again.")
        return 1
    verb = "would store" if args.dry_run else "stored"
    console.print(f"{report.stored} answers {verb}, {report.repeated} seen before."
                  + (f" All messages stopped for {', '.join(report.stopped_tenants)} (deceased)."
                     if report.stopped_tenants else ""))
    return 0


async def cmd_costs(args: argparse.Namespace, settings: Settings) -> int:
    sent = day_option(args.sent, "--sent") if args.sent else local_day(make_clock(args, settings).now(), settings)
    costs = collection_costs(cents_option(args.amount), vat_percent=settings.lawful.vat_percent,
                             monthly_rent_cents=cents_option(args.rent) if args.rent else None)
    dates = letter_dates(sent)
    console.print(f"Principal {euros(costs.principal_cents)}: costs {euros(costs.costs_cents)}"
                  f"{f' + VAT {euros(costs.vat_cents)}' if costs.vat_cents else ''}"
                  f"{' (low-rent cap)' if costs.capped else ''}.")
    console.print(f"Sent {dates.sent_on:%a %d-%m-%Y}: presumed receipt {dates.received_on:%a %d-%m-%Y}, term ends "
                  f"{dates.term_ends_on:%a %d-%m-%Y}, costs due from {dates.costs_due_from:%a %d-%m-%Y}.")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    p = commands.add_parser("letter", help="generate a letter (PDF) from the tenant's arrears case: the written "
                            "reminder or the 14-day letter; it counts once posted")
    p.add_argument("--tenant", required=True, help="contract id, e.g. HC-000123")
    p.add_argument("--kind", required=True, help="veertiendagenbrief or written_reminder")
    p.add_argument("--post-on", help="the day it will be posted (default: today); the 14-day letter states its "
                   "dates from it")
    p.add_argument("--channel", choices=["letter", "email"], default="letter", help="how it is sent")
    p.add_argument("--out", required=True, help="the PDF to write")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_letter)

    p = commands.add_parser("post-batch", help="gather every generated paper letter into one PDF to print, with a list")
    p.add_argument("--out", required=True, help="the PDF to write; the list goes next to it as .txt")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_post_batch)

    p = commands.add_parser("posted", help="mark a post batch posted: its letters' terms run from that day")
    p.add_argument("batch", type=int)
    p.add_argument("--on", required=True, help="the posting date, e.g. 2026-12-04")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_posted)

    p = commands.add_parser("post-letter", help="mark one letter posted by registered mail or delivered by e-mail")
    p.add_argument("letter", type=int)
    p.add_argument("--on", required=True, help="the posting (or delivery) date")
    p.add_argument("--registered", help="the track-and-trace number of the registered letter")
    p.add_argument("--email-delivered", help="the e-mail provider's delivery record (id and status)")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_post_letter)

    p = commands.add_parser("cases", help="the open arrears cases: months, total, in arrears since")
    add_now(p)
    p.set_defaults(run=cmd_cases)

    p = commands.add_parser("proof", help="the proof bundle of an arrears case (PDF and HTML) for a lawyer")
    p.add_argument("--tenant", required=True)
    p.add_argument("--case", help="the rent period of the case (default: the latest)")
    p.add_argument("--out", required=True, help="the PDF to write; an .html twin is written next to it")
    add_now(p)
    p.set_defaults(run=cmd_proof)

    p = commands.add_parser("objection", help="record that the tenant objects to passing data to the municipality")
    p.add_argument("--tenant", required=True)
    p.add_argument("--text", required=True, help="what the tenant said (kept as proof)")
    p.add_argument("--channel", choices=sorted(CHANNELS), default="phone")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_objection)

    p = commands.add_parser("wgs-feedback", help="import the municipality's answers to early-warning signals (CSV)")
    p.add_argument("file", help="CSV: address, arrears_since, status[, answered_on, note]")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--by")
    add_now(p)
    p.set_defaults(run=cmd_wgs_feedback)

    p = commands.add_parser("costs", help="the statutory collection costs and the 14-day letter's dates")
    p.add_argument("amount", help="the principal, e.g. 745,50")
    p.add_argument("--sent", help="the day the letter is sent (default: today)")
    p.add_argument("--rent", help="the monthly rent, for the low-rent cap")
    add_now(p)
    p.set_defaults(run=cmd_costs)
