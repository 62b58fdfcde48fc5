"""Bank statements (CAMT.053) and debit/credit notifications (CAMT.054) into transactions.

pycamt splits each entry (`Ntry`) into its transactions (`TxDtls`, a batch of returns is one
entry with several) and reads the references; it does not read the return reason, so a small
subclass keeps each `TxDtls` element and we read `RtrInf/Rsn/Cd` from that same element with
lxml. Only booked entries count. Credits are payments; debits that are returned direct debits
(`RtrInf`, or bank code family IDDT sub-family UPDD) are returns; other debits are not rent.

Every problem is an `CamtFileError` naming the element and its line; nothing is returned
then, so nothing is stored. Each transaction gets a key from the bank's own references
(`AcctSvcrRef`/`NtryRef` of the entry, the position and end-to-end id within it), so the same
statement — or the same entry in a CAMT.054 and later a CAMT.053 — is taken in only once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree
from pycamt.parser import Camt053ParseError, Camt053Parser

from herinnering.domain.payment_state import (
    REASON_CODE,
    Transaction,
    TransactionKind,
    iso_amount_cents,
)
from herinnering.errors import ImportFileError

KINDS = ("camt.053", "camt.054", "camt.052")
NOT_PROVIDED = "NOTPROVIDED"


class CamtFileError(ImportFileError):
    """The bank file cannot be read; the message names the element and its line."""


@dataclass
class CamtFile:
    kind: str                      # camt.053.001.08 …
    message_id: str
    transactions: list[Transaction] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries that are not rent (with why)


class _Parser(Camt053Parser):
    """pycamt, keeping the elements so the return reason can be read from the same TxDtls."""

    def _find_statements_or_reports(self) -> Any:
        for path in (".//Stmt", ".//Rpt", ".//Ntfctn"):
            found = self.tree.findall(path, self.namespaces)
            if found:
                return found
        raise Camt053ParseError()

    def _extract_common_entry_data(self, entry: Any, statement: Any) -> dict[str, Any]:
        return {**super()._extract_common_entry_data(entry, statement), "_entry": entry}

    def _extract_transaction_details(self, tx_detail: Any) -> dict[str, Any]:
        return {**super()._extract_transaction_details(tx_detail), "_tx": tx_detail}


def looks_like_camt(data: bytes) -> bool:
    head = data[:600].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parse_camt(data: bytes, name: str = "the file") -> CamtFile:
    root = _parse_xml(data, name)
    local = etree.QName(root).localname
    namespace = etree.QName(root).namespace or ""
    kind = namespace.rsplit(":", 1)[-1]
    if local != "Document" or not kind.startswith(KINDS):
        raise CamtFileError(
            f"{name}, line {root.sourceline}: the root element is <{local}> in {namespace or 'no namespace'!r}; "
            "expected <Document> of camt.053 or camt.054 (urn:iso:std:iso:20022:tech:xsd:camt.053.001.xx)"
        )
    parser = _Parser(data)
    message = next((child for child in root if isinstance(child.tag, str)), None)
    header = _first(message, "GrpHdr") if message is not None else None
    if header is None or _text(header, "MsgId") is None:
        raise CamtFileError(f"{name}: the required element GrpHdr/MsgId is missing")
    try:
        rows = parser.get_transactions()
    except Camt053ParseError:
        raise CamtFileError(f"{name}: no <Stmt>, <Rpt> or <Ntfctn> element; is this a bank statement?") from None
    result = CamtFile(kind=kind, message_id=_text(header, "MsgId") or "")
    by_entry: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_entry.setdefault(row["_entry"], []).append(row)
    for entry, entry_rows in by_entry.items():
        _read_entry(entry, entry_rows, name, result)
    return result


def _parse_xml(data: bytes, name: str) -> Any:
    if not data.strip():
        raise CamtFileError(f"{name}: the file is empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        raise CamtFileError(f"{name}, line {line}: not well-formed XML: {exc.msg}") from None


def _read_entry(entry: Any, rows: list[dict[str, Any]], name: str, out: CamtFile) -> None:
    where = f"{name}, line {entry.sourceline}"
    amount_element = _first(entry, "Amt")
    if amount_element is None:
        raise CamtFileError(f"{where}: <Ntry> has no required <Amt>")
    currency = amount_element.get("Ccy")
    if currency != "EUR":
        raise CamtFileError(f"{where}: Ntry/Amt has currency {currency!r}; only EUR is rent")
    entry_amount = _amount(amount_element.text, f"{where}: Ntry/Amt")
    direction = _text(entry, "CdtDbtInd")
    if direction not in ("CRDT", "DBIT"):
        raise CamtFileError(f"{where}: Ntry/CdtDbtInd is {direction!r}; expected CRDT or DBIT")
    status = _status(entry)
    if status is None:
        raise CamtFileError(f"{where}: <Ntry> has no required <Sts>")
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if status != "BOOK":
        out.skipped.append(f"line {entry.sourceline}: entry {entry_ref or ''} is {status}, not booked")
        return
    booked = _date(entry, "BookgDt", name) or _date(entry, "ValDt", name)
    code = _bank_code(entry)
    if entry_ref is None:  # the bank gave no reference: the entry's own content is its identity
        entry_ref = "c14n-" + hashlib.sha256(etree.tostring(entry, method="c14n")).hexdigest()[:32]

    for index, row in enumerate(rows, start=1):
        tx = row.get("_tx")
        tx_where = f"{name}, line {tx.sourceline if tx is not None else entry.sourceline}"
        returned = direction == "DBIT" and (
            (tx is not None and _first(tx, "RtrInf") is not None) or code.endswith("/UPDD")
        )
        if direction == "DBIT" and not returned:
            out.skipped.append(f"line {entry.sourceline}: debit {entry_ref} is not a returned direct debit")
            continue
        if str(row.get("ReversalIndicator", "")).lower() == "true" and direction == "CRDT":
            out.skipped.append(f"line {entry.sourceline}: reversal {entry_ref} is not a payment")
            continue
        amount_text = _text(tx, "Amt") if tx is not None else None
        if amount_text is None:
            amount_text = _deep_text(tx, ("AmtDtls", "TxAmt", "Amt")) if tx is not None else None
        if amount_text is None:
            if len(rows) > 1:
                raise CamtFileError(f"{tx_where}: <TxDtls> {index} of a batch has no required <Amt>")
            cents = entry_amount
        else:
            cents = _amount(amount_text, f"{tx_where}: TxDtls/Amt")
        reason = None
        if returned:
            reason = _return_reason(tx)
            if reason is None:
                info = _first(tx, "RtrInf") if tx is not None else None
                line = info.sourceline if info is not None else (tx.sourceline if tx is not None else entry.sourceline)
                raise CamtFileError(
                    f"{name}, line {line}: a returned debit needs its reason in "
                    "Ntry/NtryDtls/TxDtls/RtrInf/Rsn/Cd; it is missing"
                )
            if not REASON_CODE.fullmatch(reason):
                raise CamtFileError(f"{tx_where}: RtrInf/Rsn/Cd {reason!r} is not a 4-character ISO reason code")
        end_to_end = row.get("EndToEndId")
        if end_to_end == NOT_PROVIDED:
            end_to_end = None
        mandate = row.get("MandateId")
        remittance = row.get("RemittanceInformationFull") or row.get("RemittanceInformation")
        references = tuple(r for r in (mandate, end_to_end, remittance) if r)
        tx_ref = (_deep_text(tx, ("Refs", "AcctSvcrRef")) if tx is not None else None) or end_to_end or ""
        out.transactions.append(Transaction(
            source="camt",
            source_key=f"camt:{entry_ref}:{index}:{tx_ref}"[:200],
            kind=TransactionKind.RETURN if returned else TransactionKind.PAYMENT,
            amount_cents=cents,
            references=references,
            reason_code=reason,
            booked_on=booked,
            data={"entry": entry_ref, "end_to_end_id": end_to_end, "mandate_id": mandate, "bank_code": code,
                  "line": tx.sourceline if tx is not None else entry.sourceline},
        ))


def _return_reason(tx: Any) -> str | None:
    if tx is None:
        return None
    return _deep_text(tx, ("RtrInf", "Rsn", "Cd")) or _deep_text(tx, ("RtrInf", "Rsn", "Prtry"))


def _status(entry: Any) -> str | None:
    element = _first(entry, "Sts")
    if element is None:
        return None
    code = _first(element, "Cd")
    return ((code.text if code is not None else element.text) or "").strip() or None


def _bank_code(entry: Any) -> str:
    domain = _deep_text(entry, ("BkTxCd", "Domn", "Cd")) or ""
    family = _deep_text(entry, ("BkTxCd", "Domn", "Fmly", "Cd")) or ""
    sub = _deep_text(entry, ("BkTxCd", "Domn", "Fmly", "SubFmlyCd")) or ""
    return f"{domain}/{family}/{sub}"


def _date(entry: Any, name: str, file: str) -> date | None:
    element = _first(entry, name)
    if element is None:
        return None
    text = _text(element, "Dt") or _text(element, "DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise CamtFileError(f"{file}, line {element.sourceline}: {name} {text!r} is not a date") from None


def _amount(text: str | None, where: str) -> int:
    try:
        cents = iso_amount_cents(text)
    except ValueError as exc:
        raise CamtFileError(f"{where}: {exc}") from None
    if cents <= 0:
        raise CamtFileError(f"{where}: the amount must be more than 0")
    return cents


def _first(element: Any, name: str) -> Any:
    """The first direct child called `name`, whatever the namespace."""
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _text(element: Any, name: str) -> str | None:
    child = _first(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _deep_text(element: Any, path: tuple[str, ...]) -> str | None:
    for name in path[:-1]:
        element = _first(element, name)
        if element is None:
            return None
    return _text(element, path[-1])
