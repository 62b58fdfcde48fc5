"""The tenant import: what an ERP export may look like, and what each mistake in it reports."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.tenants.tenant_csv import (
    CHANNELS,
    CsvFileError,
    ImportRules,
    ParsedFile,
    RowError,
    TenantRecord,
    parse_tenant_csv,
)
from herinnering.errors import ImportFileError
from herinnering.resources import config_dir

RULES = ImportRules(
    collection_days=frozenset(range(1, 26)),
    languages=("nl", "en", "tr", "ar", "pl"),
)

HEADER = "contract_id,name,phone,channel,language,monthly_rent,collection_day,iban"

GOOD_ROW = {
    "contract_id": "HC-100101",
    "name": "Jan de Vries",
    "phone": "06-12345678",
    "channel": "sms",
    "language": "nl",
    "monthly_rent": "845,50",
    "collection_day": "1",
    "iban": "",
}


def lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def one_row(**overrides: str) -> ParsedFile:
    """A file with the header and one row: GOOD_ROW with some values replaced."""
    row = GOOD_ROW | overrides
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(row))
    writer.writerow(list(row.values()))
    return parse_tenant_csv(out.getvalue().encode("utf-8"), RULES)


def only_record(parsed: ParsedFile) -> TenantRecord:
    assert parsed.errors == []
    assert len(parsed.records) == 1
    return parsed.records[0][1]


def only_error(parsed: ParsedFile) -> RowError:
    assert parsed.records == []
    assert len(parsed.errors) == 1
    return parsed.errors[0]


def dutch_amount(cents: int) -> str:
    """Format cents as a Dutch spreadsheet does: 1.234.567,89."""
    euros = f"{cents // 100:,}".replace(",", ".")
    return f"{euros},{cents % 100:02d}"


# --- the sample file ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> ParsedFile:
    return parse_tenant_csv((config_dir() / "sample-tenants.csv").read_bytes(), RULES)


def test_the_sample_file_parses_to_fifty_records_without_errors(sample: ParsedFile) -> None:
    assert sample.errors == []
    assert len(sample.records) == 50
    assert [line for line, _ in sample.records] == list(range(2, 52))


def test_the_sample_file_covers_every_collection_day_both_channels_and_four_languages(
    sample: ParsedFile,
) -> None:
    records = [record for _, record in sample.records]
    assert {r.collection_day for r in records} == set(range(1, 26))
    assert {r.channel for r in records} == set(CHANNELS)
    assert len({r.language for r in records}) >= 4
    assert Counter(r.language for r in records).most_common(1)[0][0] == "nl"


def test_the_sample_file_has_realistic_values(sample: ParsedFile) -> None:
    records = [record for _, record in sample.records]
    assert all(r.phone.startswith("+316") and len(r.phone) == 12 for r in records)
    assert all(45_000 <= r.monthly_rent_cents <= 110_000 for r in records)
    assert 15 <= sum(r.iban is not None for r in records) <= 35
    assert all(r.iban is None or r.iban.startswith("NL") for r in records)
    assert len({r.external_id for r in records}) == 50


# --- bad rows ----------------------------------------------------------------------------


def test_a_file_with_bad_rows_reports_each_bad_line_and_keeps_the_good_rows() -> None:
    data = b"\n".join(
        [
            HEADER.encode(),  # line 1
            b'HC-1,Jan de Vries,06-12345678,sms,nl,"845,50",1,',  # 2 good
            b'HC-2,Anna Bakker,06-23456789,sms,nl,"700,00",26,',  # 3 day 26
            b'HC-3,Piet Smit,0612,sms,nl,"700,00",5,',  # 4 invalid phone
            b"HC-4,Sanne Jansen",  # 5 the phone value is missing
            b'HC-5,Ren\xe9 Dubois,06-34567890,sms,nl,"700,00",5,',  # 6 Latin-1 e-acute
            b"",  # 7 blank: skipped
            b'HC-6,"Zo\xc3\xab',  # 8 a quoted newline inside the name ...
            b'van Dijk",+31 6 45678901,whatsapp,en,"612,00",10,',  # 9 ... ends here: good
            b'HC-7,Mehmet Y\xc4\xb1lmaz,06 5678 9012,sms,tr,"512,00",25,',  # 10 good
            b'HC-8,Ayse Kaya,06-27890123,sms,tr,"512,00",1,',  # 11 good
        ]
    )
    parsed = parse_tenant_csv(data + b"\n", RULES)

    assert [(e.line, e.column) for e in parsed.errors] == [
        (3, "collection_day"),
        (4, "phone"),
        (5, "phone"),
        (6, "name"),
    ]
    assert [(line, r.external_id) for line, r in parsed.records] == [
        (2, "HC-1"),
        (8, "HC-6"),
        (10, "HC-7"),
        (11, "HC-8"),
    ]
    assert parsed.records[1][1].name == "Zoë van Dijk"


def test_a_latin1_byte_in_a_utf8_file_is_reported_with_the_byte_and_the_fix() -> None:
    # The file has real UTF-8 ("Zoë"), so it is UTF-8 and the stray 0xE9 is a mistake in its row.
    data = lines(HEADER, 'HC-2,Zoë,06-12345679,sms,nl,"845,50",1,') + b'HC-1,Ren\xe9,06-12345678,sms,nl,"845,50",1,\n'
    parsed = parse_tenant_csv(data, RULES)
    assert parsed.errors == [RowError(3, "name", "not valid UTF-8 (byte 0xe9); save the file as UTF-8")]
    assert [record.name for _, record in parsed.records] == ["Zoë"]


def test_a_windows_1252_file_without_any_utf8_is_read_as_windows_1252() -> None:
    data = lines(HEADER) + b'HC-1,Ren\xe9,06-12345678,sms,nl,"845,50",1,\n'
    assert only_record(parse_tenant_csv(data, RULES)).name == "René"


def test_a_row_error_reads_as_line_column_and_reason() -> None:
    error = RowError(7, "collection_day", "collection day 26 is not allowed (allowed: 1-25)")
    assert str(error) == "line 7, collection_day: collection day 26 is not allowed (allowed: 1-25)"
    assert str(RowError(3, None, "bad quote")) == "line 3: bad quote"


def test_a_short_row_names_the_first_missing_required_column() -> None:
    error = only_error(parse_tenant_csv(lines(HEADER, "HC-1,Jan,06-12345678,sms"), RULES))
    assert error.line == 2
    assert error.column == "monthly_rent"
    assert "ends before the monthly_rent value" in error.reason


def test_a_row_without_the_optional_trailing_values_is_fine() -> None:
    header = "contract_id,name,phone,monthly_rent,collection_day,channel,language,iban"
    record = only_record(parse_tenant_csv(lines(header, 'HC-1,Jan,0612345678,"845,50",3'), RULES))
    assert (record.channel, record.language, record.iban) == ("sms", "nl", None)


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        # every required value that is present but empty is named
        ("contract_id", "the contract id is missing"),
        ("name", "the name is missing"),
        ("phone", "the phone number is missing"),
        ("monthly_rent", "the monthly rent is missing"),
        ("collection_day", "the collection day is missing"),
    ],
)
def test_an_empty_required_value_is_an_error_in_its_column(column: str, reason: str) -> None:
    assert only_error(one_row(**{column: "  "})) == RowError(2, column, reason)


def test_a_row_with_several_problems_reports_each_of_them_and_is_not_kept() -> None:
    parsed = one_row(phone="020 123 4567", monthly_rent="0", collection_day="31", iban="NL00")
    assert parsed.records == []
    assert [e.column for e in parsed.errors] == ["phone", "monthly_rent", "collection_day", "iban"]


def test_a_duplicate_contract_id_is_reported_on_the_later_line() -> None:
    data = lines(
        HEADER,
        'HC-1001,Jan,06-12345678,sms,nl,"845,50",1,',
        'HC-1002,Anna,06-23456789,sms,nl,"845,50",2,',
        ' HC-1001 ,Piet,06-34567890,sms,nl,"845,50",3,',
    )
    parsed = parse_tenant_csv(data, RULES)
    assert [r.external_id for _, r in parsed.records] == ["HC-1001", "HC-1002"]
    assert parsed.errors == [
        RowError(4, "contract_id", "duplicate contract id 'HC-1001', first on line 2")
    ]


def test_a_duplicate_of_a_bad_row_is_still_a_duplicate() -> None:
    data = lines(
        HEADER,
        'HC-1001,Jan,0612,sms,nl,"845,50",1,',  # bad phone, but HC-1001 is taken here
        'HC-1001,Jan,06-12345678,sms,nl,"845,50",1,',
    )
    parsed = parse_tenant_csv(data, RULES)
    assert parsed.records == []
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "phone"), (3, "contract_id")]


def test_an_unquoted_dutch_amount_that_shifts_the_columns_is_caught() -> None:
    row = "HC-1,Jan,06-12345678,sms,nl,845,50,1,NL91ABNA0417164300"
    parsed = parse_tenant_csv(lines(HEADER, row), RULES)
    assert parsed.records == []
    first = parsed.errors[0]
    assert (first.line, first.column) == (2, None)
    assert "9 values but the header has 8 columns" in first.reason


def test_trailing_empty_values_as_excel_writes_them_are_ignored() -> None:
    row = 'HC-1,Jan,06-12345678,sms,nl,"845,50",1,,,'
    assert only_record(parse_tenant_csv(lines(HEADER, row), RULES)).external_id == "HC-1"


def test_blank_lines_and_rows_of_only_delimiters_are_skipped_silently() -> None:
    data = lines("", HEADER, "", ",,,,,,,", "   ", 'HC-1,Jan,06-12345678,sms,nl,"845,50",1,', "")
    parsed = parse_tenant_csv(data, RULES)
    assert parsed.errors == []
    assert [line for line, _ in parsed.records] == [6]


def test_an_unclosed_quote_is_reported_on_the_line_where_the_row_starts() -> None:
    data = lines(
        HEADER,
        'HC-1,Jan,06-12345678,sms,nl,"845,50",1,',
        'HC-2,"Anna,06-23456789,sms,nl,845,2,',
        "HC-3,Piet,06-34567890,sms,nl,845,3,",
    )
    parsed = parse_tenant_csv(data, RULES)
    assert [line for line, _ in parsed.records] == [2]
    assert parsed.errors == [
        RowError(
            3,
            None,
            'a quote (") opened in this row is never closed, so lines 3-4 could not be read',
        )
    ]


def test_a_stray_quote_inside_a_value_is_reported_and_the_next_rows_still_read() -> None:
    data = lines(
        HEADER,
        'HC-1,"Jan" de Vries,06-12345678,sms,nl,"845,50",1,',
        'HC-2,Anna,06-23456789,sms,nl,"845,50",2,',
    )
    parsed = parse_tenant_csv(data, RULES)
    assert [line for line, _ in parsed.records] == [3]
    assert [(e.line, e.column) for e in parsed.errors] == [(2, None)]


@given(junk=st.binary(max_size=400))
def test_no_row_content_makes_the_parser_raise(junk: bytes) -> None:
    parsed = parse_tenant_csv(lines(HEADER) + junk, RULES)
    assert all(error.line >= 2 for error in parsed.errors)
    for error in parsed.errors:
        str(error).encode("utf-8")  # printable: no lone surrogates leak into messages


# --- the file as a whole -----------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["contract_id", "name", "phone", "monthly_rent", "collection_day"]
)
def test_a_missing_required_column_makes_the_file_unusable_and_is_named(missing: str) -> None:
    header = ",".join(c for c in HEADER.split(",") if c != missing)
    with pytest.raises(CsvFileError, match=f"missing required column '{missing}'") as caught:
        parse_tenant_csv(lines(header, "a,b,c,d,e,f,g"), RULES)
    assert "the header has: " in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, ImportFileError)


@pytest.mark.parametrize(
    "data",
    [
        b"",  # nothing at all
        b"\xef\xbb\xbf",  # only a BOM
        b"\n\r\n   \n",  # only blank lines
    ],
)
def test_an_empty_file_is_unusable(data: bytes) -> None:
    with pytest.raises(CsvFileError, match="empty"):
        parse_tenant_csv(data, RULES)


def test_a_utf16_file_is_unusable_with_a_hint_to_save_as_utf8() -> None:
    with pytest.raises(CsvFileError, match="UTF-8"):
        parse_tenant_csv(HEADER.encode("utf-16"), RULES)


def test_two_headers_meaning_the_same_column_make_the_file_unusable() -> None:
    header = "contract_id,name,telefoon,mobiel,monthly_rent,collection_day"
    with pytest.raises(CsvFileError, match="'phone' appears twice"):
        parse_tenant_csv(lines(header), RULES)


def test_a_header_only_file_has_no_records_and_no_errors() -> None:
    assert parse_tenant_csv(lines(HEADER), RULES) == ParsedFile(records=[], errors=[])


def test_a_semicolon_delimited_excel_export_is_read() -> None:
    data = lines(
        "contract_id;name;phone;channel;language;monthly_rent;collection_day;iban",
        "HC-1;de Vries, Jan;06-12345678;sms;nl;845,50;1;",
    )
    record = only_record(parse_tenant_csv(data, RULES))
    assert (record.name, record.monthly_rent_cents) == ("de Vries, Jan", 84550)


def test_excels_sep_line_chooses_the_delimiter() -> None:
    data = lines("sep=;", HEADER.replace(",", ";"), "HC-1;Jan;06-12345678;sms;nl;845,50;1;")
    parsed = parse_tenant_csv(data, RULES)
    assert [line for line, _ in parsed.records] == [3]


def test_the_dutch_erp_headers_are_read_as_aliases() -> None:
    data = lines(
        "Huurcontract;Naam;Mobiel;Kanaal;Taal;Maandhuur;Incassodag;IBAN",
        "HC-1;Jan de Vries;06-12345678;WhatsApp;Nederlands;€ 845,50;1;NL91 ABNA 0417 1643 00",
    )
    assert only_record(parse_tenant_csv(data, RULES)) == TenantRecord(
        external_id="HC-1",
        name="Jan de Vries",
        phone="+31612345678",
        channel="whatsapp",
        language="nl",
        monthly_rent_cents=84550,
        collection_day=1,
        iban="NL91ABNA0417164300",
    )


@pytest.mark.parametrize(
    ("alias", "column"),
    [
        ("huurcontract", "contract_id"),
        ("contractnummer", "contract_id"),
        ("naam", "name"),
        ("telefoon", "phone"),
        ("mobiel", "phone"),
        ("kanaal", "channel"),
        ("taal", "language"),
        ("huur", "monthly_rent"),
        ("maandhuur", "monthly_rent"),
        ("incassodag", "collection_day"),
        (" Contract_ID ", "contract_id"),  # case and surrounding spaces do not matter
        ("Collection Day", "collection_day"),  # nor a space instead of the underscore
    ],
)
def test_each_header_alias_fills_its_column(alias: str, column: str) -> None:
    header = HEADER.replace(column, alias)
    row = 'HC-1,Jan,06-12345678,whatsapp,en,"845,50",7,'
    record = only_record(parse_tenant_csv(lines(header, row), RULES))
    assert record == TenantRecord("HC-1", "Jan", "+31612345678", "whatsapp", "en", 84550, 7, None)


def test_unknown_columns_are_ignored() -> None:
    header = "opmerking,contract_id,name,phone,monthly_rent,collection_day,adres"
    row = 'let op,HC-1,Jan,06-12345678,"845,50",1,Dorpsstraat 1'
    record = only_record(parse_tenant_csv(lines(header, row), RULES))
    assert (record.external_id, record.channel, record.language) == ("HC-1", "sms", "nl")


def test_a_byte_order_mark_and_windows_line_endings_are_fine() -> None:
    data = b"\xef\xbb\xbf" + f'{HEADER}\r\nHC-1,Zoë,06-12345678,sms,nl,"845,50",1,\r\n'.encode()
    record = only_record(parse_tenant_csv(data, RULES))
    assert (record.external_id, record.name) == ("HC-1", "Zoë")


# --- the values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("845,50", 84550),  # Dutch decimal comma
        ("845.50", 84550),  # English decimal point
        ("845", 84500),  # whole euros
        ("845,5", 84550),  # one decimal
        ("1.234,56", 123456),  # Dutch thousands
        ("1,234.56", 123456),  # English thousands
        ("€ 845,50", 84550),  # with the euro sign
        ("€845,50", 84550),  # ... without a space
        ("845,50 EUR", 84550),  # with the currency code
        ("€ 845,-", 84500),  # Dutch notation for whole euros
        ("  845,50  ", 84550),  # surrounding spaces
        ("0,01", 1),  # the smallest amount
        ("99.999,99", 9_999_999),  # the largest amount
        ("1 234,56", 123456),  # a space as thousands separator
    ],
)
def test_a_rent_is_read_as_exact_cents(text: str, cents: int) -> None:
    assert only_record(one_row(monthly_rent=text)).monthly_rent_cents == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("845,505", "ambiguous"),  # 3 decimals or a thousands separator?
        ("1.234", "ambiguous"),  # 1234 euros or 1,234 euros?
        ("845,5050", "more than 2 decimals"),  # too precise
        ("0", "must be more than 0"),  # free housing does not need reminders
        ("0,00", "must be more than 0"),
        ("-845,50", "must be more than 0"),  # a credit is not a rent
        ("100.000,00", "not below 100.000 euros"),  # a typo, not a rent
        ("achthonderd", "not an amount in euros"),  # words
        ("1.23.45", "not an amount in euros"),  # broken grouping
        ("845,50,00", "not an amount in euros"),
    ],
)
def test_a_bad_rent_is_an_error_in_the_rent_column(text: str, reason: str) -> None:
    error = only_error(one_row(monthly_rent=text))
    assert error.column == "monthly_rent"
    assert reason in error.reason


@given(cents=st.integers(min_value=1, max_value=9_999_999))
def test_any_rent_in_dutch_notation_reads_back_as_the_same_cents(cents: int) -> None:
    assert only_record(one_row(monthly_rent=dutch_amount(cents))).monthly_rent_cents == cents


@given(cents=st.integers(min_value=1, max_value=9_999_999))
def test_any_rent_in_english_notation_reads_back_as_the_same_cents(cents: int) -> None:
    text = f"{cents // 100:,}.{cents % 100:02d}"
    assert only_record(one_row(monthly_rent=text)).monthly_rent_cents == cents


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("06-12345678", "+31612345678"),  # the Dutch way
        ("06 1234 5678", "+31612345678"),  # grouped
        ("0612345678", "+31612345678"),  # plain
        ("+31 6 12345678", "+31612345678"),  # international
        ("+31612345678", "+31612345678"),  # already E.164
        ("0031612345678", "+31612345678"),  # international with the 00 prefix
        ("+31 (0)6 12345678", "+31612345678"),  # with the national prefix in brackets
        ("+32 470 12 34 56", "+32470123456"),  # a Belgian mobile
    ],
)
def test_a_mobile_number_is_stored_as_e164(text: str, e164: str) -> None:
    assert only_record(one_row(phone=text)).phone == e164


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("020 123 4567", "'020 123 4567' is not a mobile number"),  # a landline
        ("0612", "'0612' is not a valid phone number"),  # too short
        ("06-1234567890", "'06-1234567890' is not a valid phone number"),  # too long
        ("06-1234ABCD", "'06-1234ABCD' is not a valid phone number"),  # letters
        ("bellen via kantoor", "'bellen via kantoor' is not a valid phone number"),
    ],
)
def test_a_number_that_cannot_receive_messages_is_an_error(text: str, reason: str) -> None:
    assert only_error(one_row(phone=text)) == RowError(2, "phone", reason)


@pytest.mark.parametrize(
    ("text", "iban"),
    [
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),  # printed with spaces
        ("nl91abna0417164300", "NL91ABNA0417164300"),  # lower case
        ("BE68 5390 0754 7034", "BE68539007547034"),  # a Belgian account
        ("", None),  # optional
    ],
)
def test_a_valid_iban_is_stored_compact_and_upper_case(text: str, iban: str | None) -> None:
    assert only_record(one_row(iban=text)).iban == iban


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NL92 ABNA 0417 1643 00", "check digits do not match"),  # one digit off
        ("NL91 ABNA 0417 1643 0", "has 18 characters, this one has 17"),  # one digit short
        ("0417164300", "not a valid IBAN"),  # an old Dutch account number
        ("NL91-ABNA-0417-1643-00", "not a valid IBAN"),  # hyphens
    ],
)
def test_an_invalid_iban_is_an_error(text: str, reason: str) -> None:
    error = only_error(one_row(iban=text))
    assert error.column == "iban"
    assert reason in error.reason


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (frozenset(range(1, 26)), "allowed: 1-25"),  # a run
        (frozenset({1, 5, 10, 15, 20, 25}), "allowed: 1, 5, 10, 15, 20, 25"),  # a list
        (frozenset({1, 2, 3, 4, 15, 27, 28}), "allowed: 1-4, 15, 27, 28"),  # both
    ],
)
def test_a_disallowed_collection_day_names_the_allowed_days_compactly(
    days: frozenset[int], shown: str
) -> None:
    rules = ImportRules(collection_days=days, languages=("nl",))
    data = lines(HEADER, 'HC-1,Jan,06-12345678,sms,nl,"845,50",26,')
    error = only_error(parse_tenant_csv(data, rules))
    assert error == RowError(2, "collection_day", f"collection day 26 is not allowed ({shown})")


@pytest.mark.parametrize(
    "text",
    [
        "5.5",  # not whole
        "vijf",  # a word
        "٥",  # an Arabic-Indic digit that int() would accept
        "0",  # no such day
    ],
)
def test_a_collection_day_must_be_an_allowed_whole_number(text: str) -> None:
    assert only_error(one_row(collection_day=text)).column == "collection_day"


def test_a_collection_day_with_a_leading_zero_is_fine() -> None:
    assert only_record(one_row(collection_day=" 05 ")).collection_day == 5


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("sms", "sms"),
        ("SMS", "sms"),  # any case
        ("whatsapp", "whatsapp"),
        ("WhatsApp", "whatsapp"),  # as the brand writes it
        ("Whats App", "whatsapp"),  # with a space
        ("wa", "whatsapp"),  # abbreviated
        ("", "sms"),  # empty: the default
    ],
)
def test_a_channel_is_read_case_insensitively(text: str, channel: str) -> None:
    assert only_record(one_row(channel=text)).channel == channel


def test_an_unknown_channel_is_an_error() -> None:
    error = only_error(one_row(channel="email"))
    assert error == RowError(2, "channel", "channel 'email' is not supported (use sms or whatsapp)")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("nl", "nl"),
        ("EN", "en"),  # any case
        ("nl-NL", "nl"),  # a locale
        ("Nederlands", "nl"),  # the language's own name
        ("English", "en"),
        ("Türkçe", "tr"),
        ("Polski", "pl"),
        ("العربية", "ar"),
        ("Arabisch", "ar"),  # the Dutch name
        ("", "nl"),  # empty: the default
    ],
)
def test_a_language_is_read_as_its_code(text: str, language: str) -> None:
    assert only_record(one_row(language=text)).language == language


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("de", "language 'de' is not offered (offered: nl, en, tr, ar, pl)"),  # known, not offered
        ("Deutsch", "language 'Deutsch' is not offered (offered: nl, en, tr, ar, pl)"),
        ("Klingon", "'Klingon' is not a known language (offered: nl, en, tr, ar, pl)"),
    ],
)
def test_a_language_that_is_not_offered_is_an_error(text: str, reason: str) -> None:
    assert only_error(one_row(language=text)) == RowError(2, "language", reason)


def test_a_name_is_stripped_and_its_inner_whitespace_collapsed() -> None:
    assert only_record(one_row(name="  Jan \n de  Vries ")).name == "Jan de Vries"


def test_a_name_may_be_200_characters_but_not_more() -> None:
    assert only_record(one_row(name="a" * 200)).name == "a" * 200
    error = only_error(one_row(name="a" * 201))
    assert (error.column, error.reason) == ("name", "the name is 201 characters long (at most 200)")


def test_import_rules_refuse_a_default_language_they_do_not_offer() -> None:
    with pytest.raises(ValueError, match="default_language"):
        ImportRules(collection_days=frozenset({1}), languages=("en",), default_language="nl")
