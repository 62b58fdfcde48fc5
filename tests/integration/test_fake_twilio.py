"""The shipped fake Twilio, driven by the official twilio client over real HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from herinnering.adapters.twilio_http import RoutedAsyncHttpClient
from herinnering.clock import SettableClock
from herinnering.fakes.twilio_server import (
    FakeTwilio,
    count_segments,
    running_fake_twilio,
    sign,
)

ACCOUNT_SID = "AC" + "1234abcd" * 4
AUTH_TOKEN = "s3cret-token"
SENDER = "+3197010000000"
TENANT = "+31612345678"
OTHER_TENANT = "+31687654321"
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


@dataclass
class Fake:
    state: FakeTwilio
    url: str
    client: Client


@dataclass
class Receiver:
    """A tenant-facing webhook endpoint that just records what Twilio posts to it."""

    url: str
    hits: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def statuses(self, sid: str) -> list[str]:
        return [
            params["MessageStatus"] for _, params, _ in self.hits if params["MessageSid"] == sid
        ]


@asynccontextmanager
async def fake_twilio(state: FakeTwilio, timeout: float = 2.0) -> AsyncIterator[Fake]:
    async with running_fake_twilio(state) as url:
        http = RoutedAsyncHttpClient(base_url=url, timeout=timeout)
        try:
            yield Fake(state, url, Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http))
        finally:
            await http.close()


def new_state(**options: object) -> FakeTwilio:
    return FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, callback_delay=0.01, **options)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    async with fake_twilio(new_state(seed=1)) as running:
        yield running


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hits: list[tuple[str, dict[str, str], str]] = []

    async def record(request: web.Request) -> web.Response:
        form = await request.post()
        hits.append(
            (
                str(request.url),
                {k: str(v) for k, v in form.items()},
                request.headers["X-Twilio-Signature"],
            )
        )
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/status", record)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield Receiver(f"http://{host}:{port}/status?tenancy=42", hits)
    await runner.cleanup()


async def send(
    fake: Fake, to: str = TENANT, body: str = "Huur herinnering", **extra: str
) -> MessageInstance:
    return await fake.client.messages.create_async(to=to, from_=SENDER, body=body, **extra)


async def test_creating_a_message_returns_a_twilio_sid_and_status_queued(fake: Fake) -> None:
    message = await send(fake)

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.status == "queued"
    assert (message.to, message.from_, message.account_sid) == (TENANT, SENDER, ACCOUNT_SID)
    assert message.date_sent is None and message.error_code is None
    assert [m["sid"] for m in fake.state.messages] == [message.sid]
    assert fake.state.messages[0]["request"]["Body"] == "Huur herinnering"


async def test_the_created_message_json_has_exactly_twilios_fields_and_formats(fake: Fake) -> None:
    auth = aiohttp.BasicAuth(ACCOUNT_SID, AUTH_TOKEN).encode()
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            data={
                "To": "whatsapp:" + TENANT,
                "MessagingServiceSid": "MG" + "0" * 32,
                "Body": "ĳ" * 71,
                "Unknown": "x",
            },
            headers={"Authorization": auth},
        )
        body = await response.json()

    assert response.status == 201
    assert set(body) == {
        "account_sid", "api_version", "body", "date_created", "date_sent", "date_updated",
        "direction", "error_code", "error_message", "from", "messaging_service_sid",
        "num_media", "num_segments", "price", "price_unit", "sid", "status",
        "subresource_uris", "to", "uri",
    }  # fmt: skip
    assert RFC2822.match(body["date_created"]) and RFC2822.match(body["date_updated"])
    assert body["api_version"] == "2010-04-01" and body["direction"] == "outbound-api"
    assert (body["num_segments"], body["num_media"], body["price_unit"]) == ("2", "0", "USD")
    assert body["from"] is None and body["date_sent"] is None
    assert body["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{body['sid']}.json"


async def test_fetching_a_message_returns_it_and_an_unknown_sid_is_20404(fake: Fake) -> None:
    sent = await send(fake)

    fetched = await fake.client.messages(sent.sid).fetch_async()
    with pytest.raises(TwilioRestException) as missing:
        await fake.client.messages("SM" + "f" * 32).fetch_async()

    assert (fetched.sid, fetched.body) == (sent.sid, "Huur herinnering")
    assert (missing.value.status, missing.value.code) == (404, 20404)


async def test_an_invalid_number_is_refused_with_code_21211(fake: Fake) -> None:
    with pytest.raises(TwilioRestException) as refused:
        await send(fake, to="0612345678")

    assert (refused.value.code, refused.value.status) == (21211, 400)
    assert fake.state.messages == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "", "from_": SENDER, "body": "x"}, 21604),
        ({"to": TENANT, "body": "x"}, 21603),
        ({"to": TENANT, "from_": SENDER}, 21602),
        ({"to": TENANT, "from_": SENDER, "body": "x" * 1601}, 21617),
    ],
)
async def test_incomplete_requests_are_refused_with_twilios_codes(
    fake: Fake, fields: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioRestException) as refused:
        await fake.client.messages.create_async(**fields)

    assert (refused.value.code, refused.value.status) == (code, 400)


async def test_a_wrong_auth_token_is_refused_with_20003(fake: Fake) -> None:
    http = RoutedAsyncHttpClient(base_url=fake.url)
    intruder = Client(ACCOUNT_SID, "not-the-token", http_client=http)
    try:
        with pytest.raises(TwilioRestException) as refused:
            await intruder.messages.create_async(to=TENANT, from_=SENDER, body="x")
    finally:
        await http.close()

    assert (refused.value.code, refused.value.status) == (20003, 401)


async def test_a_rate_limit_fault_raises_20429_and_stores_nothing(fake: Fake) -> None:
    fake.state.add_fault(429, 20429)

    with pytest.raises(TwilioRestException) as limited:
        await send(fake)
    after = await send(fake)

    assert (limited.value.code, limited.value.status) == (20429, 429)
    assert "Too Many Requests" in limited.value.msg
    assert [m.sid for m in fake.state.messages] == [after.sid]


async def test_a_server_error_after_storing_raises_yet_the_message_is_listed(fake: Fake) -> None:
    fake.state.add_fault(500, stored=True)

    with pytest.raises(TwilioRestException) as failed:
        await send(fake)
    listed = await fake.client.messages.list_async(to=TENANT)

    assert failed.value.status == 500
    assert [m.to for m in listed] == [TENANT]


async def test_a_slow_answer_the_client_gives_up_on_may_still_have_been_stored() -> None:
    async with fake_twilio(new_state(), timeout=0.1) as fake:
        fake.state.add_fault(delay=0.3, stored=True)  # stored first, then answered too late
        with pytest.raises(TimeoutError):
            await send(fake)

        assert [m.to for m in fake.state.messages] == [TENANT]


async def test_a_slow_request_the_client_gives_up_on_before_it_was_stored_is_never_stored() -> None:
    async with fake_twilio(new_state(), timeout=0.1) as fake:
        fake.state.add_fault(delay=10)  # the caller's timeout cancels it before it is processed
        with pytest.raises(TimeoutError):
            await send(fake)
        await fake.client.messages.list_async(to=TENANT)  # a round trip: the cancel has landed

        assert fake.state.messages == []
        assert [r["sid"] for r in fake.state.requests] == [None]


async def test_list_filters_by_recipient_and_by_the_day_sent() -> None:
    clock = SettableClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    async with fake_twilio(new_state(clock=clock)) as fake:
        early = await send(fake)
        await fake.state.wait_idle()
        clock.set(datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
        other = await send(fake, to=OTHER_TENANT)
        late = await send(fake)
        await fake.state.wait_idle()
        messages = fake.client.messages

        to_tenant = await messages.list_async(to=TENANT)
        since_26th = await messages.list_async(
            date_sent_after=datetime(2026, 11, 26, 23, 59, tzinfo=UTC)
        )
        on_25th = await messages.list_async(date_sent=datetime(2026, 11, 25, tzinfo=UTC))
        tenant_before_26th = await messages.list_async(
            to=TENANT, date_sent_before=datetime(2026, 11, 26)
        )

    assert [m.sid for m in to_tenant] == [late.sid, early.sid]
    assert [m.sid for m in since_26th] == [late.sid, other.sid]
    assert [m.sid for m in on_25th] == [early.sid]
    assert [m.sid for m in tenant_before_26th] == [early.sid]
    assert to_tenant[1].date_sent == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def test_list_pages_through_everything_newest_first(fake: Fake) -> None:
    sent = [await send(fake, body=f"bericht {i}") for i in range(5)]

    listed = await fake.client.messages.list_async(page_size=2)
    first_page = await fake.client.messages.page_async(page_size=2)

    assert [m.sid for m in listed] == [m.sid for m in reversed(sent)]
    assert first_page._payload["next_page_uri"].startswith(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json?"
    )
    assert (
        first_page._payload["page_size"],
        first_page._payload["start"],
        first_page._payload["end"],
    ) == (2, 0, 1)


async def test_status_callbacks_arrive_queued_sent_delivered_with_valid_signatures(
    fake: Fake, receiver: Receiver
) -> None:
    message = await send(fake, status_callback=receiver.url)
    await fake.state.wait_idle()

    validator = RequestValidator(AUTH_TOKEN)
    assert receiver.statuses(message.sid) == ["queued", "sent", "delivered"]
    for url, params, signature in receiver.hits:
        assert url == receiver.url
        assert validator.validate(url, params, signature)
        assert params["ChannelPrefix"] == "sms" and params["SmsSid"] == message.sid
        assert "ErrorCode" not in params
    fetched = await fake.client.messages(message.sid).fetch_async()
    assert fetched.status == "delivered" and fetched.date_sent is not None


async def test_a_number_set_to_undelivered_ends_undelivered_with_its_error_code(
    fake: Fake, receiver: Receiver
) -> None:
    fake.state.set_number(TENANT, delivery="undelivered", error_code=30003)

    message = await send(fake, to="whatsapp:" + TENANT, status_callback=receiver.url)
    await fake.state.wait_idle()
    fetched = await fake.client.messages(message.sid).fetch_async()

    assert receiver.statuses(message.sid) == ["queued", "sent", "undelivered"]
    last = receiver.hits[-1][1]
    assert (last["ErrorCode"], last["ChannelPrefix"]) == ("30003", "whatsapp")
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    assert fetched.error_message == "Unreachable destination handset"


async def test_chaos_mode_repeats_and_reorders_callbacks_the_same_way_for_the_same_seed(
    receiver: Receiver,
) -> None:
    async def run() -> list[list[str]]:
        async with fake_twilio(new_state(callback_chaos=True, seed=3)) as fake:
            sids = [(await send(fake, status_callback=receiver.url)).sid for _ in range(4)]
            await fake.state.wait_idle()
            assert {m.status for m in fake.state.messages} == {"delivered"}
            return [receiver.statuses(sid) for sid in sids]

    first, second = await run(), await run()

    assert first == second
    assert any(len(seq) > 3 for seq in first), "some callbacks are repeated"
    assert any(seq[:3] != ["queued", "sent", "delivered"] for seq in first), "some are out of order"
    assert all(set(seq) == {"queued", "sent", "delivered"} for seq in first)


async def test_an_unreachable_callback_url_is_recorded_and_ignored(fake: Fake) -> None:
    message = await send(fake, status_callback="http://127.0.0.1:9/unreachable")
    await fake.state.wait_idle()

    stored = fake.state.get(message.sid)
    assert stored is not None and stored.status == "delivered"
    assert [c["status"] for c in stored.callbacks] == ["queued", "sent", "delivered"]
    assert all(c["error"] and c["response_status"] is None for c in stored.callbacks)


async def test_callbacks_set_lost_through_the_admin_endpoint_reach_nobody_while_statuses_still_move(
    fake: Fake, receiver: Receiver
) -> None:
    async with aiohttp.ClientSession(base_url=fake.url) as admin:
        refused = await admin.post("/_fake/callbacks", json={"lost": "yes"})
        assert (await (await admin.post("/_fake/callbacks", json={"lost": True})).json()) == {"lost": True}
        lost = await send(fake, status_callback=receiver.url)
        await fake.state.wait_idle()
        assert (await (await admin.post("/_fake/callbacks", json={"lost": False})).json()) == {"lost": False}
        posted = await send(fake, status_callback=receiver.url)
        await fake.state.wait_idle()

    assert refused.status == 400
    stored = fake.state.get(lost.sid)
    assert stored is not None and stored.status == "delivered"
    assert receiver.statuses(lost.sid) == []
    assert [c["lost"] for c in stored.callbacks] == [True, True, True]
    assert receiver.statuses(posted.sid) == ["queued", "sent", "delivered"]


async def test_admin_endpoints_queue_faults_set_numbers_show_messages_and_reset(fake: Fake) -> None:
    async with aiohttp.ClientSession(base_url=fake.url) as admin:
        await admin.post("/_fake/faults", json={"status": 429, "code": 20429})
        await admin.post("/_fake/numbers", json={"to": OTHER_TENANT, "create_error": 21610})
        bad = await admin.post("/_fake/faults", json={"status": 200})
        pending = await (await admin.get("/_fake/faults")).json()

        with pytest.raises(TwilioRestException) as limited:
            await send(fake)
        with pytest.raises(TwilioRestException) as unsubscribed:
            await send(fake, to=OTHER_TENANT)
        await send(fake)
        seen = await (await admin.get("/_fake/messages")).json()
        await admin.post("/_fake/reset")
        after_reset = await (await admin.get("/_fake/messages")).json()

    assert bad.status == 400
    assert pending == {"faults": [{"status": 429, "code": 20429}]}
    assert limited.value.code == 20429
    assert unsubscribed.value.code == 21610 and "unsubscribed recipient" in unsubscribed.value.msg
    assert [r["status"] for r in seen["requests"]] == [429, 400, 201]
    assert [m["request"]["Body"] for m in seen["messages"]] == ["Huur herinnering"]
    assert after_reset == {"messages": [], "requests": []}
    assert fake.state.numbers == {}


@given(
    path=st.text(alphabet="abcxyz/-_", max_size=12),
    params=st.dictionaries(
        st.sampled_from(["To", "From", "Body", "ErrorCode", "Ä"]), st.text(max_size=20)
    ),
)
def test_the_fakes_signature_is_what_twilios_validator_accepts_for_any_callback(
    path: str, params: dict[str, str]
) -> None:
    url = f"https://bot.example.nl:8443/{path}?x=1"

    assert RequestValidator(AUTH_TOKEN).validate(url, params, sign(AUTH_TOKEN, url, params))
    assert not RequestValidator("another-token").validate(
        url, params, sign(AUTH_TOKEN, url, params)
    )


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("é" * 306, 2),
        ("ĳ" * 70, 1),
        ("ĳ" * 71, 2),
        ("😀" * 35, 1),
    ],
)
def test_segments_are_counted_like_twilio_for_gsm7_and_ucs2(body: str, segments: int) -> None:
    assert count_segments(body) == segments
