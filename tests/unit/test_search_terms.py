"""What an officer types becomes full-text terms: folded like the index, phone numbers in any
format as their subscriber number, words as prefixes."""

from __future__ import annotations

import importlib

import pytest

from herinnering.domain.tenants.search_terms import FOLD_FROM, FOLD_TO, Term, fold, terms


@pytest.mark.parametrize(("typed", "expected"), [
    ("Yılmaz", [Term("yilmaz", True)]),
    ("Wróbel-Öztürk", [Term("wrobel", True), Term("ozturk", True)]),
    ("HC-204518", [Term("hc", True), Term("204518", True)]),
    ("+31 6 1234 5678", [Term("612345678", False)]),         # every format: the last nine digits
    ("06-12345678", [Term("612345678", False)]),
    ("0031612345678", [Term("612345678", False)]),
    ("06 1234", [Term("061234", True)]),                      # the start of a number typed with spaces
    ("+31 6 12", [Term("0612", True)]),
    ("1234 AB", [Term("1234", True), Term("ab", True)]),     # a postcode is no phone number
    ("jan jan", [Term("jan", True)]),
    ("a b c d e f g h", [Term(w, True) for w in "abcdef"]),  # at most six terms
    ("'; DROP --", [Term("drop", True)]),
    ("", []),
])
def test_typed_text_becomes_terms(typed: str, expected: list[Term]) -> None:
    assert terms(typed) == expected


def test_folding_is_the_one_the_migration_put_into_the_index() -> None:
    migration = importlib.import_module("herinnering.migrations.versions.0023_tenant_search")
    assert (migration.FOLD_FROM, migration.FOLD_TO) == (FOLD_FROM, FOLD_TO)
    assert fold("ŞİŞLİ Łódź") == "sisli lodz"
