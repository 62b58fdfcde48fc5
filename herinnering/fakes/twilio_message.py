"""One Message as the fake Twilio stores and returns it, its SMS segments, and the request
signature (X-Twilio-Signature) of what the fake posts back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from multidict import MultiDictProxy

from herinnering.fakes.twilio_faults import NumberRule, error_message

API_VERSION = "2010-04-01"
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets


def count_segments(body: str) -> int:
    """SMS parts Twilio bills: GSM-7 fits 160 (153 when split), anything else UCS-2 70 (67)."""
    if not body:
        return 0
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in body):
        units, single, part = sum(2 if c in _GSM7_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def sign(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 over the URL and the sorted name+value pairs.

    Written independently of twilio's RequestValidator so the tests cross-check the two.
    """
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment.astimezone(UTC)) if moment else None


@dataclass
class FakeMessage:
    """One accepted message: what Twilio stores, plus what the fake saw and did for it."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    num_media: int
    date_created: datetime
    request: dict[str, str | list[str]]
    outcome: NumberRule | None = None
    status: str = "queued"
    date_sent: datetime | None = None
    error_code: int | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.date_updated = self.date_created

    @property
    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"

    @property
    def channel(self) -> str:
        return "whatsapp" if self.to.startswith("whatsapp:") else "sms"

    def resource(self) -> dict[str, Any]:
        """The Message JSON exactly as Twilio's API returns it."""
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": _rfc2822(self.date_created),
            "date_sent": _rfc2822(self.date_sent),
            "date_updated": _rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": error_message(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(self.num_media),
            "num_segments": str(count_segments(self.body)),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": f"{self.uri}/Media.json",
                "feedback": f"{self.uri}/Feedback.json",
            },
            "to": self.to,
            "uri": f"{self.uri}.json",
        }

    def admin_json(self) -> dict[str, Any]:
        return {**self.resource(), "request": self.request, "callbacks": self.callbacks}

    def __getitem__(self, key: str) -> Any:
        """Read it like the JSON (`message["to"]`), so tests need not know this class."""
        return self.admin_json()[key]


def request_fields(form: MultiDictProxy[str]) -> dict[str, str | list[str]]:
    """The request as received; repeated fields (MediaUrl) become lists."""
    fields: dict[str, str | list[str]] = {}
    for name in form:
        values = form.getall(name)
        fields[name] = values if len(values) > 1 or name == "MediaUrl" else values[0]
    return fields
