"""`[twilio]`: the account and senders (usually from TWILIO_* variables)."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.errors import ConfigError


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    sms_from: str
    whatsapp_from: str
    api_base_url: str

    def require(self) -> TwilioSettings:
        """Fail with a helpful message when sending is asked for but Twilio is not set up."""
        for key, env in (("account_sid", "TWILIO_ACCOUNT_SID"), ("auth_token", "TWILIO_AUTH_TOKEN"),
                         ("sms_from", "TWILIO_FROM")):
            if not getattr(self, key):
                raise ConfigError(f"twilio.{key} is not set: set {env} or [twilio] {key} in your config file")
        return self


def parse(s: Section) -> TwilioSettings:
    return TwilioSettings(
        account_sid=s.pattern("account_sid", r"(AC[0-9a-fA-F]{32})?", "AC followed by 32 hex digits"),
        auth_token=s.text("auth_token", allow_empty=True),
        sms_from=s.pattern(
            "sms_from", r"(\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{0,11})",
            "a phone number in E.164 (+31...) or an alphanumeric sender of at most 11 characters",
        ),
        whatsapp_from=s.pattern("whatsapp_from", r"(whatsapp:\+[1-9][0-9]{6,14})?", "whatsapp:+<number>"),
        api_base_url=s.url("api_base_url"),
    )
