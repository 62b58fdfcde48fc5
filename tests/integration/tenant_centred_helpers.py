"""Helpers for the tenant-centred tests: a CAMT.053 with a batch of returned debits, built for
the tenants a test made, and rows read back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.engine import Database


def camt_returns(returns: list[tuple[Any, str]], *, period: str = "2026-12", booked: str = "2026-12-02",
                 ref: str = "RT0100", suffix: str = "") -> bytes:
    """One booked entry holding a return (TxDtls with RtrInf) per (tenant, reason code)."""
    details = []
    total = 0
    for number, (tenant, code) in enumerate(returns, start=1):
        cents = tenant.monthly_rent_cents
        total += cents
        details.append(f"""
          <TxDtls>
            <Refs><AcctSvcrRef>{ref}-{number}</AcctSvcrRef><EndToEndId>{tenant.external_id}-{period}{suffix}</EndToEndId>
            <MndtId>{tenant.external_id}</MndtId></Refs>
            <Amt Ccy="EUR">{cents / 100:.2f}</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <RtrInf><Rsn><Cd>{code}</Cd></Rsn></RtrInf>
          </TxDtls>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{ref}</MsgId><CreDtTm>{booked}T22:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>NL91ABNA0417164300-{ref}</Id>
      <CreDtTm>{booked}T22:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <NtryRef>RTR-{ref}</NtryRef>
        <Amt Ccy="EUR">{total / 100:.2f}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{booked}</Dt></BookgDt>
        <ValDt><Dt>{booked}</Dt></ValDt>
        <AcctSvcrRef>ABNA{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>{"".join(details)}
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


async def rows(db: Database, table: Any, *where: Any) -> list[Any]:
    async with db.begin() as connection:
        return list((await connection.execute(select(table).where(*where).order_by(*table.primary_key.columns))).fetchall())
