"""Reading CAMT bank files: batches split, return reasons read, problems named (no database)."""

from __future__ import annotations

import pytest

from herinnering.adapters.camt import CamtFileError, parse_camt
from herinnering.config import load_settings
from herinnering.domain.payments.state import TransactionKind
from herinnering.errors import ConfigError
from herinnering.resources import config_dir

STATEMENT = (config_dir() / "samples" / "camt053-returns.xml").read_bytes()


def test_a_batch_of_returns_gives_one_transaction_each_with_its_reason() -> None:
    returns = [t for t in parse_camt(STATEMENT).transactions if t.kind is TransactionKind.RETURN]
    assert [(t.amount_cents, t.reason_code, t.references[0]) for t in returns] == [
        (65636, "AM04", "HC-100101"), (48632, "MD06", "HC-100108"), (55695, "AC04", "HC-100115")]
    assert len({t.source_key for t in returns}) == 3


def test_keys_are_stable_between_two_reads_of_the_same_file() -> None:
    first = [t.source_key for t in parse_camt(STATEMENT).transactions]
    assert first == [t.source_key for t in parse_camt(STATEMENT).transactions]


def test_a_pending_entry_is_skipped_not_counted() -> None:
    pending = STATEMENT.replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts><Cd>PDNG</Cd></Sts>", 1)
    parsed = parse_camt(pending)
    assert len(parsed.transactions) == 4 and "PDNG" in parsed.skipped[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # each broken file names what is wrong and where
        ((b"<Amt Ccy=\"EUR\">692.27</Amt>\n        <CdtDbtInd>CRDT", b"<CdtDbtInd>CRDT"), "has no required <Amt>"),
        ((b"<Amt Ccy=\"EUR\">692.27</Amt>\n        <CdtDbtInd>", b"<Amt Ccy=\"USD\">692.27</Amt>\n        <CdtDbtInd>"),
         "currency 'USD'"),
        ((b"<Amt Ccy=\"EUR\">486.32</Amt>\n            <CdtDbtInd>DBIT", b"<Amt Ccy=\"EUR\">486,32</Amt>\n            <CdtDbtInd>DBIT"),
         "TxDtls/Amt: '486,32' is not an amount"),
        ((b"<Cd>AC04</Cd>", b"<Cd>closed</Cd>"), "RtrInf/Rsn/Cd 'closed' is not a 4-character ISO reason code"),
        ((b"<MsgId>STMT-20261231-NL91ABNA0417164300</MsgId>", b""), "GrpHdr/MsgId is missing"),
        ((b"camt.053.001.08", b"pain.008.001.02"), "expected <Document> of camt.053 or camt.054"),
        ((b"</Document>", b""), "not well-formed XML"),
    ],
)
def test_a_broken_file_is_refused_naming_the_element(change: tuple[bytes, bytes], message: str) -> None:
    old, new = change
    assert old in STATEMENT
    with pytest.raises(CamtFileError) as caught:
        parse_camt(STATEMENT.replace(old, new, 1), "december.xml")
    assert message in str(caught.value) and str(caught.value).startswith("december.xml")


def test_payment_settings_are_validated_naming_the_key() -> None:
    assert load_settings(environ={}).payments.provider == "sandbox"
    with pytest.raises(ConfigError, match="payments.provider: 'ideal' is not allowed"):
        load_settings(environ={"HERINNERING_PAYMENTS__PROVIDER": '"ideal"'})
    with pytest.raises(ConfigError, match="MOLLIE_API_KEY"):
        load_settings(environ={"HERINNERING_PAYMENTS__PROVIDER": '"mollie"'})
    with pytest.raises(ConfigError, match="starting with test_ or live_"):
        load_settings(environ={"MOLLIE_API_KEY": "abc"})
    mollie = load_settings(environ={"HERINNERING_PAYMENTS__PROVIDER": '"mollie"', "MOLLIE_API_KEY": "test_abc"})
    assert mollie.payments.mollie_api_key == "test_abc"


@pytest.mark.parametrize(
    ("namespace", "message"),
    [
        (b"camt.052.001.08", "camt.052 intraday account report"),
        (b"camt.053.001.99", "version camt.053.001.99 is not supported"),
        (b"camt.053.001.08.evil", "is not supported"),
        (b"x-camt.053", "expected <Document> of camt.053 or camt.054"),
    ],
)
def test_only_the_supported_camt_versions_are_read(namespace: bytes, message: str) -> None:
    changed = STATEMENT.replace(b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
                                b"urn:iso:std:iso:20022:tech:xsd:" + namespace if not namespace.startswith(b"x-")
                                else b"urn:example:" + namespace)
    with pytest.raises(CamtFileError, match=message):
        parse_camt(changed, "december.xml")


def test_a_batch_whose_details_do_not_add_up_to_the_entry_is_refused() -> None:
    changed = STATEMENT.replace(b'<Amt Ccy="EUR">556.95</Amt>\n            <CdtDbtInd>DBIT',
                                b'<Amt Ccy="EUR">556.94</Amt>\n            <CdtDbtInd>DBIT', 1)
    with pytest.raises(CamtFileError) as caught:
        parse_camt(changed, "december.xml")
    assert "Ntry/Amt 1699.63 is not the sum of its 3 TxDtls amounts (1699.62)" in str(caught.value)
    assert str(caught.value).startswith("december.xml, line ")


def test_a_batch_count_or_total_that_disagrees_with_its_details_is_refused() -> None:
    fewer = STATEMENT.replace(b"<Btch><NbOfTxs>3</NbOfTxs>", b"<Btch><NbOfTxs>4</NbOfTxs>", 1)
    with pytest.raises(CamtFileError, match="Btch/NbOfTxs says 4 transactions; the entry has 3 <TxDtls>"):
        parse_camt(fewer, "december.xml")
    total = STATEMENT.replace(b'<TtlAmt Ccy="EUR">1699.63</TtlAmt>', b'<TtlAmt Ccy="EUR">1700.00</TtlAmt>', 1)
    with pytest.raises(CamtFileError, match="Btch/TtlAmt 1700.00 is not the entry's Ntry/Amt 1699.63"):
        parse_camt(total, "december.xml")


def test_a_file_object_is_read_entry_by_entry_with_the_same_result() -> None:
    import io

    assert parse_camt(io.BytesIO(STATEMENT)).transactions == parse_camt(STATEMENT).transactions
