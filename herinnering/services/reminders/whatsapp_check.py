"""The WhatsApp part of `herinnering templates check`: every approved template in the registry
(config/whatsapp-templates.toml), per language, rendered with its placeholders.

A registry variable the WhatsApp text does not use, a variable the text needs that neither the
registry nor the approved text itself provides, an empty or over-long text, or a business-
initiated kind with a WhatsApp text but no approved template is a problem. (A registry missing
a kind or language never gets this far: start-up refuses it.)
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta

from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.whatsapp_content import approved_text
from herinnering.config import Settings
from herinnering.domain.reminders.whatsapp import STATIC_VARIABLES, TemplateRegistry
from herinnering.errors import TemplateError
from herinnering.services.reminders.check_rows import MAX_WHATSAPP_CHARACTERS, CheckRow, kinds_in

CHANNEL = "whatsapp (template)"


def _variables(templates: MessageTemplates, kind: str, language: str) -> set[str]:
    """Every variable the WhatsApp text of `kind` uses, through its includes."""
    env = templates.env
    found: set[str] = set()
    pending = [MessageTemplates.name(kind, "whatsapp", language)]
    while pending:
        name = pending.pop()
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        tree = env.parse(source)
        found |= meta.find_undeclared_variables(tree)
        pending.extend(ref for ref in meta.find_referenced_templates(tree) if ref)
    return found


def check_registry(directory: Path, settings: Settings, registry: TemplateRegistry | None = None) -> list[CheckRow]:
    registry = registry or settings.whatsapp.registry
    templates = MessageTemplates(directory)
    rows = []
    present = set(kinds_in(directory))
    for entry in registry.entries.values():
        if entry.kind not in present:  # another templates folder (a test, a draft): nothing to check
            continue
        for language in settings.reminders.languages:
            if language not in entry.content:
                rows.append(CheckRow(entry.kind, language, CHANNEL, 0, "-", 0, "no ContentSid for this language"))
                continue
            if not (directory / MessageTemplates.name(entry.kind, "whatsapp", language)).exists():
                continue  # reported as missing by the main check
            try:
                used = _variables(templates, entry.kind, language)
                unused = [name for name in entry.variables if name not in used]
                missing = sorted(used - set(entry.variables) - STATIC_VARIABLES)
                body = "" if unused or missing else approved_text(templates, entry, language, settings)
            except (TemplateError, jinja2.TemplateError) as exc:
                rows.append(CheckRow(entry.kind, language, CHANNEL, 0, "-", 0, f"approved text: {exc}"))
                continue
            problem = None
            if unused:
                problem = f"registry variable {', '.join(unused)} is not in the WhatsApp text"
            elif missing:
                problem = f"the WhatsApp text needs {', '.join(missing)}, not among the registry's variables"
            elif len(body) > MAX_WHATSAPP_CHARACTERS:
                problem = f"{len(body)} characters (a template allows {MAX_WHATSAPP_CHARACTERS})"
            rows.append(CheckRow(entry.kind, language, CHANNEL, len(body), "-", 0, problem))
    return rows
