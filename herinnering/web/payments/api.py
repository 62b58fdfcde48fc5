"""The payments API: `POST /api/payments`, for an ERP or bank connector that pushes results.

    Authorization: Bearer <a token of `herinnering token create NAME`>   (401 otherwise;
                   the old [payments] api_token still works as a fallback while it is set)
    {"id": "erp-77812", "contract_id": "HC-100101", "period": "2026-12",
     "type": "payment" | "return" | "statement",
     "amount_cents": 65636,                     (payment, return)
     "reason_code": "AM04",                     (return)
     "amount_due_cents": 65636, "amount_paid_cents": 0, "status": "expected",   (statement)
     "booked_on": "2026-12-22"}                 (optional)
    or {"payments": [ ... ]}: all or nothing.

The caller's `id` is the idempotency key: the same id again stores nothing (200, duplicates
counted). New results answer 201 with each period's new status; invalid input answers 422
with every problem named by its field.
"""

from __future__ import annotations

import json

from aiohttp import web

from herinnering.services.payments.intake import PaymentInputError, intake_api
from herinnering.services.privacy import api_tokens
from herinnering.web.keys import RUNTIME


async def post_payments(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if await api_tokens.check(runtime, request.headers.get("Authorization", "")) is None:
        return web.json_response({"error": "missing or wrong API token"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="herinnering"'})
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return web.json_response({"error": "the body is not JSON"}, status=400)
    try:
        report = await intake_api(runtime.db, runtime.settings, runtime.clock, body)
    except PaymentInputError as exc:
        return web.json_response({"error": str(exc).splitlines()[0], "problems": exc.problems}, status=422)
    return web.json_response(
        {
            "stored": report.stored,
            "duplicates": report.duplicates,
            "periods": [
                {"tenant_id": c.tenant_id, "period": c.period, "status": c.status, "reason_code": c.reason_code,
                 "amount_due_cents": c.amount_due_cents, "amount_paid_cents": c.amount_paid_cents,
                 "outstanding_cents": c.outstanding_cents}
                for c in report.changes
            ],
        },
        status=201 if report.stored else 200,
    )


def setup(app: web.Application) -> None:
    app.router.add_post("/api/payments", post_payments)
