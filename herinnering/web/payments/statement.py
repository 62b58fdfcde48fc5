"""The account statement on screen for officers: `/huurders/{id}/rekening` (and `.pdf`).

The same statement the tenant sees on "mijn huur" (services/payments/statement.py), in the officer's
language; the PDF in the tenant's own, to send or print.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from herinnering.adapters.templates import money
from herinnering.services.payments import statement
from herinnering.web.auth import login_required, page
from herinnering.web.i18n import current_language
from herinnering.web.keys import PAGES, RUNTIME
from herinnering.web.tenants.pages import tenant_id_in_path


async def _load(request: web.Request) -> tuple[Any, statement.Statement]:
    found = await statement.for_tenant(request.app[RUNTIME], tenant_id_in_path(request))
    if found is None:
        raise web.HTTPNotFound()
    return found


@login_required()
async def show(request: web.Request) -> web.Response:
    tenant, account = await _load(request)
    language = current_language()
    words = statement.labels(request.app[PAGES], language)
    return page(request, "web/statement.html.j2", tenant=tenant, words=words, lang=language,
                rows=statement.rows(account, words, language), balance=account.balance_cents,
                total=money(account.balance_cents, language))


@login_required()
async def as_pdf(request: web.Request) -> web.Response:
    tenant, account = await _load(request)
    words = statement.labels(request.app[PAGES], tenant.language)
    body = statement.render_pdf(account, words, request.app[RUNTIME].settings, tenant)
    return web.Response(body=body, content_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="rekening-{tenant.external_id}.pdf"', "Cache-Control": "no-store"})


def setup(app: web.Application) -> None:
    app.router.add_get("/huurders/{tenant_id}/rekening", show)
    app.router.add_get("/huurders/{tenant_id}/rekening.pdf", as_pdf)
