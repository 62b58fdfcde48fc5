"""`herinnering demo`: the whole loop on the embedded default, in one process.

A fresh SQLite file, the sample tenants, the shipped fake Twilio server and the web app on
localhost. The clock starts at `--now` and jumps from one send moment to the next through
this month and the next, so a month of reminders goes out in seconds, each at the moment
the planner chose; delivery reports come back through the signed webhook. Then a summary.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from herinnering.bootstrap import open_runtime, refuse_unsafe_web
from herinnering.clock import SettableClock, local_day
from herinnering.config import Settings
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.errors import HerinneringError
from herinnering.fakes.twilio_server import FakeTwilio, running_fake_twilio
from herinnering.resources import config_dir
from herinnering.runtime import Runtime
from herinnering.scheduler import periods_to_plan
from herinnering.services.legal.letters import (
    generate,
    letter_of_case,
    make_post_batch,
    mark_batch_posted,
)
from herinnering.services.payments import account
from herinnering.services.payments.cases import case_detail, list_open_cases
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.privacy.users import add_user
from herinnering.services.reminders import outbox_status
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from herinnering.services.tenants import lookup
from herinnering.services.tenants.importing import import_tenants
from herinnering.web.app import serving

DEMO_SID = "AC" + "de70" * 8
DEMO_SENDER = "DeLinde"
DEMO_WHATSAPP = "whatsapp:+3197010203040"
# Two sample tenants whose messages the fake network does not deliver, as happens in real life.
UNREACHABLE = {"+31639420690": 30003}   # HC-100178: handset off or out of coverage
UNSUBSCRIBED = {"+31644135492": 21610}  # HC-100199: said STOP to this sender earlier


async def run_demo(settings: Settings, start: datetime, *, once: bool, database: Path, keep: bool,
                   console: Console) -> int:
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    clock = SettableClock(start)
    fake = FakeTwilio(account_sid=DEMO_SID, auth_token=secrets.token_hex(16), callback_delay=0.02, clock=clock)
    for number, code in UNREACHABLE.items():
        fake.set_number(number, delivery="undelivered", error_code=code)
    for number, code in UNSUBSCRIBED.items():
        fake.set_number(number, create_error=code)
    async with running_fake_twilio(fake) as twilio_url:
        settings = settings.with_database(f"sqlite+aiosqlite:///{database}").with_twilio(
            account_sid=fake.account_sid, auth_token=fake.auth_token, sms_from=DEMO_SENDER,
            whatsapp_from=DEMO_WHATSAPP, api_base_url=twilio_url,
        )
        refuse_unsafe_web(settings)  # the fake's token checks the webhooks, as in production
        async with open_runtime(settings, clock) as runtime:
            port = settings.server.port
            async with serving(runtime, settings.server.host, port) as url:
                runtime.settings = settings = settings.with_server(public_url=url)
                console.print(f"[bold]Herinnering demo[/] — {settings.organisation.name}, database {database}")
                console.print(f"Fake Twilio on {twilio_url}, web app on {url}")
                await demo_officer(runtime, console, url)
                await demo_import(runtime, console)
                await demo_plan(runtime, console)
                returns_at = datetime(2026, 12, 29, 8, 0, tzinfo=runtime.settings.reminders.timezone)
                if runtime.clock.now() < returns_at:  # the sample bank statement is of 28 December
                    await time_lapse(runtime, console, until=returns_at)
                    clock.set(returns_at)
                    await missed_payment(runtime, console)
                await time_lapse(runtime, console)
                await two_month_case(runtime, console, database.parent)
                await show_summary(runtime, console)
                if once:
                    return 0
                console.print(f"\nServing on [bold]{url}[/] (overview page after logging in as {DEMO_OFFICER}); "
                              "press Ctrl-C to stop.")
                await asyncio.Event().wait()
    return 0


DEMO_OFFICER = "demo@delinde.nl"


async def demo_officer(runtime: Runtime, console: Console, url: str) -> None:
    """Every page needs a login: the demo makes a team lead with a fresh password and says so."""
    password = secrets.token_urlsafe(12)
    await add_user(runtime, DEMO_OFFICER, password, "teamlead", name="Demo")
    console.print(f"Log in at {url}/login as [bold]{DEMO_OFFICER}[/] with password [bold]{password}[/]")


async def demo_import(runtime: Runtime, console: Console) -> None:
    data = (config_dir() / "sample-tenants.csv").read_bytes()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Importing sample tenants", total=data.count(b"\n") - 1)
        report = await import_tenants(runtime.db, data, runtime.settings.reminders, runtime.clock,
                                      progress=lambda n: progress.advance(task, n))
    console.print(f"Imported {report.inserted} new and {report.updated} changed tenants "
                  f"({report.error_lines} rows with errors)")


async def demo_plan(runtime: Runtime, console: Console) -> None:
    local = runtime.clock.now().astimezone(runtime.settings.reminders.timezone)
    console.print(f"Clock set to {local:%A %d %B %Y %H:%M} ({runtime.settings.reminders.timezone.key})")
    for period in periods_to_plan(runtime.clock.now(), runtime):
        report = await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, period)
        console.print(f"Planned {period}: {report.created} reminders "
                      f"({report.skipped} tenants whose moment had passed)")


async def time_lapse(runtime: Runtime, console: Console, until: datetime | None = None) -> None:
    dispatcher = Dispatcher(runtime, worker_id="demo")
    tz = runtime.settings.reminders.timezone
    console.print("\n[bold]Sending[/] (the clock jumps to each planned send moment)")
    while (moment := await outbox_status.next_send_at(runtime)) is not None:
        if until is not None and moment >= until:
            return
        if moment > runtime.clock.now():
            runtime.clock.set(moment)  # type: ignore[attr-defined]
        report = await dispatcher.run_until_idle()
        await wait_for_callbacks(runtime)
        local = runtime.clock.now().astimezone(tz)
        console.print(f"  {local:%a %d %b %H:%M}  sent {report.sent:>2}  failed {report.failed}"
                      f"  cancelled {report.cancelled}")
        if report.claimed == 0 and report.cancelled == 0:
            break


async def missed_payment(runtime: Runtime, console: Console) -> None:
    """A returned direct debit (the sample CAMT.053), the ladder's link message, a sandbox
    payment over HTTP, and the ladder stopping for that tenant."""
    tz = runtime.settings.reminders.timezone
    console.print("\n[bold]Missed payments[/] (the bank statement of 28 December comes in)")
    data = (config_dir() / "samples" / "camt053-returns.xml").read_bytes()
    intake = await import_payment_file(runtime.db, runtime.settings, runtime.clock, data, "camt053-returns.xml")
    report = intake.report
    returned = [f"{c.reason_code}" for c in report.changes if c.reason_code]
    console.print(f"  {intake.format}: {report.stored} transactions stored, {len(returned)} returned debits "
                  f"({', '.join(returned)}), {sum(c.status == 'paid' for c in report.changes)} periods paid")
    dispatcher = Dispatcher(runtime, worker_id="demo")
    for offset in range(1, 6):  # the first days of the ladder, each at the start of the send window
        day = runtime.clock.now().astimezone(tz).date() + timedelta(days=1 if offset > 1 else 0)
        runtime.clock.set(datetime.combine(day, runtime.settings.reminders.window.start, tz))  # type: ignore[attr-defined]
        ladder = await ladder_tick(runtime)
        sent = await dispatcher.run_until_idle()
        await wait_for_callbacks(runtime)
        console.print(f"  {runtime.clock.now().astimezone(tz):%a %d %b %H:%M}  ladder: {ladder.messages} messages, "
                      f"{ladder.tasks} officer tasks; sent {sent.sent}")
        link = await outbox_status.first_sent(runtime, "payment_link")
        if link is not None:
            break
    if link is None:
        console.print("  (no payment link message was sent)")
        return
    console.print(f"  link message: {link.body}")
    async with aiohttp.ClientSession() as session, session.post(
        link.context["link_url"], data={"action": "pay", "bank": "Rabobank"}, allow_redirects=False
    ) as response:
        console.print(f"  the tenant pays on the sandbox iDEAL page: HTTP {response.status}")
    left = await outbox_status.planned_count(runtime, link.tenant_id, except_kinds=("pre_debit",))
    console.print(f"  ladder for that tenant stopped: {left} ladder messages still planned")


async def two_month_case(runtime: Runtime, console: Console, folder: Path) -> None:
    """A tenant still in arrears misses January too: the month joins the open case (one ladder,
    one total), the 14-day letter names both months and the costs once, goes into a post batch,
    and counts only once the batch is marked posted."""
    console.print("\n[bold]One case, two months[/] (a tenant in arrears misses January as well)")
    open_now = await list_open_cases(runtime.db)
    if not open_now:
        console.print("  (no open case left to follow)")
        return
    first = open_now[0]
    now = runtime.clock.now()
    tenant = await lookup.by_id(runtime, first.tenant_id)
    await account.record_for_tenant(runtime, tenant.id, Transaction(
        source="camt", source_key=f"demo-return-{tenant.external_id}-2027-01", kind=TransactionKind.RETURN,
        amount_cents=tenant.monthly_rent_cents, period="2027-01", reason_code="AM04",
        booked_on=local_day(now, runtime.settings)))
    case = await case_detail(runtime.db, first.case_id)
    assert case is not None
    months = ", ".join(f"{m.period} € {m.open_cents / 100:.2f}" for m in case.open_months)
    console.print(f"  case {case.case_id} of {case.contract_id}: {len(case.open_months)} months ({months}), "
                  f"total € {case.total_cents / 100:.2f}, in arrears since {case.arrears_since:%d-%m-%Y} — one ladder")
    try:
        made = await generate(runtime, tenant, "veertiendagenbrief", by="demo")
    except HerinneringError as exc:
        console.print(f"  no 14-day letter: {exc}")
        return
    costs = made.costs.total_cents if made.costs else 0
    console.print(f"  14-day letter {made.letter_id} generated: both months listed, costs € {costs / 100:.2f} once "
                  f"on the total; not posted, so no term runs yet")
    batch = await make_post_batch(runtime, by="demo")
    out = folder / f"postbatch-{batch.batch_id}.pdf"
    out.write_bytes(batch.pdf)
    console.print(f"  post batch {batch.batch_id}: {len(batch.letter_ids)} letter(s) to print in {out} "
                  f"(sha256 {batch.pdf_sha256[:16]}…)")
    posted_on = local_day(runtime.clock.now(), runtime.settings)
    await mark_batch_posted(runtime, batch.batch_id, posted_on, by="demo")
    letter = await letter_of_case(runtime, case.case_id, made.letter_id)
    assert letter is not None
    console.print(f"  marked posted on {posted_on:%a %d-%m-%Y}: presumed receipt {letter.received_on:%d-%m-%Y}, "
                  f"term ends {letter.term_ends_on:%d-%m-%Y}, costs due from {letter.costs_due_from:%d-%m-%Y}")


async def wait_for_callbacks(runtime: Runtime, timeout: float = 5.0) -> None:
    """Delivery reports arrive over HTTP a moment after sending; wait until none is pending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if not await outbox_status.awaiting_report(runtime):
            return
        await asyncio.sleep(0.05)


async def show_summary(runtime: Runtime, console: Console) -> None:
    summary, delivered = await outbox_status.summary_and_delivered(runtime, 5)
    table = Table(title="Summary")
    columns = ["accepted", "delivered", "failed", "cancelled", "planned"]
    table.add_column("channel")
    for column in columns:
        table.add_column(column, justify="right")
    for row in summary:
        table.add_row(row.channel, *(str(getattr(row, column)) for column in columns))
    console.print()
    console.print(table)
    console.print("[bold]First delivered messages[/]")
    tz = runtime.settings.reminders.timezone
    for row in delivered:
        console.print(f"  [dim]{row.sent_at.astimezone(tz):%d-%m %H:%M} {row.channel:<8} {row.external_id}[/]  {row.body}")
