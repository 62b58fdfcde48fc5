"""Bank statements (CAMT.053) and debit/credit notifications (CAMT.054) into transactions.

The file is streamed with lxml's `iterparse`: each entry (`Ntry`) is read when its end tag
arrives and then cleared, so time grows with the number of entries and memory stays bounded
(pycamt, used before, searched the whole statement for the account IBAN once per entry: 4,000
entries took 13 s). Each entry is split into its transactions (`TxDtls`; a batch of returns is
one entry with several) and the return reason is read from `RtrInf/Rsn/Cd` of that same
element. Only booked entries count. Credits are payments; debits that are returned direct
debits (`RtrInf`, or bank code family IDDT sub-family UPDD) are returns; other debits are not
rent. Only the exact camt.053 and camt.054 versions in `SUPPORTED` are read; a batch's
amounts must add up to its entry.

Every problem is an `CamtFileError` naming the element and its line; nothing is returned
then, so nothing is stored. Each transaction gets a key from the bank's own references
(`AcctSvcrRef`/`NtryRef` of the entry, the position and end-to-end id within it), so the same
statement — or the same entry in a CAMT.054 and later a CAMT.053 — is taken in only once.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from lxml import etree

from herinnering.domain.payments.state import (
    REASON_CODE,
    Transaction,
    TransactionKind,
    iso_amount_cents,
)
from herinnering.errors import CamtFileError

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:"
# The versions whose layout this reader knows (Dutch banks send 053.001.02 and .08 today).
SUPPORTED = frozenset(
    {f"camt.053.001.{v}" for v in ("02", "03", "04", "08")} | {f"camt.054.001.{v}" for v in ("02", "04", "08")}
)
CONTAINERS = {"camt.053": "Stmt", "camt.054": "Ntfctn"}
NOT_PROVIDED = "NOTPROVIDED"


@dataclass
class CamtFile:
    kind: str                      # camt.053.001.08 …
    message_id: str
    transactions: list[Transaction] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries that are not rent (with why)


def looks_like_camt(data: bytes) -> bool:
    head = data[:600].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def check_version(namespace: str, local: str, line: int | None, name: str) -> str:
    """The message kind (camt.053.001.08 …) of a root element, or a CamtFileError saying why not."""
    kind = namespace.removeprefix(NAMESPACE) if namespace.startswith(NAMESPACE) else ""
    supported = ", ".join(sorted(SUPPORTED))
    if local == "Document" and kind in SUPPORTED:
        return kind
    if local == "Document" and kind.startswith("camt.052"):
        raise CamtFileError(
            f"{name}, line {line}: this is a camt.052 intraday account report; its entries may still change. "
            "Import the booked statement (camt.053) or the notification (camt.054) instead"
        )
    if local == "Document" and kind.startswith(("camt.053", "camt.054")):
        raise CamtFileError(f"{name}, line {line}: version {kind} is not supported; supported: {supported}")
    raise CamtFileError(
        f"{name}, line {line}: the root element is <{local}> in {namespace or 'no namespace'!r}; "
        f"expected <Document> of camt.053 or camt.054 ({NAMESPACE}camt.053.001.08; supported: {supported})"
    )


def parse_camt(data: bytes | BinaryIO, name: str = "the file") -> CamtFile:
    """Read a whole CAMT file (bytes or a binary file object), one entry at a time."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    if isinstance(data, bytes) and not data.strip():
        raise CamtFileError(f"{name}: the file is empty")
    events = etree.iterparse(source, events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    result: CamtFile | None = None
    ns = ""
    container = ""
    message_id: str | None = None
    containers = 0
    depth = 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    qname = etree.QName(element)
                    ns = qname.namespace or ""
                    kind = check_version(ns, qname.localname, element.sourceline, name)
                    container = f"{{{ns}}}{CONTAINERS[kind[:8]]}"
                    result = CamtFile(kind=kind, message_id="")
                elif depth == 3 and element.tag == container:
                    containers += 1
                continue
            depth -= 1
            if depth == 2 and element.tag == f"{{{ns}}}GrpHdr":
                message_id = _text(element, "MsgId")
            elif depth == 3 and element.tag == f"{{{ns}}}Ntry" and element.getparent().tag == container:
                assert result is not None
                if message_id is None:
                    break  # reported below: the header comes first
                _read_entry(element, _rows(element, ns), name, result)
                element.clear(keep_tail=False)
                parent = element.getparent()
                while element.getprevious() is not None:  # entries already read: gone
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        raise CamtFileError(f"{name}, line {line}: not well-formed XML: {exc.msg}") from None
    if result is None:
        raise CamtFileError(f"{name}: the file is empty")
    if message_id is None:
        raise CamtFileError(f"{name}: the required element GrpHdr/MsgId is missing")
    if not containers:
        local = container.rsplit("}", 1)[-1]
        raise CamtFileError(f"{name}: no <{local}> element; is this a {result.kind[:8]} bank file?")
    result.message_id = message_id
    return result


def _rows(entry: Any, ns: str) -> list[dict[str, Any]]:
    """The transactions of one entry: one per TxDtls (a batch), or the entry alone."""
    def find(element: Any, path: str) -> Any:
        return element.find(path.replace("{}", f"{{{ns}}}"))

    reversal = find(entry, ".//{}RvslInd")
    common = {"ReversalIndicator": reversal.text if reversal is not None else None}
    rows = []
    for tx in entry.iterfind(f".//{{{ns}}}NtryDtls//{{{ns}}}TxDtls"):
        end_to_end = find(tx, ".//{}Refs//{}EndToEndId")
        mandate = find(tx, ".//{}Refs//{}MndtId")
        unstructured = tx.findall(f".//{{{ns}}}RmtInf//{{{ns}}}Ustrd")
        remittance = " ".join(u.text.strip() for u in unstructured if u.text) or None
        if remittance is None:
            structured = find(tx, ".//{}RmtInf//{}Strd")
            if structured is not None:
                ref = find(structured, ".//{}CdtrRefInf//{}Ref")
                remittance = ref.text if ref is not None else None
            elif unstructured:
                remittance = unstructured[0].text
        payer_iban = find(tx, ".//{}RltdPties/{}DbtrAcct/{}Id/{}IBAN")
        payer_name = find(tx, ".//{}RltdPties/{}Dbtr//{}Nm")
        rows.append({**common, "_tx": tx, "EndToEndId": end_to_end.text if end_to_end is not None else None,
                     "MandateId": mandate.text if mandate is not None else None,
                     "RemittanceInformation": remittance,
                     "PayerIBAN": payer_iban.text.strip() if payer_iban is not None and payer_iban.text else None,
                     "PayerName": payer_name.text.strip() if payer_name is not None and payer_name.text else None})
    return rows or [{**common, "_tx": None}]


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
    booked, value = _date(entry, "BookgDt", name), _date(entry, "ValDt", name)
    code = _bank_code(entry)
    if entry_ref is None:  # the bank gave no reference: the entry's own content is its identity
        entry_ref = "c14n-" + hashlib.sha256(etree.tostring(entry, method="c14n")).hexdigest()[:32]
    _check_totals(entry, entry_amount, rows, name)

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
        remittance = row.get("RemittanceInformation")
        references = tuple(r for r in (mandate, end_to_end, remittance) if r)
        tx_ref = (_deep_text(tx, ("Refs", "AcctSvcrRef")) if tx is not None else None) or end_to_end or ""
        out.transactions.append(Transaction(
            source="camt",
            source_key=f"camt:{entry_ref}:{index}:{tx_ref}"[:200],
            kind=TransactionKind.RETURN if returned else TransactionKind.PAYMENT,
            amount_cents=cents,
            references=references,
            reason_code=reason,
            booked_on=booked or value,
            value_on=value,
            counterparty_iban=row.get("PayerIBAN") if direction == "CRDT" else None,
            counterparty_name=row.get("PayerName") if direction == "CRDT" else None,
            data={"entry": entry_ref, "end_to_end_id": end_to_end, "mandate_id": mandate, "bank_code": code,
                  "line": tx.sourceline if tx is not None else entry.sourceline},
        ))


def _tx_amount_text(tx: Any) -> str | None:
    return (_text(tx, "Amt") or _deep_text(tx, ("AmtDtls", "TxAmt", "Amt"))) if tx is not None else None


def _check_totals(entry: Any, entry_amount: int, rows: list[dict[str, Any]], name: str) -> None:
    """A batch must add up: its TxDtls amounts to Ntry/Amt, and Btch/NbOfTxs and TtlAmt to them."""
    details = [row["_tx"] for row in rows if row.get("_tx") is not None]
    if not details:
        return
    texts = [_tx_amount_text(tx) for tx in details]
    batch = _deep_first(entry, ("NtryDtls", "Btch"))
    if batch is not None:
        count = _text(batch, "NbOfTxs")
        if count is not None and count != str(len(details)):
            raise CamtFileError(f"{name}, line {batch.sourceline}: Btch/NbOfTxs says {count} transactions; "
                                f"the entry has {len(details)} <TxDtls>")
        total = _text(batch, "TtlAmt")
        if total is not None and _amount(total, f"{name}, line {batch.sourceline}: Btch/TtlAmt") != entry_amount:
            raise CamtFileError(f"{name}, line {batch.sourceline}: Btch/TtlAmt {total} is not the entry's "
                                f"Ntry/Amt {_euros(entry_amount)}")
    if any(text is None for text in texts):
        return  # a single TxDtls without an amount takes the entry's (checked per transaction)
    amounts = [_amount(text, f"{name}, line {tx.sourceline}: TxDtls/Amt") for text, tx in zip(texts, details,
                                                                                               strict=True)]
    if sum(amounts) != entry_amount:
        raise CamtFileError(f"{name}, line {entry.sourceline}: Ntry/Amt {_euros(entry_amount)} is not the sum of "
                            f"its {len(amounts)} TxDtls amounts ({_euros(sum(amounts))})")


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _deep_first(element: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        element = _first(element, name)
        if element is None:
            return None
    return element


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
    """The first direct child called `name`, whatever the namespace (a tag is "{namespace}name";
    comparing the string's end is the same test as QName's localname, without building one per child)."""
    suffix = "}" + name
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and (tag == name or tag.endswith(suffix)):
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
