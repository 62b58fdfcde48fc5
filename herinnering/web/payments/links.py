"""The tenant's payment page (sandbox provider) and the providers' webhooks.

    GET  /pay/{public_id}          iDEAL-style page in the tenant's language: amount, which month it pays
                                   and what else is open, choose a bank, Pay / Cancel
    POST /pay/{public_id}          Pay or Cancel; Pay twice (a double click, a reload) pays once
    GET  /pay/{public_id}/klaar    where the tenant lands afterwards (also Mollie's redirectUrl); links
                                   back to "mijn huur" when the tenant came from there (?huur=<token>)
    POST /webhooks/sandbox         id=<ref>: the sandbox's notification
    POST /webhooks/mollie          id=<pl_… or tr_…>: Mollie's notification

Pay writes the tenant's choice on the sandbox's side and then goes through exactly the path a
real webhook takes (`services.payments.paid_links.handle_notification`), which asks the provider for
the status. Webhooks answer 200 for ids we do not know (Mollie would retry otherwise) and 503
when the provider cannot be asked now (so it does retry). The public id in the URL is
unguessable (`secrets.token_urlsafe`); an unknown one gets the same 404 as a wrong path.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from herinnering.adapters.payment_providers import PaymentProvider
from herinnering.adapters.payment_providers.mollie import MollieProvider
from herinnering.adapters.payment_providers.sandbox import SandboxProvider
from herinnering.adapters.templates import long_date, money
from herinnering.domain.reminders.planning import Period
from herinnering.runtime import Runtime
from herinnering.services.payments import pay_page as covering
from herinnering.services.payments.links import PaymentLink
from herinnering.services.payments.links import find as find_link
from herinnering.services.payments.paid_links import handle_notification
from herinnering.services.tenants.self_service import long_month
from herinnering.web import security
from herinnering.web.keys import PAGES, RUNTIME
from herinnering.web.reminders.webhooks import read_form

log = logging.getLogger(__name__)

BANKS = ("ABN AMRO", "ASN Bank", "bunq", "ING", "Knab", "Rabobank", "RegioBank", "Revolut", "SNS",
         "Triodos Bank", "Van Lanschot")


async def _link(request: web.Request) -> PaymentLink:
    runtime = request.app[RUNTIME]
    security.refuse_guessing(request)
    link = await find_link(runtime.db, request.match_info["public_id"])
    if link is None:
        security.count_miss(request)
        raise web.HTTPNotFound(text="Deze betaallink bestaat niet. / This payment link does not exist.")
    return link


def _page(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    runtime = request.app[RUNTIME]
    html = request.app[PAGES].get_template(f"web/{name}").render(organisation=runtime.settings.organisation,
                                                                   **context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _state(link: PaymentLink, runtime: Runtime) -> str:
    """What the tenant should see: open, paid, expired or cancelled (expiry judged by our clock)."""
    if link.state == "open" and not link.usable(runtime.clock.now()):
        return "expired"
    return link.state


def _token(text: str) -> str:
    """The "mijn huur" token a tenant brought along from their page (see services.pay_page)."""
    return text if 0 < len(text) <= 100 and all(c.isalnum() or c in "-_" for c in text) else ""


async def _tenant_page(request: web.Request, name: str, link: PaymentLink, token: str, status: int = 200,
                       **context: Any) -> web.Response:
    """The payment page or its done page in the tenant's language, saying what the amount covers."""
    runtime = request.app[RUNTIME]
    covers = await covering.covers_now(runtime, link, token)
    lang = covers.language
    return _page(request, name, status=status, link=link, lang=lang, huur=token if covers.page_url else "",
                 back=covers.page_url, contract=covers.contract_id, amount=money(link.amount_cents, lang),
                 month=long_month(lang, Period.parse(link.period)),
                 others=[(long_month(lang, Period.parse(p)), money(c, lang)) for p, c in covers.others],
                 total=money(covers.total_open_cents, lang), anything_open=covers.total_open_cents > 0,
                 costs=money(covers.costs_cents, lang) if covers.costs_cents else "",
                 recollect_on=long_date(covers.recollect_on, lang) if covers.recollect_on else "",
                 recollect_in_file=covers.recollect_in_file,
                 until=long_date(link.expires_at.astimezone(runtime.settings.reminders.timezone).date(), lang),
                 **context)


async def pay_page(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    link = await _link(request)
    if link.provider != "sandbox":
        raise web.HTTPFound(link.url)
    state = _state(link, runtime)
    status = {"open": 200, "paid": 200}.get(state, 410)
    return await _tenant_page(request, "pay.html.j2", link, _token(request.query.get("huur", "")), status=status,
                              state=state, banks=BANKS, cancelled=request.query.get("geannuleerd") == "1",
                              problem=False)


def _with_token(path: str, token: str, **query: str) -> str:
    if token:
        query["huur"] = token
    return path + ("?" + urlencode(query) if query else "")


async def pay_submit(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    link = await _link(request)
    if link.provider != "sandbox":
        raise web.HTTPFound(link.url)
    form = await request.post()
    action = str(form.get("action", ""))
    bank = str(form.get("bank", ""))[:32] or None
    token = _token(str(form.get("huur", "")))
    state = _state(link, runtime)
    if state == "paid":
        raise web.HTTPSeeOther(_with_token(f"/pay/{link.public_id}/klaar", token))
    if state != "open":
        return await _tenant_page(request, "pay.html.j2", link, token, status=410, state=state, banks=BANKS,
                                  cancelled=False, problem=False)
    if action not in ("pay", "cancel"):
        raise web.HTTPBadRequest(text="action must be pay or cancel")
    if action == "pay" and bank not in BANKS:
        return await _tenant_page(request, "pay.html.j2", link, token, status=400, state=state, banks=BANKS,
                                  cancelled=False, problem=True)
    ref = f"sbx_{link.public_id}"
    await covering.sandbox_choice(runtime, ref, pay=action == "pay", bank=bank, amount_cents=link.amount_cents)
    if action == "cancel":
        raise web.HTTPSeeOther(_with_token(f"/pay/{link.public_id}", token, geannuleerd="1"))
    # the sandbox "bank" said yes: notify ourselves exactly as a provider's webhook would
    provider = SandboxProvider(runtime.settings.server.public_url, runtime.db)
    await handle_notification(runtime.db, runtime.settings, provider, ref, runtime.clock.now())
    raise web.HTTPSeeOther(_with_token(f"/pay/{link.public_id}/klaar", token))


async def pay_done(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    link = await _link(request)
    return await _tenant_page(request, "pay_done.html.j2", link, _token(request.query.get("huur", "")),
                              state=_state(link, runtime))


def _provider(runtime: Runtime, name: str) -> PaymentProvider | None:
    """The provider a link was made with (links outlive a change of `[payments] provider`)."""
    if name == "sandbox":
        return SandboxProvider(runtime.settings.server.public_url, runtime.db)
    payments = runtime.settings.payments
    if name == "mollie" and payments.mollie_api_key:
        return MollieProvider(payments.mollie_api_key, payments.mollie_api_endpoint,
                              timeout=runtime.settings.dispatch.provider_timeout_seconds)
    return None


def webhook(provider_name: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        runtime = request.app[RUNTIME]
        form = await read_form(request)
        notified = form.get("id", "").strip()
        provider = _provider(runtime, provider_name)
        if not notified or len(notified) > 100 or provider is None:
            return web.Response(text="ok")  # nothing we can look up; 200 so nobody retries
        # a provider that cannot be asked: 503 (web/errors.py), so the provider retries later
        outcome = await handle_notification(runtime.db, runtime.settings, provider, notified,
                                            runtime.clock.now(), link_hint=request.query.get("link"))
        return web.Response(text=outcome)

    return handler


def setup(app: web.Application) -> None:
    app.router.add_get("/pay/{public_id}", pay_page)
    app.router.add_post("/pay/{public_id}", pay_submit)
    app.router.add_get("/pay/{public_id}/klaar", pay_done)
    app.router.add_post("/webhooks/sandbox", webhook("sandbox"))
    app.router.add_post("/webhooks/mollie", webhook("mollie"))
