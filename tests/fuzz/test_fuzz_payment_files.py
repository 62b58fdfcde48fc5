"""Fuzzing the payment intake files: the ERP's CSV and CAMT.053/.054 bank files. Whatever
arrives — random bytes, a sample with bytes cut or inserted, XML with elements dropped,
duplicated or filled with junk — is either read or rejected with `ImportFileError` naming what
is wrong; and a rejected file stores nothing."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from herinnering.adapters.camt import CamtFileError, parse_camt
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.erp_csv import PaymentCsvError, parse_payment_csv
from herinnering.errors import ImportFileError
from herinnering.resources import config_dir
from herinnering.services.payments.intake import import_payment_file
from tests.fuzz.fuzzing import NASTY, TEXT, fuzz, mutated_bytes
from tests.integration.payment_helpers import counts, sample_tenants

SAMPLES = config_dir() / "samples"
ERP = (SAMPLES / "erp-payments.csv").read_bytes()
CAMTS = [(SAMPLES / name).read_bytes() for name in ("camt053-returns.xml", "camt054-return.xml")]


# --- the ERP's CSV -------------------------------------------------------------------------


def check_erp(data: bytes) -> None:
    try:
        parsed = parse_payment_csv(data)
    except PaymentCsvError as exc:
        assert str(exc).strip()
        return
    for error in parsed.errors:
        assert error.line >= 2 and error.reason.strip(), error
    assert not {line for line, _ in parsed.lines} & {error.line for error in parsed.errors}


@fuzz()
@given(st.binary(max_size=400))
def test_any_bytes_are_an_erp_file_or_a_clear_rejection(data: bytes) -> None:
    check_erp(data)


@fuzz()
@given(mutated_bytes(ERP))
def test_a_mutated_erp_export_never_crashes(data: bytes) -> None:
    check_erp(data)


@fuzz()
@given(st.lists(st.lists(TEXT, min_size=0, max_size=7), max_size=6), st.sampled_from([",", ";"]))
def test_erp_lines_of_junk_values_are_each_named(rows: list[list[str]], delimiter: str) -> None:
    header = delimiter.join(["contract_id", "period", "amount_due", "amount_paid", "status", "reason_code"])
    body = "\n".join(delimiter.join('"' + v.replace('"', '""') + '"' for v in row) for row in rows)
    check_erp((header + "\n" + body).encode("utf-8", "surrogatepass"))


# --- CAMT ----------------------------------------------------------------------------------


def check_camt(data: bytes) -> None:
    try:
        parsed = parse_camt(data, "fuzz.xml")
    except CamtFileError as exc:
        assert str(exc).startswith("fuzz.xml"), exc  # every rejection names the file (and line)
        return
    for transaction in parsed.transactions:
        assert transaction.amount_cents > 0 and transaction.source_key.startswith("camt:")


@st.composite
def mutated_camt(draw: st.DrawFn) -> bytes:
    """A sample statement with a few structural edits: drop, duplicate or empty an element,
    replace its text or an attribute with junk, move it elsewhere."""
    root = etree.fromstring(draw(st.sampled_from(CAMTS)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        element = rng.choice(elements)
        action = draw(st.sampled_from(["drop", "duplicate", "text", "attribute", "empty", "move"]))
        parent = element.getparent()
        if action == "drop" and parent is not None:
            parent.remove(element)
        elif action == "duplicate" and parent is not None:
            parent.append(copy.deepcopy(element))
        elif action == "text":
            element.text = draw(TEXT.filter(_xml_safe))
        elif action == "attribute":
            element.set(draw(st.sampled_from(["Ccy", "x"])), draw(NASTY.filter(_xml_safe)))
        elif action == "empty":
            for child in list(element):
                element.remove(child)
        elif action == "move" and parent is not None:
            target = rng.choice(elements)
            if element not in target.iterancestors() and target is not element:
                target.append(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _xml_safe(text: str) -> bool:
    try:
        etree.Element("x").text = text
    except (ValueError, TypeError):
        return False
    return True


@fuzz()
@given(st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda b: b"<" + b)))
def test_any_bytes_are_a_bank_file_or_a_clear_rejection(data: bytes) -> None:
    check_camt(data)


@fuzz()
@given(st.sampled_from(CAMTS).flatmap(mutated_bytes))
def test_a_bank_file_with_bytes_cut_or_inserted_never_crashes(data: bytes) -> None:
    check_camt(data)


@fuzz(2.0)
@given(mutated_camt())
def test_a_bank_file_with_elements_dropped_moved_or_junked_never_crashes(data: bytes) -> None:
    check_camt(data)


def test_an_entry_with_an_empty_status_code_is_refused_by_name() -> None:
    """Found by the fuzzer: <Sts><Cd/></Sts> crashed the parser."""
    data = CAMTS[0].replace(b"<Cd>BOOK</Cd>", b"<Cd/>", 1)
    assert data != CAMTS[0]
    with pytest.raises(CamtFileError, match="no required <Sts>"):
        parse_camt(data, "fuzz.xml")


# --- through the intake service: a rejected file stores nothing ------------------------------


@fuzz(0.3)
@given(st.one_of(mutated_camt(), st.sampled_from(CAMTS).flatmap(mutated_bytes), mutated_bytes(ERP)))
async def test_a_rejected_payment_file_stores_nothing(
    database: Any, settings: Any, clock: Any, make_tenant: Any, data: bytes,
) -> None:
    async with database.begin() as connection:
        known = (await connection.execute(select(func.count()).select_from(tenants))).scalar_one()
    if not known:  # once per database: the contracts the samples name
        await sample_tenants(make_tenant)
    before = await counts(database)
    try:
        await import_payment_file(database, settings, clock, data, "fuzz")
    except ImportFileError as exc:
        assert str(exc).strip()
        assert await counts(database) == before
