"""`[organisation]`: who signs every message, and where tenants who pay by transfer pay."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    phone: str
    landlord_id: str
    iban: str         # the account tenants who pay by transfer pay into (in their reminder)
    payment_url: str  # where they can pay online, if anywhere (in their reminder)


def parse(s: Section) -> OrganisationSettings:
    return OrganisationSettings(
        name=s.text("name", max_length=40), phone=s.text("phone"), landlord_id=s.text("landlord_id"),
        iban=s.pattern("iban", r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}",
                       "the corporation's IBAN, like NL91 ABNA 0417 1643 00"),
        payment_url=s.pattern("payment_url", r"(https?://[^\s/]+(/[^\s]*)?)?", "an http(s) URL or \"\""),
    )
