"""The tenant's personal page "mijn huur", reached through an unguessable, expiring link.

    GET  /mijn-huur/{token}            balance, open months, next debit, arrangement; the buttons
    GET  /mijn-huur/{token}/betalen    a payment link for what is open (the sandbox page or Mollie)
    POST /mijn-huur/{token}/dag        day=15: a new collection day (same rule as DAG by message)
    POST /mijn-huur/{token}/regeling   amount=50: an arrangement proposal (a task for an officer)
    POST /mijn-huur/{token}/bellen     part=morning|afternoon|evening: a call-back task

The token is the key (no login, no cookie), so the page answers the same 404 for a wrong and
an expired token, sends no referrer and is never cached. Actions are the ones the message
dialogs use (`services.self_service`); each redirects back with a notice (POST-redirect-GET).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from herinnering.adapters.templates import long_date, money
from herinnering.domain.conversations.dialogs import PARTS, parse_cents
from herinnering.domain.reminders.planning import Period
from herinnering.services.payments import statement
from herinnering.services.tenants import mijn_huur, self_service
from herinnering.web import security
from herinnering.web.keys import PAGES, RUNTIME

log = logging.getLogger(__name__)
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _html(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[PAGES].get_template(f"web/{name}").render(
        organisation=request.app[RUNTIME].settings.organisation, **context)
    return web.Response(text=html, content_type="text/html", status=status, headers=PRIVATE)


async def _tenant(request: web.Request) -> Any:
    runtime = request.app[RUNTIME]
    security.refuse_guessing(request)
    tenant = await mijn_huur.tenant_of(runtime, request.match_info["token"])
    if tenant is None:
        security.count_miss(request)
        raise web.HTTPNotFound(text=_html(request, "mijn_huur_gone.html.j2", status=404).text,
                               content_type="text/html", headers=PRIVATE)
    return tenant


def _base(request: web.Request) -> str:
    return f"/mijn-huur/{request.match_info['token']}"


def _language(runtime: Any, tenant: Any) -> str:
    return tenant.language if tenant.language in ("nl", "en", "tr", "ar", "pl") else "nl"


async def show(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    settings = runtime.settings
    lang = _language(runtime, tenant)
    shown = await mijn_huur.page(runtime, tenant)
    data, open_case, account = shown.data, shown.open_case, shown.account
    words = statement.labels(request.app[PAGES], lang)
    pending = None
    if data.pending_day is not None:
        pending = (data.pending_day[0], self_service.long_month(lang, Period.parse(data.pending_day[1])))
    notice = request.query.get("klaar", "")
    texts = request.app[PAGES].get_template(f"web/mijn_huur/{lang}.j2").module
    notice_text = ""
    if notice == "dag" and pending is not None:
        notice_text = texts.done_day.replace("{day}", str(pending[0])).replace("{month}", pending[1])
    elif notice in ("regeling", "bellen", "bezwaar", "wrong"):
        notice_text = getattr(texts, {"regeling": "done_plan", "bellen": "done_call", "bezwaar": "done_object",
                                      "wrong": "wrong"}[notice])
    else:
        notice = ""  # the same day as before, or an unknown notice: nothing to say
    return _html(
        request, "mijn_huur.html.j2", lang=lang, tenant=tenant, data=data, base=_base(request),
        balance=money(data.balance_cents, lang), months=[(self_service.long_month(lang, Period.parse(p)), money(c, lang)) for p, c in data.open_months],
        can_pay=data.oldest_open is not None,
        recollect=[(self_service.long_month(lang, Period.parse(p)), long_date(on, lang), in_file)
                   for p, (on, in_file) in sorted(data.recollect.items())],
        next_debit=long_date(data.next_debit, lang) if data.next_debit else "-", pending=pending,
        plan=[(n, long_date(d, lang), money(c, lang), s) for n, d, c, s in data.arrangement],
        days=sorted(settings.reminders.collection_days), notice=notice, notice_text=notice_text,
        can_object=open_case, s=words, statement_rows=statement.rows(account, words, lang),
    )


async def statement_pdf(request: web.Request) -> web.Response:
    """The tenant's own account statement as a PDF, in their language."""
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    account = await mijn_huur.account(runtime, tenant)
    body = statement.render_pdf(account, statement.labels(request.app[PAGES], tenant.language), runtime.settings,
                                tenant)
    return web.Response(body=body, content_type="application/pdf",
                        headers={**PRIVATE, "Content-Disposition": 'inline; filename="huuroverzicht.pdf"'})


async def pay(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    link = await mijn_huur.link_for_oldest_month(runtime, tenant)
    if link is None:
        raise web.HTTPSeeOther(_base(request))
    # through our own payment page, carrying the page token so its done page links back here
    # (a provider's own page is sent on from there)
    raise web.HTTPSeeOther(f"/pay/{link.public_id}?" + urlencode({"huur": request.match_info["token"]}))


async def choose_day(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    form = await request.post()
    try:
        day = int(str(form.get("day", "")))
    except ValueError:
        day = 0
    if day not in runtime.settings.reminders.collection_days:
        raise web.HTTPSeeOther(_base(request) + "?klaar=wrong")
    await mijn_huur.choose_day(runtime, tenant, day)
    raise web.HTTPSeeOther(_base(request) + "?klaar=dag")


async def ask_arrangement(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    cents = parse_cents(str((await request.post()).get("amount", "")))
    if cents is None:
        raise web.HTTPSeeOther(_base(request) + "?klaar=wrong")
    await mijn_huur.ask_arrangement(runtime, tenant, cents)
    raise web.HTTPSeeOther(_base(request) + "?klaar=regeling")


async def ask_call(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    part = str((await request.post()).get("part", ""))
    if part not in PARTS:
        raise web.HTTPSeeOther(_base(request) + "?klaar=wrong")
    await mijn_huur.ask_call(runtime, tenant, part)
    raise web.HTTPSeeOther(_base(request) + "?klaar=bellen")


async def object_to_signal(request: web.Request) -> web.Response:
    """The tenant does not want their data passed to the municipality (Wgs): blocks the signal of
    every open case, like the BEZWAAR keyword (issue 11)."""
    runtime = request.app[RUNTIME]
    tenant = await _tenant(request)
    await mijn_huur.object_to_signal(runtime, tenant)
    raise web.HTTPSeeOther(_base(request) + "?klaar=bezwaar")


def setup(app: web.Application) -> None:
    app.router.add_get("/mijn-huur/{token}", show)
    app.router.add_get("/mijn-huur/{token}/betalen", pay)
    app.router.add_get("/mijn-huur/{token}/overzicht.pdf", statement_pdf)
    app.router.add_post("/mijn-huur/{token}/dag", choose_day)
    app.router.add_post("/mijn-huur/{token}/regeling", ask_arrangement)
    app.router.add_post("/mijn-huur/{token}/bellen", ask_call)
    app.router.add_post("/mijn-huur/{token}/bezwaar", object_to_signal)
