"""Every euro finds its tenant (issue 21, item 2), on SQLite and PostgreSQL, through a real bank
file: a transfer from a known account without a contract id is booked and explained; an
ambiguous one becomes a task with its suggestions; a match can be undone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.payment_tables import payment_transactions
from herinnering.adapters.db.tables import events, tasks
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.resources import config_dir
from herinnering.services.payments import unmatched
from herinnering.services.payments.intake import import_payment_file
from tests.integration.payment_helpers import status

SAMPLE = (config_dir() / "samples" / "camt053-returns.xml").read_text(encoding="utf-8")
HEAD = SAMPLE[:SAMPLE.index("      <Ntry>")]
TAIL = "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n"


def transfer(ref: str, euros: str, text: str, iban: str | None = None, holder: str = "J Jansen") -> str:
    parties = (f"<RltdPties><Dbtr><Pty><Nm>{holder}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id>"
               "</DbtrAcct></RltdPties>") if iban else ""
    return f"""      <Ntry>
        <NtryRef>{ref}</NtryRef>
        <Amt Ccy="EUR">{euros}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-04</Dt></BookgDt>
        <ValDt><Dt>2026-12-04</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="EUR">{euros}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          {parties}
          <RmtInf><Ustrd>{text}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
"""


async def december_open(database: Database, settings: Any, clock: Any, *contracts: str) -> None:
    lines = "".join(f"{c};2026-12;656,36;0,00;expected\n" for c in contracts)
    await import_payment_file(database, settings, clock,
                              ("contract_id;period;amount_due;amount_paid;status\n" + lines).encode(), "erp.csv")


async def test_a_transfer_from_a_known_account_with_the_months_amount_is_booked_and_explained(
        database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    anna = await make_tenant(name="Anna de Vries", monthly_rent_cents=65636, iban="NL73SNSB0485919859")
    other = await make_tenant(name="Bram Bakker", monthly_rent_cents=65636)
    await december_open(database, settings, clock, anna.external_id, other.external_id)
    statement = HEAD + transfer("CT-1", "656.36", "huur december", iban="NL73 SNSB 0485 9198 59") + TAIL
    intake = await import_payment_file(database, settings, clock, statement.encode(), "bank.xml")
    assert intake.report.matched_by_signs == [
        (anna.external_id, "2026-12", 100, "IBAN bekend, bedrag = huur december, omschrijving noemt december")]
    assert (await status(database, anna, "2026-12")).status is PaymentStatus.PAID
    assert (await status(database, other, "2026-12")).status is PaymentStatus.EXPECTED
    async with database.begin() as connection:
        row = (await connection.execute(select(payment_transactions).where(
            payment_transactions.c.source == "camt"))).one()
        why = (await connection.execute(select(events.c.data).where(
            events.c.type == "payment_matched_by_signs"))).scalar_one()
    assert row.tenant_id == anna.id and row.reference.startswith("herkend (100%)")
    assert "NL73" not in str(row.data)  # the account is used to match, not kept
    assert why["reasons"] == ["IBAN bekend", "bedrag = huur december", "omschrijving noemt december"]


async def test_an_ambiguous_transfer_becomes_a_task_with_two_suggestions_and_a_match_can_be_undone(
        database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    anna = await make_tenant(name="Anna de Vries", monthly_rent_cents=65636)
    bram = await make_tenant(name="Bram Bakker", monthly_rent_cents=65636)
    await december_open(database, settings, clock, anna.external_id, bram.external_id)
    statement = HEAD + transfer("CT-2", "656.36", "huur december", iban="NL38RABO0634946918") + TAIL
    intake = await import_payment_file(database, settings, clock, statement.encode(), "bank.xml")
    assert intake.report.unmatched == 1 and intake.report.matched_by_signs == []
    async with database.begin() as connection:
        task = (await connection.execute(select(tasks).where(tasks.c.kind == "verify_payment"))).one()
    offered = task.data["suggestions"]
    assert sorted(s["contract_id"] for s in offered) == sorted([anna.external_id, bram.external_id])
    assert all(s["reasons"] == ["bedrag = huur december", "omschrijving noemt december"] for s in offered)
    assert task.data["paid_from"] == "NL38…6918" and task.data["account_holder"] == "J Jansen"

    async with database.begin() as connection:  # the officer picks Bram ...
        await unmatched.assign_unmatched(connection, settings, task.data["source_key"], bram.id, "2026-12",
                                        clock.now(), by="officer@delinde")
    assert (await status(database, bram, "2026-12")).status is PaymentStatus.PAID
    async with database.begin() as connection:  # ... and it was Anna after all: undo
        [made] = await unmatched.matched_here(connection, bram.id)
        change = await unmatched.undo_match(connection, settings, made.id, clock.now(), by="officer@delinde")
        reopened = (await connection.execute(select(tasks.c.state).where(tasks.c.id == task.id))).scalar_one()
    assert change.status is PaymentStatus.EXPECTED and change.outstanding_cents == 65636
    assert (await status(database, bram, "2026-12")).status is PaymentStatus.EXPECTED
    assert reopened == "open"
    async with database.begin() as connection:
        await unmatched.assign_unmatched(connection, settings, task.data["source_key"], anna.id, "2026-12",
                                        clock.now(), by="officer@delinde")
    assert (await status(database, anna, "2026-12")).status is PaymentStatus.PAID


async def test_a_registered_payer_and_a_named_tenant_are_signs_too(
        runtime: Any, make_tenant: Any) -> None:
    from herinnering.services.payments.bank_matching import add_payer

    anna = await make_tenant(name="Anna de Vries", monthly_rent_cents=65636)
    await december_open(runtime.db, runtime.settings, runtime.clock, anna.external_id)
    assert await add_payer(runtime, anna.external_id, "NL02 ABNA 0123 4567 89", "budgetbeheer gemeente", "officer")
    statement = HEAD + transfer("CT-3", "656.36", "client 8812", iban="NL02ABNA0123456789", holder="Gemeente") + TAIL
    intake = await import_payment_file(runtime.db, runtime.settings, runtime.clock, statement.encode(), "bank.xml")
    [(contract, period, confidence, why)] = intake.report.matched_by_signs
    assert (contract, period, confidence) == (anna.external_id, "2026-12", 85)
    assert why == "IBAN bekend (budgetbeheer gemeente), bedrag = huur december"
