"""Synthetic tenants and messages, written straight into the database by the fastest path
(PostgreSQL COPY; one executemany on SQLite): the benchmark measures planning, not set-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.db.tables import tenants

LANGUAGES = ("nl", "nl", "nl", "en", "tr", "ar", "pl")
CHANNELS = ("sms", "sms", "whatsapp")
PG_BENCH_DB = "herinnering_bench"


def tenant_rows(n: int, seed: int = 7) -> Any:
    """n realistic tenants: every collection day 1-25, both channels, several languages."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(n):
        yield {
            "external_id": f"B-{i:08d}", "name": f"Huurder {i}", "phone": f"+316{10_000_000 + i:08d}",
            "channel": rng.choice(CHANNELS), "language": rng.choice(LANGUAGES),
            "monthly_rent_cents": rng.randrange(45_000, 110_000), "collection_day": 1 + i % 25,
            "iban": None, "active": True, "opted_out": False, "created_at": now, "updated_at": now,
        }


def csv_bytes(n: int, seed: int = 11) -> bytes:
    """A valid ERP export of n tenants (the import workload)."""
    rng = random.Random(seed)
    lines = ["contract_id,name,phone,channel,language,monthly_rent,collection_day,iban"]
    for i in range(n):
        euros, cents = rng.randrange(450, 1100), rng.randrange(100)
        lines.append(f'C-{i:08d},Huurder {i},06{10_000_000 + i:08d},{rng.choice(CHANNELS)},'
                     f'{rng.choice(LANGUAGES)},"{euros},{cents:02d}",{1 + i % 25},')
    return ("\n".join(lines) + "\n").encode()


async def fresh_database(url: str) -> Database:
    """An empty, migrated database (PostgreSQL: the public schema dropped and recreated)."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    db = Database(url)
    if db.dialect == "postgresql":
        async with db.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(db)
    return db


async def insert_tenants(db: Database, n: int) -> None:
    columns = list(next(tenant_rows(1)))
    if db.dialect == "postgresql":
        async with db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            batch: list[tuple[Any, ...]] = []
            for row in tenant_rows(n):
                batch.append(tuple(row[c] for c in columns))
                if len(batch) == 50_000:
                    await driver.copy_records_to_table("tenants", records=batch, columns=columns)
                    batch = []
            if batch:
                await driver.copy_records_to_table("tenants", records=batch, columns=columns)
            await connection.commit()
        return
    batch_rows: list[dict[str, Any]] = []
    async with db.begin() as connection:
        for row in tenant_rows(n):
            batch_rows.append(row)
            if len(batch_rows) == 20_000:
                await connection.execute(tenants.insert(), batch_rows)
                batch_rows = []
        if batch_rows:
            await connection.execute(tenants.insert(), batch_rows)


def camt053_bytes(n: int, seed: int = 13) -> bytes:
    """A booked CAMT.053 statement of n entries for tenants B-00000000 …: nine in ten a credit
    transfer paying December's rent, one in ten a returned direct debit (AM04, MD06, AC04)."""
    rng = random.Random(seed)
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}">\n<BkToCstmrStmt>\n'
             f"<GrpHdr><MsgId>BENCH-{n}</MsgId><CreDtTm>2026-12-31T22:00:00+01:00</CreDtTm></GrpHdr>\n"
             "<Stmt><Id>NL91ABNA0417164300-2026-12</Id><CreDtTm>2026-12-31T22:00:00+01:00</CreDtTm>\n"
             "<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"]
    for i in range(n):
        contract = f"B-{i:08d}"
        euros, cents = rng.randrange(450, 1100), rng.randrange(100)
        amount = f"{euros}.{cents:02d}"
        day = 1 + i % 28
        if i % 10 == 9:
            reason = ("AM04", "MD06", "AC04")[i % 3]
            parts.append(
                f"<Ntry><NtryRef>RT-{i}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd>"
                f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-{day:02d}</Dt></BookgDt>"
                f"<ValDt><Dt>2026-12-{day:02d}</Dt></ValDt><AcctSvcrRef>BENCH{i:09d}RT</AcctSvcrRef>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>"
                f"<NtryDtls><TxDtls><Refs><EndToEndId>{contract}-2026-12</EndToEndId><MndtId>{contract}</MndtId>"
                f"</Refs><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd>"
                f"<RltdPties><Dbtr><Pty><Nm>Huurder {i}</Nm></Pty></Dbtr></RltdPties>"
                f"<RtrInf><Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>Returned direct debit</AddtlInf></RtrInf>"
                "</TxDtls></NtryDtls></Ntry>\n")
        else:
            parts.append(
                f"<Ntry><NtryRef>CT-{i}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-{day:02d}</Dt></BookgDt>"
                f"<ValDt><Dt>2026-12-{day:02d}</Dt></ValDt><AcctSvcrRef>BENCH{i:09d}CT</AcctSvcrRef>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
                "<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
                f"<Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                f"<RltdPties><Dbtr><Pty><Nm>Huurder {i}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>NL38RABO0634946918"
                f"</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Huur december 2026 {contract}</Ustrd></RmtInf>"
                "</TxDtls></NtryDtls></Ntry>\n")
    parts.append("</Stmt>\n</BkToCstmrStmt>\n</Document>\n")
    return "".join(parts).encode()
