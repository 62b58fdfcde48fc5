"""The bank-line matcher's points and reasons, on fixed candidates."""

from __future__ import annotations

from herinnering.domain.payments.bank_matching import (
    BankLine,
    Candidate,
    OpenMonth,
    decide,
    masked_iban,
    postcodes_in,
    suggest,
)

DECEMBER = OpenMonth("2026-12", 65636)


def tenant(n: int, **fields: object) -> Candidate:
    values: dict[str, object] = {"tenant_id": n, "contract_id": f"HC-{n}", "name": "Anna de Vries",
                                 "monthly_rent_cents": 65636, "open_months": (DECEMBER,)}
    values.update(fields)
    return Candidate(**values)  # type: ignore[arg-type]


def test_a_known_account_paying_exactly_an_open_month_is_booked_with_its_reasons() -> None:
    line = BankLine(65636, "huur december")
    [best] = suggest(line, [tenant(1, iban_label="huurder")])
    assert (best.contract_id, best.period) == ("HC-1", "2026-12")
    assert best.explanation == "IBAN bekend, bedrag = huur december, omschrijving noemt december"
    assert best.confidence == 100 and decide([best], threshold=80, margin=20) == best


def test_a_partners_account_is_known_too_and_says_whose_it_is() -> None:
    [best] = suggest(BankLine(65636, ""), [tenant(1, iban_label="budgetbeheer gemeente")])
    assert best.reasons == ("IBAN bekend (budgetbeheer gemeente)", "bedrag = huur december")
    assert best.confidence == 85


def test_two_tenants_with_the_same_amount_are_offered_never_chosen() -> None:
    line = BankLine(65636, "huur december")
    found = suggest(line, [tenant(1), tenant(2, name="Bram Bakker")])
    assert [s.contract_id for s in found] == ["HC-1", "HC-2"] and found[0].confidence == found[1].confidence == 40
    assert decide(found, threshold=80, margin=20) is None


def test_a_name_or_postcode_in_the_description_lifts_one_above_the_other() -> None:
    line = BankLine(65636, "Huur dec. fam. de Vries 1234 AB")
    found = suggest(line, [tenant(1, postcode="1234 AB"), tenant(2, name="Bram Bakker")])
    assert found[0].contract_id == "HC-1" and "naam in omschrijving" in found[0].reasons
    assert "postcode in omschrijving" in found[0].reasons and found[0].confidence == 80
    assert decide(found, threshold=80, margin=20) == found[0]


def test_the_whole_arrears_in_one_transfer() -> None:
    months = (OpenMonth("2026-11", 65636), OpenMonth("2026-12", 65636))
    [best] = suggest(BankLine(131272, ""), [tenant(1, open_months=months, iban_label="huurder")])
    assert "bedrag = totale achterstand" in best.reasons and best.period == "2026-11"


def test_no_sign_is_no_suggestion_and_accents_do_not_hide_a_name() -> None:
    assert suggest(BankLine(1234, "gift"), [tenant(1)]) == []
    [best] = suggest(BankLine(1234, "voor Zoe van Dyk en Hüseyin Aydin"), [tenant(1, name="Hüseyin Aydın")])
    assert best.reasons == ("naam in omschrijving",)


def test_helpers_for_postcodes_and_accounts() -> None:
    assert postcodes_in("Kerkstraat 12, 1234ab Amsterdam en 5678 CD") == {"1234 AB", "5678 CD"}
    assert masked_iban("NL73 SNSB 0485 9198 59") == "NL73…9859"
