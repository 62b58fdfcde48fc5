"""What a message says: its template variables (the tenant's details, then those fixed when
the message was made), its rendered body, and the `Text` a claimed batch carries to the sender.

The dispatcher renders a batch's texts in the claim's transaction (`Dispatcher.prepare_batch`);
WhatsApp's form choice (services/reminders/whatsapp.py) reads the same variables for an
approved template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from herinnering.adapters.db import Row
from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.config import Settings
from herinnering.services.experiments import experiments


@dataclass(frozen=True)
class Text:
    """A text rendered and stored with its batch, ready to go."""

    to: str
    sender: str
    body: str
    segments: int
    content: Any = None  # a WhatsApp template: (content SID, variables)


def render(templates: MessageTemplates, settings: Settings, message: Row[Any], tenant: Row[Any] | None,
           channel: str | None = None) -> str:
    """The message text (for `channel`, by default the message's own)."""
    language, variables = context(settings, message, tenant)
    return templates.render(experiments.template_kind(message), channel or message.channel, language,
                            variables).body


def context(settings: Settings, message: Row[Any], tenant: Row[Any] | None) -> tuple[str, dict[str, Any]]:
    """The language and template variables: the tenant's details, then those fixed at creation.

    In `message.context`, a key ending in `_cents` is shown as money under the name without
    the suffix, a key ending in `_date` (ISO) as a long date; the rest as given."""
    language = tenant.language if tenant is not None else settings.reminders.default_language
    variables: dict[str, Any] = {
        "org_name": settings.organisation.name,
        "org_phone": settings.organisation.phone,
        "org_iban": settings.organisation.iban,  # how a tenant who pays by transfer pays
        "payment_url": settings.organisation.payment_url,
    }
    if tenant is not None:
        variables.update(name=tenant.name, contract_id=tenant.external_id,
                         amount=money(tenant.monthly_rent_cents, language))
    if message.debit_date is not None:
        variables["debit_date"] = variables["due_date"] = long_date(message.debit_date, language)
    for key, value in (message.context or {}).items():
        if key.endswith("_cents") and isinstance(value, int):
            variables[key.removesuffix("_cents")] = money(value, language)
        elif key.endswith("_date") and isinstance(value, str):
            variables[key] = long_date(date.fromisoformat(value), language)
        else:
            variables[key] = value
    return language, variables
