"""`[privacy]`: how long each kind of data of an ended contract is kept (`herinnering purge`)."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.privacy.retention import Terms, check_terms


@dataclass(frozen=True)
class PrivacySettings:
    retention_months: int          # `herinnering purge` default: message bodies and logs, months after the end
    proof_retention_months: int    # early-warning steps, letters, cases, municipal answers (7 years)
    consent_retention_months: int  # WhatsApp opt-in records (proof of the consent the messages went under)
    administration_retention_months: int  # dues, payments, returns, arrangements: the fiscal duty (AWR art. 52)
    export_retention_days: int     # files in exports_dir (Wgs signals, tenant exports)
    exports_dir: str               # empty: herinnering keeps no export files itself


def parse(s: Section) -> PrivacySettings:
    settings = PrivacySettings(
        retention_months=s.integer("retention_months", 1, 1200),
        proof_retention_months=s.integer("proof_retention_months", 1, 1200),
        consent_retention_months=s.integer("consent_retention_months", 1, 1200),
        administration_retention_months=s.integer("administration_retention_months", 1, 1200),
        export_retention_days=s.integer("export_retention_days", 1, 36_500),
        exports_dir=s.text("exports_dir", allow_empty=True),
    )
    try:
        check_terms(Terms(settings.retention_months, settings.proof_retention_months,
                          settings.consent_retention_months, settings.administration_retention_months))
    except ValueError as exc:  # its message starts with the term that is too short
        raise s.error(str(exc).split(" ", 1)[0], str(exc)) from None
    return settings
