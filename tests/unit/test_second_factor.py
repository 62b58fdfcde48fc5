"""Time-based codes (RFC 6238) as authenticator apps make them: accepted one step either side
of now, once each, in any typed format; and the `[security] require_totp` setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.config import load_settings
from herinnering.domain.privacy.second_factor import (
    STEP_SECONDS,
    accepted_step,
    code_at,
    grouped,
    new_secret,
    provisioning_uri,
    step_at,
)
from herinnering.errors import ConfigError

# RFC 6238 appendix B: the SHA-1 test secret "12345678901234567890" in base32, its 8-digit codes
# end in these six digits (an app shows the last six).
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"),
               (2000000000, "279037"), (20000000000, "353130")]
NOW = datetime(2026, 12, 3, 9, 0, 7, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "code"), RFC_VECTORS)
def test_codes_match_the_rfc_6238_test_vectors(seconds: int, code: str) -> None:
    assert code_at(RFC_SECRET, datetime.fromtimestamp(seconds, UTC)) == code


def test_the_code_of_now_and_of_one_step_either_side_is_accepted_but_not_two() -> None:
    secret = new_secret()
    for offset, ok in ((-2, False), (-1, True), (0, True), (1, True), (2, False)):
        code = code_at(secret, NOW + timedelta(seconds=offset * STEP_SECONDS))
        assert (accepted_step(secret, code, NOW, None) is not None) is ok, offset


def test_a_code_counts_once_and_never_for_an_earlier_step() -> None:
    secret = new_secret()
    code = code_at(secret, NOW)
    step = accepted_step(secret, code, NOW, None)
    assert step == step_at(NOW)
    assert accepted_step(secret, code, NOW, step) is None                       # replayed
    earlier = code_at(secret, NOW - timedelta(seconds=STEP_SECONDS))
    assert accepted_step(secret, earlier, NOW, step) is None                    # older than the last one used
    later = NOW + timedelta(seconds=STEP_SECONDS)
    assert accepted_step(secret, code_at(secret, later), later, step) == step + 1


@pytest.mark.parametrize("typed", ["{a} {b}", "{a}-{b}", " {a}{b} ", "{a}\u00a0{b}"])
def test_spaces_and_a_dash_in_a_typed_code_do_not_matter(typed: str) -> None:
    secret = new_secret()
    code = code_at(secret, NOW)
    assert accepted_step(secret, typed.format(a=code[:3], b=code[3:]), NOW, None) is not None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "１２３４５６"])  # the last: full-width digits
def test_anything_but_six_digits_is_refused_without_comparing(typed: str) -> None:
    assert accepted_step(new_secret(), typed, NOW, None) is None


@given(st.integers(min_value=0, max_value=4_000_000_000))
def test_a_code_made_at_any_moment_is_accepted_at_that_moment(seconds: int) -> None:
    at = datetime.fromtimestamp(seconds, UTC)
    assert accepted_step(RFC_SECRET, code_at(RFC_SECRET, at), at, None) == step_at(at)


def test_the_app_gets_an_otpauth_address_with_issuer_and_account() -> None:
    uri = provisioning_uri(RFC_SECRET, "anna@delinde.nl", "Herinnering De Linde")
    assert uri.startswith("otpauth://totp/") and "secret=" + RFC_SECRET in uri and "issuer=Herinnering" in uri
    assert grouped(RFC_SECRET) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert len(new_secret()) == 32 and new_secret() != new_secret()


def test_require_totp_is_off_by_default_and_must_be_true_or_false() -> None:
    assert load_settings(environ={}).security.require_totp is False
    assert load_settings(environ={"HERINNERING_SECURITY__REQUIRE_TOTP": "true"}).security.require_totp is True
    with pytest.raises(ConfigError, match="security.require_totp"):
        load_settings(environ={"HERINNERING_SECURITY__REQUIRE_TOTP": "1"})
