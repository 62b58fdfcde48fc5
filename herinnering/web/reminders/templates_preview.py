"""`GET /templates`: every message kind × language × channel rendered with the same worst-case
sample data as `herinnering templates check`, with its characters, encoding and SMS segments,
and the approved WhatsApp templates with their ContentSid, placeholders and buttons. Arabic is
shown right-to-left. For logged-in officers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web

from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.whatsapp_content import content_definitions
from herinnering.config import Settings
from herinnering.domain.reminders.sms import measure
from herinnering.errors import TemplateError
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import (
    CHANNELS,
    kinds_in,
    sample_context,
    sms_limit,
)
from herinnering.web.auth import login_required, page
from herinnering.web.keys import RUNTIME

RTL_LANGUAGES = frozenset({"ar"})


@dataclass(frozen=True)
class Preview:
    kind: str
    language: str
    channel: str
    body: str
    characters: int
    encoding: str
    segments: int
    problem: str | None

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES


def previews(settings: Settings) -> list[Preview]:
    directory = templates_dir()
    templates = MessageTemplates(directory)
    rows = []
    for kind in kinds_in(directory):
        for language in settings.reminders.languages:
            for channel in CHANNELS:
                if not (directory / templates.name(kind, channel, language)).exists():
                    rows.append(Preview(kind, language, channel, "", 0, "-", 0, "ontbreekt / missing"))
                    continue
                try:
                    body = templates.render(kind, channel, language, sample_context(language, settings)).body
                except (TemplateError, jinja2.TemplateError) as exc:
                    rows.append(Preview(kind, language, channel, "", 0, "-", 0, str(exc)))
                    continue
                size = measure(body)
                limit = sms_limit(size.encoding, kind)
                problem = (f"{size.segments} segments (max {limit})"
                           if channel == "sms" and size.segments > limit else None)
                rows.append(Preview(kind, language, channel, body, len(body), size.encoding, size.segments, problem))
    return rows


@login_required()
async def templates_page(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    settings = runtime.settings
    kind = request.query.get("kind", "")
    rows = [row for row in previews(settings) if not kind or row.kind == kind]
    approved: list[Any] = [d for d in content_definitions(MessageTemplates(templates_dir()), settings)
                           if not kind or d.kind == kind]
    return page(request, "web/templates.html.j2", rows=rows, approved=approved, rtl=RTL_LANGUAGES,
                kinds=kinds_in(templates_dir()), kind=kind)


def setup(app: web.Application) -> None:
    app.router.add_get("/templates", templates_page)
