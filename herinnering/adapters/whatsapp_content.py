"""The approved WhatsApp texts: our own WhatsApp templates with each registry variable written
as Twilio's placeholder {{1}}, {{2}}, … .

That is the text submitted to Meta for approval, and what Twilio renders when a message names
its ContentSid; rendering the same template with the real values gives the very same text, so
the body we store for a template message is the body the tenant reads (and the provider lists,
which reconciliation relies on). The shipped fake Twilio loads these as its content templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herinnering.adapters.templates import MessageTemplates
from herinnering.config import Settings
from herinnering.domain.reminders.whatsapp import TemplateEntry


@dataclass(frozen=True)
class ContentDefinition:
    sid: str
    kind: str
    language: str
    body: str                               # with {{1}}, {{2}}, …
    buttons: tuple[tuple[str, str], ...]    # (payload, title), quick replies in order


def approved_text(templates: MessageTemplates, entry: TemplateEntry, language: str, settings: Settings) -> str:
    """The template text with placeholders; raises TemplateError when it needs a variable the
    registry does not list (that text could not be approved)."""
    context: dict[str, Any] = {"org_name": settings.organisation.name, "org_phone": settings.organisation.phone}
    context.update({name: "{{" + str(n) + "}}" for n, name in enumerate(entry.variables, 1)})
    return templates.render(entry.kind, "whatsapp", language, context).body


def content_definitions(templates: MessageTemplates, settings: Settings) -> list[ContentDefinition]:
    registry = settings.whatsapp.registry
    found = []
    for entry in registry.entries.values():
        for language, sid in entry.content.items():
            found.append(ContentDefinition(
                sid=sid, kind=entry.kind, language=language, body=approved_text(templates, entry, language, settings),
                buttons=tuple(registry.button_titles(entry, language)),
            ))
    return found
