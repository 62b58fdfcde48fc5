"""Fuzzing what arrives over HTTP: Twilio's webhook forms (with a valid signature computed
here, so the fuzz reaches the handlers behind the signature check) and the JSON payments API.
Never a 500: a request is taken (2xx) or refused with a clear 4xx, and a refused request
writes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from herinnering.adapters.db.conversation_tables import thread_messages, threads
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import events, messages, tasks, tenants
from tests.fuzz.fuzzing import NASTY, fuzz

TOKEN = "fuzz-api-token"
# Form values travel as UTF-8: anything but lone surrogates (which no client can send).
SENDABLE = st.one_of(NASTY.filter(lambda s: s != "\ud800"),
                     st.text(st.characters(blacklist_categories=["Cs"]), max_size=30))
SIDS = st.one_of(st.just("SM" + "fe" * 16), st.from_regex(r"(SM|MM)[0-9a-f]{32}", fullmatch=True), SENDABLE)
STATUSES = st.one_of(st.sampled_from(["queued", "sending", "sent", "delivered", "undelivered", "failed", "read",
                                      "DELIVERED", "accepted", "canceled"]), SENDABLE)
PHONES = st.one_of(st.sampled_from(["+31612345678", "whatsapp:+31612345678", "+447700900123", "whatsapp:",
                                    "0612345678", "+", "whatsapp:+31 6 1234 5678"]), SENDABLE)


async def snapshot(db: Any) -> tuple[int, ...]:
    async with db.begin() as connection:
        return tuple([
            (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (messages, events, tasks, tenants, threads, thread_messages,
                          payment_transactions, payment_periods)
        ])


async def post_signed(runtime: Any, path: str, form: dict[str, str]) -> tuple[int, str]:
    url = runtime.settings.server.public_url + path
    signature = RequestValidator(runtime.settings.twilio.auth_token).compute_signature(url, form)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    async with aiohttp.ClientSession() as session, session.post(
        url, data=urlencode(form).encode(), headers=headers
    ) as response:
        return response.status, await response.text()


def assert_answered(status: int, text: str) -> None:
    assert status < 500, text
    if status >= 400:
        assert status in (400, 403, 404, 413, 415, 422) and text.strip(), (status, text)


@st.composite
def status_form(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    form: dict[str, str] = draw(st.dictionaries(st.sampled_from(
        ["MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "AccountSid", "To", "From",
         "RawDlrDoneDate", "ChannelStatusMessage"]) | SENDABLE.filter(bool), SENDABLE, max_size=6))
    if draw(st.booleans()):
        form["MessageSid"] = draw(SIDS)
        form["MessageStatus"] = draw(STATUSES)
    if draw(st.booleans()):
        form["ErrorCode"] = draw(st.one_of(st.integers(-(2**70), 2**70).map(str), SENDABLE))
    query = draw(st.one_of(st.just(""), st.from_regex(r"\?m=-?[0-9]{0,25}", fullmatch=True),
                           st.from_regex(r"\?m=[a-zA-Z0-9_.~-]{0,10}", fullmatch=True)))
    return query, form


@pytest.fixture
async def fuzz_runtime(runtime: Any, make_tenant: Any) -> Any:
    """The served app with one tenant (+31612345678) and the payments API open."""
    await make_tenant(external_id="HC-100101", phone="+31612345678", monthly_rent_cents=65636)
    runtime.settings = replace(runtime.settings, payments=replace(runtime.settings.payments, api_token=TOKEN))
    return runtime


@fuzz(0.4)
@given(case=status_form())
@example(case=("?m=" + "9" * 25, {"MessageSid": "SM" + "fe" * 16, "MessageStatus": "delivered", "ErrorCode": "9" * 30}))
async def test_a_signed_status_callback_with_any_fields_is_never_a_500(
    fuzz_runtime: Any, case: tuple[str, dict[str, str]],
) -> None:
    query, form = case
    before = await snapshot(fuzz_runtime.db)
    status, text = await post_signed(fuzz_runtime, "/webhooks/twilio/status" + query, form)
    assert_answered(status, text)
    if status >= 400:
        assert await snapshot(fuzz_runtime.db) == before


@fuzz(0.4)
@given(form=st.fixed_dictionaries(
    {}, optional={"MessageSid": SIDS, "From": PHONES, "To": PHONES, "Body": SENDABLE, "NumMedia": SENDABLE,
                  "ProfileName": SENDABLE, "ButtonPayload": SENDABLE, "ButtonText": SENDABLE,
                  "SmsMessageSid": SIDS, "WaId": SENDABLE}))
@example(form={"MessageSid": "SM" + "00" * 16, "From": "+31612345678", "Body": "STOP\x00"})
@example(form={"MessageSid": "SM\x00", "From": "whatsapp:+31612345678\x00", "Body": "hulp"})
@example(form={"MessageSid": "SM" + "1" * 70, "From": "+" + "1" * 30, "Body": "hulp"})
async def test_a_signed_inbound_message_with_any_fields_is_never_a_500(
    fuzz_runtime: Any, form: dict[str, str],
) -> None:
    before = await snapshot(fuzz_runtime.db)
    status, text = await post_signed(fuzz_runtime, "/webhooks/twilio/inbound", form)
    assert_answered(status, text)
    if status >= 400:
        assert await snapshot(fuzz_runtime.db) == before


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SENDABLE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SENDABLE, inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["id", "contract_id", "period", "type", "amount_cents", "reason_code", "amount_due_cents",
          "amount_paid_cents", "status", "booked_on"]
VALID = {"id": "bank-1", "contract_id": "HC-100101", "period": "2026-12", "type": "return",
         "amount_cents": 65636, "reason_code": "AM04"}


@st.composite
def payment_body(draw: st.DrawFn) -> Any:
    """Arbitrary JSON, or a valid payment with some fields dropped or replaced by any JSON."""
    if draw(st.booleans()):
        return draw(JSON)
    item = dict(VALID, id=draw(st.from_regex(r"fz-[a-z0-9]{1,12}", fullmatch=True)))
    item["type"] = draw(st.sampled_from(["payment", "return", "statement"]))
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        if draw(st.booleans()):
            item.pop(key, None)
        else:
            item[key] = draw(JSON)
    return {"payments": [item, *draw(st.lists(JSON, max_size=2))]} if draw(st.booleans()) else item


async def post_json(runtime: Any, raw: bytes, token: str = TOKEN) -> tuple[int, Any]:
    runtime.clock.advance(timedelta(seconds=5))  # the API's rate limit refills by the clock
    async with aiohttp.ClientSession() as session, session.post(
        runtime.settings.server.public_url + "/api/payments", data=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    ) as response:
        text = await response.text()
        return response.status, (json.loads(text) if response.content_type == "application/json" else text)


@fuzz(0.4)
@given(raw=st.one_of(payment_body().map(lambda b: json.dumps(b).encode()), st.binary(max_size=60)))
@example(raw=b"[" * 50_000)
@example(raw=b"null")
@example(raw=b'{"id": "x", "contract_id": "HC-1\\u0000", "period": "2026-12", "amount_cents": 1}')
@example(raw=b'{"id": "x", "contract_id": "HC-100101", "period": "2026-12", "amount_cents": 1e400}')
@example(raw=b'{"id": "x", "contract_id": "HC-100101", "period": "99999-12", "amount_cents": 5}')
async def test_any_json_to_the_payments_api_is_taken_or_refused_clearly(fuzz_runtime: Any, raw: bytes) -> None:
    before = await snapshot(fuzz_runtime.db)
    status, body = await post_json(fuzz_runtime, raw)
    assert status in (200, 201, 400, 413, 422), (status, body)
    if status >= 400:
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), body
        assert await snapshot(fuzz_runtime.db) == before


@pytest.mark.parametrize("path", ["/webhooks/twilio/status", "/webhooks/twilio/inbound", "/webhooks/sandbox",
                                  "/webhooks/mollie"])
async def test_a_webhook_whose_body_is_not_a_readable_form_gets_400(fuzz_runtime: Any, path: str) -> None:
    before = await snapshot(fuzz_runtime.db)
    async with aiohttp.ClientSession() as session, session.post(
        fuzz_runtime.settings.server.public_url + path, data=b"id=1",
        headers={"Content-Type": "multipart/form-data"},  # no boundary
    ) as response:
        assert response.status == 400 and "form" in await response.text()
    assert await snapshot(fuzz_runtime.db) == before
