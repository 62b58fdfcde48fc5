"""A local stand-in for enough of Mollie's v2 API, served over HTTP for development and tests.

Routes the official `mollie-api-python` client calls, with Mollie's JSON shapes (HAL `_links`,
amounts as {"currency", "value": "656.36"}, error bodies {"status", "title", "detail", "field"}),
Bearer-key auth (test_/live_ keys) and `Idempotency-Key` replay:

    POST/GET /v2/payments, /v2/payments/{id}
    POST/GET /v2/payment-links, /v2/payment-links/{id}, /v2/payment-links/{id}/payments

and what a person does at Mollie's checkout: `GET /checkout/{id}` shows a small page whose Pay
button (`POST /checkout/{id}`) pays, calls the webhook with only `id=tr_…` (as Mollie does)
and redirects to the `redirectUrl`. Tests may also `await fake.pay(id)`, or `POST
/_fake/pay/{id}`. Links expire at `expiresAt` and payments after 15 minutes, judged by the
clock given to `FakeMollie` (tests move it). `herinnering fake-mollie` runs it standalone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import string
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from herinnering.fakes.clock import Clock, SystemClock

log = logging.getLogger(__name__)
ALPHABET = string.ascii_letters + string.digits
HAL = "application/hal+json"
PAYMENT_LIFETIME = timedelta(minutes=15)
DEFAULT_API_KEY = "test_" + "x" * 30


def _id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _parse_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MollieApiError(Exception):
    def __init__(self, status: int, title: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.field = status, title, detail, field

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "title": self.title, "detail": self.detail,
                                "_links": {"documentation": {"href": "https://docs.mollie.com/overview/handling-errors",
                                                             "type": "text/html"}}}
        if self.field:
            body["field"] = self.field
        return body


class FakeMollie:
    """The fake's state: payments, payment links, idempotency keys and the webhooks it called."""

    def __init__(self, api_key: str = DEFAULT_API_KEY, clock: Clock | None = None) -> None:
        self.api_key = api_key
        self.clock = clock or SystemClock()
        self.url = ""
        self.payments: dict[str, dict[str, Any]] = {}
        self.links: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.webhooks: list[dict[str, Any]] = []   # {"url", "id", "status"} of every call we made
        self.requests: list[tuple[str, str]] = []  # (method, path) of every API call

    # --- the resources ------------------------------------------------------------------

    def _amount(self, body: dict[str, Any]) -> dict[str, str]:
        amount = body.get("amount")
        if not isinstance(amount, dict) or amount.get("currency") != "EUR":
            raise MollieApiError(422, "Unprocessable Entity", "The amount is required, in EUR", "amount")
        try:
            value = Decimal(str(amount.get("value")))
        except InvalidOperation:
            raise MollieApiError(422, "Unprocessable Entity", "The amount contains an invalid value", "amount") from None
        if value.as_tuple().exponent != -2 or value < Decimal("0.01"):
            raise MollieApiError(422, "Unprocessable Entity",
                                 "The amount value must be a string with exactly two decimals", "amount")
        return {"currency": "EUR", "value": str(value)}

    def _text(self, body: dict[str, Any], key: str, required: bool = True) -> str | None:
        value = body.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise MollieApiError(422, "Unprocessable Entity", f"The {key} is required", key)
        return value

    def create_payment(self, body: dict[str, Any], *, link_id: str | None = None) -> dict[str, Any]:
        now = self.clock.now()
        payment_id = _id("tr_", 10)
        payment: dict[str, Any] = {
            "resource": "payment", "id": payment_id, "mode": self.api_key[:4],
            "createdAt": _iso(now), "amount": self._amount(body),
            "description": self._text(body, "description"), "method": body.get("method") or "ideal",
            "metadata": body.get("metadata"), "status": "open", "isCancelable": False,
            "expiresAt": _iso(now + PAYMENT_LIFETIME), "profileId": "pfl_fake0000",
            "sequenceType": "oneoff", "redirectUrl": self._text(body, "redirectUrl", required=False),
            "webhookUrl": self._text(body, "webhookUrl", required=False),
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}", "type": HAL},
                "checkout": {"href": f"{self.url}/checkout/{payment_id}", "type": "text/html"},
                "documentation": {"href": "https://docs.mollie.com/reference/create-payment", "type": "text/html"},
            },
        }
        if link_id:
            payment["paymentLinkId"] = link_id
        self.payments[payment_id] = payment
        return self.payment(payment_id)

    def payment(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise MollieApiError(404, "Not Found", f"No payment exists with token {payment_id}.")
        if payment["status"] == "open" and self.clock.now() >= _parse_moment(payment["expiresAt"]):
            payment.update(status="expired", expiredAt=_iso(self.clock.now()))
        return payment

    def create_link(self, body: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now()
        expires = self._text(body, "expiresAt", required=False)
        if expires is not None:
            try:
                if _parse_moment(expires) <= now:
                    raise MollieApiError(422, "Unprocessable Entity", "The expiry date must be in the future", "expiresAt")
            except ValueError:
                raise MollieApiError(422, "Unprocessable Entity", "The expiry date is invalid", "expiresAt") from None
        link_id = _id("pl_", 21)
        link = {
            "resource": "payment-link", "id": link_id, "mode": self.api_key[:4],
            "description": self._text(body, "description"), "amount": self._amount(body), "archived": False,
            "redirectUrl": self._text(body, "redirectUrl", required=False),
            "webhookUrl": self._text(body, "webhookUrl", required=False),
            "profileId": "pfl_fake0000", "createdAt": _iso(now), "paidAt": None,
            "expiresAt": _iso(_parse_moment(expires)) if expires else None, "reusable": False,
            "allowedMethods": body.get("allowedMethods"), "sequenceType": "oneoff", "customerId": None,
            "_links": {
                "self": {"href": f"{self.url}/v2/payment-links/{link_id}", "type": HAL},
                "paymentLink": {"href": f"{self.url}/checkout/{link_id}", "type": "text/html"},
                "documentation": {"href": "https://docs.mollie.com/reference/create-payment-link", "type": "text/html"},
            },
        }
        self.links[link_id] = link
        return link

    def link(self, link_id: str) -> dict[str, Any]:
        link = self.links.get(link_id)
        if link is None:
            raise MollieApiError(404, "Not Found", f"No payment link exists with token {link_id}.")
        return link

    def link_expired(self, link: dict[str, Any]) -> bool:
        return bool(link["expiresAt"]) and self.clock.now() >= _parse_moment(link["expiresAt"])

    # --- what a paying person does ------------------------------------------------------

    async def pay(self, resource_id: str) -> dict[str, Any]:
        """Pay a payment or a payment link, as the tenant at the checkout would; then call the
        webhook with only the payment's id. Raises MollieApiError when it cannot be paid."""
        now = self.clock.now()
        if resource_id.startswith("pl_"):
            link = self.link(resource_id)
            if link["paidAt"] is not None:
                raise MollieApiError(422, "Unprocessable Entity", "This payment link has been paid already")
            if self.link_expired(link):
                raise MollieApiError(410, "Gone", "This payment link has expired")
            payment = self.create_payment({**link, "method": "ideal"}, link_id=link["id"])
            link["paidAt"] = _iso(now)
        else:
            payment = self.payment(resource_id)
            if payment["status"] != "open":
                raise MollieApiError(422, "Unprocessable Entity", f"The payment is {payment['status']}")
        payment.update(status="paid", paidAt=_iso(now), details={"consumerName": "T. Huurder",
                                                                 "consumerAccount": "NL00FAKE0000000000"})
        await self.notify(payment)
        return payment

    async def notify(self, payment: dict[str, Any]) -> None:
        url = payment.get("webhookUrl")
        if not url:
            return
        status = 0
        try:
            async with aiohttp.ClientSession() as session, session.post(
                url, data={"id": payment["id"]}, timeout=aiohttp.ClientTimeout(total=15)
            ) as response:
                status = response.status
                await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("fake Mollie: webhook %s failed: %s", url, exc)
        self.webhooks.append({"url": url, "id": payment["id"], "status": status})


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type=HAL, headers=headers)


def create_app(state: FakeMollie) -> web.Application:
    @web.middleware
    async def api(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/v2/"):
            state.requests.append((request.method, request.path))
            if request.headers.get("Authorization", "") != f"Bearer {state.api_key}":
                return _json(MollieApiError(401, "Unauthorized Request",
                                            "Missing authentication, or failed to authenticate").body(), 401)
        try:
            return await handler(request)
        except MollieApiError as exc:
            return _json(exc.body(), exc.status)

    async def read_body(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise MollieApiError(400, "Bad Request", "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise MollieApiError(400, "Bad Request", "The request body must be an object")
        return body

    def creating(make: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            key = request.headers.get("Idempotency-Key")
            if key and key in state.idempotent:
                status, body = state.idempotent[key]
                return _json(body, status, headers={"Idempotent-Replayed": "true"})
            body = make(await read_body(request))
            if key:
                state.idempotent[key] = (201, body)
            return _json(body, 201)
        return handler

    async def get_payment(request: web.Request) -> web.Response:
        return _json(state.payment(request.match_info["id"]))

    async def get_link(request: web.Request) -> web.Response:
        return _json(state.link(request.match_info["id"]))

    def listing(name: str, items: list[dict[str, Any]], path: str) -> web.Response:
        return _json({"count": len(items), "_embedded": {name: items},
                      "_links": {"self": {"href": f"{state.url}{path}", "type": HAL}, "previous": None, "next": None}})

    async def list_payments(request: web.Request) -> web.Response:
        return listing("payments", [state.payment(i) for i in state.payments], request.path)

    async def list_links(request: web.Request) -> web.Response:
        return listing("payment_links", list(state.links.values()), request.path)

    async def link_payments(request: web.Request) -> web.Response:
        link = state.link(request.match_info["id"])
        found = [p for p in state.payments.values() if p.get("paymentLinkId") == link["id"]]
        return listing("payments", found, request.path)

    async def checkout(request: web.Request) -> web.Response:
        resource_id = request.match_info["id"]
        item = state.link(resource_id) if resource_id.startswith("pl_") else state.payment(resource_id)
        html = (f"<!doctype html><title>Fake Mollie checkout</title><h1>{item['description']}</h1>"
                f"<p>EUR {item['amount']['value']}</p><form method='post'><button>Betalen met iDEAL</button></form>")
        return web.Response(text=html, content_type="text/html")

    async def checkout_pay(request: web.Request) -> web.StreamResponse:
        resource_id = request.match_info["id"]
        item = state.link(resource_id) if resource_id.startswith("pl_") else state.payment(resource_id)
        await state.pay(resource_id)
        if item.get("redirectUrl"):
            raise web.HTTPSeeOther(item["redirectUrl"])
        return web.Response(text="paid")

    async def admin_pay(request: web.Request) -> web.Response:
        return _json(await state.pay(request.match_info["id"]))

    app = web.Application(middlewares=[api])
    app.router.add_post("/v2/payments", creating(state.create_payment))
    app.router.add_get("/v2/payments", list_payments)
    app.router.add_get("/v2/payments/{id}", get_payment)
    app.router.add_post("/v2/payment-links", creating(state.create_link))
    app.router.add_get("/v2/payment-links", list_links)
    app.router.add_get("/v2/payment-links/{id}", get_link)
    app.router.add_get("/v2/payment-links/{id}/payments", link_payments)
    app.router.add_get("/checkout/{id}", checkout)
    app.router.add_post("/checkout/{id}", checkout_pay)
    app.router.add_post("/_fake/pay/{id}", admin_pay)
    return app


@asynccontextmanager
async def running_fake_mollie(state: FakeMollie, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `state` on a real socket and yield its base URL; port 0 picks a free one."""
    runner = web.AppRunner(create_app(state), shutdown_timeout=2.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        state.url = str(URL.build(scheme="http", host=bound_host, port=bound_port))
        yield state.url
    finally:
        await runner.cleanup()


async def serve(host: str = "127.0.0.1", port: int = 8082, api_key: str = DEFAULT_API_KEY) -> None:
    """Run the fake until cancelled (`herinnering fake-mollie`)."""
    state = FakeMollie(api_key)
    async with running_fake_mollie(state, host, port) as url:
        log.info("fake Mollie listening on %s", url)
        await asyncio.Event().wait()
