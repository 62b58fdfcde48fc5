"""`[payments]`: the payment-link provider, the payments API token and bank-line matching."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.errors import ConfigError


@dataclass(frozen=True)
class PaymentSettings:
    provider: str             # "sandbox" (our own iDEAL-style page) or "mollie"
    link_expiry_days: int     # a payment link stops working this many days after it was made
    api_token: str            # Bearer token of POST /api/payments; empty: the API refuses every call
    mollie_api_key: str       # test_... or live_...; required when provider = "mollie"
    mollie_api_endpoint: str  # https://api.mollie.com, or the shipped fake (herinnering fake-mollie)
    match_threshold: int      # a bank line without a contract id is booked by itself from this confidence on
    match_margin: int         # ... and only this far ahead of the next suggestion (domain/payments/bank_matching.py)


def parse(s: Section) -> PaymentSettings:
    provider = s.choice("provider", ("sandbox", "mollie"))
    key = s.pattern("mollie_api_key", r"((test|live)_\w+)?", "a Mollie API key starting with test_ or live_")
    if provider == "mollie" and not key:
        raise ConfigError("payments.mollie_api_key is not set: set MOLLIE_API_KEY or [payments] mollie_api_key "
                          "(test_... or live_...) when payments.provider is \"mollie\"")
    return PaymentSettings(
        provider=provider,
        link_expiry_days=s.integer("link_expiry_days", 1, 90),
        api_token=s.text("api_token", allow_empty=True),
        mollie_api_key=key,
        mollie_api_endpoint=s.url("mollie_api_endpoint"),
        match_threshold=s.integer("match_threshold", 1, 101),
        match_margin=s.integer("match_margin", 0, 100),
    )
