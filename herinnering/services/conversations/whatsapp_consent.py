"""What a tenant agrees to when opting in to WhatsApp, as it is written into the consent record.

The text comes from templates/consent/<lang>/whatsapp.j2 (Dutch if the language has none) with
the organisation's name, so the record holds the exact words of that moment even when the
template changes later. `method` says how: import, keyword, officer or tenant_page.
"""

from __future__ import annotations

from typing import Any

import jinja2

from herinnering.runtime import Runtime

METHODS = ("import", "keyword", "officer", "tenant_page")


def method_of(source: str) -> str:
    """'keyword via sms' → 'keyword'; an unknown source counts as the officer's doing."""
    head = source.split()[0] if source.split() else ""
    return head if head in METHODS else "officer"


def consent_for(runtime: Runtime, tenant: Any, source: str) -> dict[str, str]:
    """The record's fields besides tenant, channel and date: business name, method, language, text."""
    organisation = runtime.settings.organisation
    language = tenant.language or "nl"
    try:
        template = runtime.templates.env.get_template(f"consent/{language}/whatsapp.j2")
    except jinja2.TemplateNotFound:
        language = "nl"
        template = runtime.templates.env.get_template("consent/nl/whatsapp.j2")
    text = " ".join(template.render(org_name=organisation.name, org_phone=organisation.phone).split())
    return {"business_name": organisation.name, "method": method_of(source), "language": language, "text": text}
