from __future__ import annotations

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.tenants.core_fields import _fast_mobile

FORMATS = ("0{n}", "+31{n}", "0031{n}", "0{a}-{b}", "+31 {a} {b}", "0{a} {b}")


def slow(value: str) -> str | None:
    """The full phonenumbers path: valid, mobile, E.164."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                 phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(national=st.from_regex(r"[1-9][0-9]{8}", fullmatch=True), form=st.sampled_from(FORMATS))
def test_the_fast_path_agrees_with_phonenumbers_whenever_it_answers(national: str, form: str) -> None:
    value = form.format(n=national, a=national[:1], b=national[1:])
    fast = _fast_mobile(value, "NL")
    if fast is not None:
        assert fast == slow(value)


@given(national=st.from_regex(r"6[1-58][0-9]{7}", fullmatch=True), form=st.sampled_from(FORMATS))
def test_the_fast_path_answers_for_ordinary_dutch_mobile_numbers(national: str, form: str) -> None:
    value = form.format(n=national, a=national[:1], b=national[1:])
    if slow(value) is not None:
        assert _fast_mobile(value, "NL") == slow(value)
