"""The whole tenant record in the import file: address, municipality, e-mail, lease, payment
method and mandate, under Dutch and English headers, from UTF-8 and Windows-1252 files."""

from __future__ import annotations

from datetime import date

import pytest

from herinnering.domain.tenants.fields import InvalidValue, check_municipality, check_postcode
from herinnering.domain.tenants.tenant_csv import (
    ImportRules,
    RowError,
    TenantRecord,
    parse_tenant_csv,
)

RULES = ImportRules(collection_days=frozenset(range(1, 26)), languages=("nl", "en", "tr", "ar", "pl"))

DUTCH = ("huurcontract;naam;telefoon;kanaal;taal;huur;incassodag;iban;straat;huisnummer;toevoeging;"
         "postcode;woonplaats;gemeente;e-mail;startdatum huur;einddatum;betaalwijze;machtigingskenmerk;"
         "datum machtiging")
ENGLISH = ("contract_id,name,phone,channel,language,monthly_rent,collection_day,iban,street,house_number,"
           "addition,postal_code,city,municipality,email,lease_start,lease_end,payment_method,mandate_id,"
           "mandate_date")

ZOE = TenantRecord(
    external_id="HC-1", name="Zoë Jansen", phone="+31612345678", channel="sms", language="nl",
    monthly_rent_cents=84550, collection_day=1, iban="NL91ABNA0417164300", street="Kerkstraat",
    house_number="12", house_number_addition="A", postal_code="1234 AB", city="Amsterdam",
    municipality="GM0363", email="zoe.jansen@example.nl", lease_start=date(2019, 3, 1), lease_end=None,
    payment_method="incasso", mandate_id="HC-1-MND-01", mandate_date=date(2019, 2, 14),
)
HUSEYIN = TenantRecord(
    external_id="HC-2", name="Hüseyin Yılmaz", phone="+31623456789", channel="whatsapp", language="tr",
    monthly_rent_cents=61200, collection_day=1, iban=None, street="Laan van Meerdervoort",
    house_number="301", house_number_addition=None, postal_code="2517 AK", city="Den Haag",
    municipality="'s-Gravenhage", email=None, lease_start=date(2021, 6, 1), lease_end=date(2027, 5, 31),
    payment_method="overboeking",
)


def parse(text: str, encoding: str = "utf-8") -> list[TenantRecord]:
    parsed = parse_tenant_csv(text.encode(encoding), RULES)
    assert parsed.errors == []
    return [record for _, record in parsed.records]


def test_the_record_reads_the_same_under_dutch_headers() -> None:
    text = (f"{DUTCH}\n"
            'HC-1;Zoë Jansen;06-12345678;sms;nl;845,50;1;NL91 ABNA 0417 1643 00;Kerkstraat;12;a;1234ab;Amsterdam;'
            "GM0363;zoe.jansen@example.nl;01-03-2019;;automatische incasso;HC-1-MND-01;14-02-2019\n"
            "HC-2;Hüseyin Yılmaz;06 2345 6789;whatsapp;tr;612,00;1;;Laan van Meerdervoort;301;;2517 AK;Den Haag;"
            "'s-Gravenhage;;1-6-2021;31-05-2027;overboeking;;\n")
    assert parse(text) == [ZOE, HUSEYIN]


def test_the_record_reads_the_same_under_english_headers() -> None:
    text = (f"{ENGLISH}\n"
            'HC-1,Zoë Jansen,06-12345678,sms,nl,"845,50",1,NL91ABNA0417164300,Kerkstraat,12A,,1234 AB,Amsterdam,'
            "0363,zoe.jansen@example.nl,2019-03-01,,direct debit,HC-1-MND-01,2019-02-14\n"
            'HC-2,Hüseyin Yılmaz,06 2345 6789,whatsapp,tr,"612,00",1,,Laan van Meerdervoort,301,,2517AK,Den Haag,'
            "'s-Gravenhage,,2021-06-01,2027-05-31,transfer,,\n")
    assert parse(text) == [ZOE, HUSEYIN]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_utf8_with_and_without_bom_keeps_the_diacritics(bom: bytes) -> None:
    data = bom + f"{DUTCH}\nHC-9;Zoë Hüseyin;06-12345678;sms;nl;845,50;1;;Kerkstraat;1;;1234 AB;Zaandam;Zaanstad;;;;;;\n".encode()
    [record] = [r for _, r in parse_tenant_csv(data, RULES).records]
    assert (record.name, record.municipality) == ("Zoë Hüseyin", "Zaanstad")


def test_a_windows_1252_file_as_dutch_excel_saves_it_keeps_zoe_and_huseyin() -> None:
    text = (f"{DUTCH}\n"
            "HC-1;Zoë Jansen;06-12345678;sms;nl;845,50;1;;Kerkstraat;12;;1234 AB;Amsterdam;GM0363;;;;overboeking;;\n"
            "HC-2;Hüseyin Kaya;06-23456789;sms;nl;€ 612,00;1;;Brinkstraat;3;;7511 CD;Enschede;Enschede;;;;;;\n")
    data = text.encode("cp1252")
    assert b"Zo\xeb" in data and b"H\xfcseyin" in data and b"\x80" in data  # single bytes, € as 0x80
    records = parse(text, "cp1252")
    assert [r.name for r in records] == ["Zoë Jansen", "Hüseyin Kaya"]
    assert records[1].monthly_rent_cents == 61200


def test_a_bad_postcode_and_a_bad_email_are_named_by_line_and_field() -> None:
    text = (f"{ENGLISH}\n"
            'HC-1,Jan,06-12345678,sms,nl,"845,50",1,,Kerkstraat,1,,1234 AB,Utrecht,Utrecht,jan@example.nl,,,,,\n'
            'HC-2,Piet,06-12345679,sms,nl,"845,50",1,,Kerkstraat,2,,123 AB,Utrecht,Utrecht,piet@example.nl,,,,,\n'
            'HC-3,Kees,06-12345670,sms,nl,"845,50",1,,Kerkstraat,3,,1234 AB,Utrecht,Utrecht,kees@@example,,,,,\n')
    parsed = parse_tenant_csv(text.encode(), RULES)
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "postal_code"), (4, "email")]
    assert "postcode '123 AB' is not a Dutch postcode (write it like 1234 AB)" == parsed.errors[0].reason
    assert parsed.errors[1].reason.startswith("'kees@@example' is not a valid e-mail address")
    assert [r.external_id for _, r in parsed.records] == ["HC-1"]


def test_unknown_columns_are_named_once_for_the_whole_file() -> None:
    rows = "\n".join(f'HC-{n},Jan,06-1234567{n},sms,nl,"845,50",1,,x,open' for n in range(5))
    parsed = parse_tenant_csv(f"{ENGLISH.split(',street')[0]},Opmerking,Saldo\n{rows}\n".encode(), RULES)
    assert parsed.errors == []
    assert parsed.warnings == ["unknown columns ignored: 'Opmerking', 'Saldo' "
                               "(see the README for the columns herinnering reads)"]


def test_a_file_without_the_record_columns_says_so_in_columns() -> None:
    parsed = parse_tenant_csv(b'contract_id,name,phone,monthly_rent,collection_day\nHC-1,Jan,0612345678,845,1\n',
                              RULES)
    assert "street" not in parsed.columns and "payment_method" not in parsed.columns
    assert parsed.records[0][1].payment_method == "incasso"  # what everyone was before


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("lease_end", "31-02-2027", "lease end '31-02-2027' is not a date that exists"),
    ("lease_start", "1-3-19", "lease start '1-3-19' is not a date (write it like 31-12-2026 or 2026-12-31)"),
    ("payment_method", "acceptgiro", "payment method 'acceptgiro' is not known"),
    ("mandate_id", "MND_1", "mandate id 'MND_1' holds characters SEPA does not allow"),
    ("house_number", "twaalf", "house number 'twaalf' is not a number"),
    ("municipality", "1234567", "municipality '1234567' is neither a CBS code"),
])
def test_each_bad_record_value_names_its_column(column: str, value: str, reason: str) -> None:
    values = dict.fromkeys(ENGLISH.split(","), "") | {
        "contract_id": "HC-1", "name": "Jan", "phone": "0612345678", "monthly_rent": "845", "collection_day": "1",
        column: value}
    parsed = parse_tenant_csv(f"{ENGLISH}\n{','.join(values.values())}\n".encode(), RULES)
    assert len(parsed.errors) == 1
    assert (parsed.errors[0].line, parsed.errors[0].column) == (2, column)
    assert parsed.errors[0].reason.startswith(reason)


def test_a_lease_that_ends_before_it_starts_is_refused() -> None:
    values = {"contract_id": "HC-1", "name": "Jan", "phone": "0612345678", "monthly_rent": "845",
              "collection_day": "1", "lease_start": "2026-01-01", "lease_end": "2025-12-31"}
    parsed = parse_tenant_csv(f"{','.join(values)}\n{','.join(values.values())}\n".encode(), RULES)
    assert parsed.errors == [RowError(2, "lease_end", "the lease ends (31-12-2025) before it starts (01-01-2026)")]


@pytest.mark.parametrize(("raw", "stored"), [("1234ab", "1234 AB"), (" 1234  AB ", "1234 AB"), ("9999 ZZ", "9999 ZZ")])
def test_postcodes_are_stored_as_postnl_writes_them(raw: str, stored: str) -> None:
    assert check_postcode(raw) == stored


@pytest.mark.parametrize("raw", ["0123 AB", "1234 SS", "12345", "1234 A1"])
def test_impossible_postcodes_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        check_postcode(raw)


@pytest.mark.parametrize(("raw", "stored"), [("GM0363", "GM0363"), ("gm0014", "GM0014"), ("0363", "GM0363"),
                                             ("Súdwest-Fryslân", "Súdwest-Fryslân")])
def test_a_municipality_is_a_cbs_code_or_a_name(raw: str, stored: str) -> None:
    assert check_municipality(raw) == stored
