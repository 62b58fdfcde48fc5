"""Replying well: canned replies per language (jinja2 templates under templates/replies/<language>/
with the variables name, amount, link and date), the SMS size of a reply, and the wording check
of the message templates applied to what an officer writes before it goes — before the 14-day
letter a reply may not threaten (costs, bailiff, eviction, seizure, court); refused, with why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jinja2

from herinnering.adapters.db import case_store, thread_store
from herinnering.adapters.templates import long_date, money
from herinnering.clock import local_day
from herinnering.domain.reminders.sms import SmsSize, measure
from herinnering.errors import NotFound, ThreadError, ThreatRefused
from herinnering.resources import templates_dir
from herinnering.runtime import Runtime
from herinnering.services.conversations import threads as thread_service
from herinnering.services.conversations.threads import Officer
from herinnering.services.payments import balance
from herinnering.services.reminders.wording_check import check_text
from herinnering.services.tenants import tenant_page

PAY_WITHIN_DAYS = 7  # the canned replies' {{ date }}: a week from today


@dataclass(frozen=True)
class Canned:
    name: str
    title: str   # the template's first line: what the officer picks
    language: str


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir() / "replies")),
                              undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True,
                              lstrip_blocks=True)


def canned_for(language: str) -> list[Canned]:
    """The canned replies in this language (Dutch when the language has none)."""
    directory = templates_dir() / "replies" / language
    if not directory.is_dir() or not any(directory.glob("*.j2")):
        language, directory = "nl", templates_dir() / "replies" / "nl"
    found = []
    for path in sorted(directory.glob("*.j2")):
        title = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("{#").removesuffix("#}").strip()
        found.append(Canned(path.stem, title, language))
    return found


async def fill(runtime: Runtime, thread_id: int, officer: Officer, name: str) -> str:
    """The canned reply `name` in the tenant's language, its variables filled in (a fresh link to
    the tenant's 'mijn huur' page, where they can pay the whole amount)."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await thread_store.get(connection, thread_id)
        if thread is None or thread.tenant_id is None:
            raise ThreadError("canned replies need a known tenant")
        language = thread.language or runtime.settings.reminders.default_language
        choices = {c.name: c for c in canned_for(language)}
        if name not in choices:
            raise NotFound(f"no canned reply {name!r}")
        language = choices[name].language
        owed = await balance.outstanding(connection, thread.tenant_id)
        token = await tenant_page.issue_token(connection, runtime.settings, thread.tenant_id, now)
    context: dict[str, Any] = {
        "name": thread.tenant_name, "amount": money(owed, language), "link": tenant_page.page_url(runtime.settings, token),
        "date": long_date(local_day(now, runtime.settings) + timedelta(days=PAY_WITHIN_DAYS), language),
        "org_name": runtime.settings.organisation.name, "org_phone": runtime.settings.organisation.phone,
        "officer_name": officer.name,
    }
    text = _env().get_template(f"{language}/{name}.j2").render(**context)
    return "\n".join(line for line in text.splitlines() if not line.startswith("{#")).strip()


def size(text: str) -> SmsSize:
    return measure(text)


async def threat_check(runtime: Runtime, thread_id: int, text: str) -> list[str]:
    """The threatening words of a reply (and why) that the templates' own check
    (services/reminders/wording_check.py) refuses: any while the tenant has had no 14-day letter posted
    (or the thread has no known tenant), none once it went out."""
    async with runtime.db.begin() as connection:
        thread = await thread_store.get(connection, thread_id)
        if thread is None:
            raise NotFound(f"conversation {thread_id} does not exist")
        letter_sent = thread.tenant_id is not None and await case_store.letter_posted(
            connection, thread.tenant_id, runtime.settings.lawful.costs_allowed_in)
    found: dict[str, None] = {}
    for language in dict.fromkeys([thread.language or "nl", "nl", "en"]):  # officers also write Dutch or English
        verdict = check_text(text, language, runtime.settings, kind="officer_reply",
                             fourteen_day_letter_sent=letter_sent)
        if verdict.refused:
            found.update({f"'{t.words}' ({t.why})": None for t in verdict.threats})
    return list(found)


async def send(runtime: Runtime, thread_id: int, officer: Officer, text: str, nonce: str) -> bool:
    """Check the reply's wording, then send it (services/conversations/threads.py)."""
    words = await threat_check(runtime, thread_id, text)
    if words:
        raise ThreatRefused(words)
    return await thread_service.reply(runtime, thread_id, officer, text, nonce)
