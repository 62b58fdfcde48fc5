"""The fake Twilio's state: stored Messages, injected faults and the status callbacks.

It owns what Twilio "knows" about an account (its Messages, `twilio_message`, each status
moving queued → sent → delivered/undelivered/failed) and the signed status callbacks that
report those moves. No HTTP routing lives here: `twilio_server` turns requests into calls on
`FakeTwilio`, and tests reach the same object directly to set faults or inspect messages.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import uuid
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from multidict import MultiDictProxy
from yarl import URL

from herinnering.fakes.clock import Clock, SystemClock
from herinnering.fakes.twilio_content import ContentError, FakeContent, shipped_contents
from herinnering.fakes.twilio_faults import Fault, NumberRule
from herinnering.fakes.twilio_message import API_VERSION, FakeMessage, request_fields, sign

log = logging.getLogger(__name__)

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "fake-auth-token"
SERVICE_SENDER = "+15005550006"  # the sender a Messaging Service "picks" when no From is given
MAX_BODY_CHARS = 1600
_E164 = re.compile(r"^(whatsapp:)?\+[1-9]\d{7,14}$")
_RANK = {"queued": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}


class FakeTwilio:
    """The fake's whole state: stored messages, pending faults, number rules, callback tasks."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        callback_delay: float = 0.05,
        callback_chaos: bool = False,
        seed: int | None = None,
        clock: Clock | None = None,
        contents: dict[str, FakeContent] | None = None,
        enforce_window: bool = True,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callback_delay = callback_delay
        self.callback_chaos = callback_chaos
        self.seed = seed
        self.clock: Clock = clock or SystemClock()
        self.url: str | None = None  # base URL while served by `running_fake_twilio`
        self.messages: list[FakeMessage] = []
        self.requests: list[dict[str, Any]] = []  # every create attempt and how it was answered
        self.faults: deque[Fault] = deque()
        self.numbers: dict[str, NumberRule] = {}
        self._rng = random.Random(seed)
        self._tasks: set[asyncio.Task[None]] = set()
        # WhatsApp: approved content templates, and when each number last wrote to us (the
        # 24-hour window: free-form text to a number outside it fails with 63016, as at Twilio)
        self.contents: dict[str, FakeContent] = dict(shipped_contents() if contents is None else contents)
        self.enforce_window = enforce_window
        self.inbound_at: dict[str, datetime] = {}
        # While True, statuses still move but their callbacks never reach us (our web process is
        # down; Twilio does not retry them): only asking for the message finds its status.
        self.callbacks_lost = False
        # What tenants sent with inbound messages, by media sid ("ME…"): (message sid, type, bytes),
        # served at Messages/{MM…}/Media/{ME…} as Twilio does; DELETE removes one.
        self.media: dict[str, tuple[str, str, bytes]] = {}

    # -- set-up, from Python or the admin endpoints ------------------------------------------

    def add_fault(
        self,
        status: int | None = None,
        code: int | None = None,
        *,
        stored: bool = False,
        delay: float = 0.0,
        message: str | None = None,
        times: int = 1,
        retry_after: int | None = None,
        reset: bool = False,
    ) -> Fault:
        """Queue an outcome for the next `times` create calls, in order."""
        fault = Fault(status=status, code=code, message=message, stored=stored, delay=delay,
                      retry_after=retry_after, reset=reset)
        self.faults.extend([fault] * times)
        return fault

    def set_number(
        self,
        to: str,
        *,
        create_error: int | None = None,
        delivery: str = "delivered",
        error_code: int | None = None,
        lookup_error: int | None = None,
    ) -> NumberRule:
        """Make one recipient fail on create, or be accepted and end undelivered/failed, or
        (`lookup_error`) make looking its messages up fail."""
        rule = NumberRule(to, create_error=create_error, delivery=delivery, error_code=error_code,
                          lookup_error=lookup_error)
        self.numbers[to] = rule
        return rule

    def reset(self) -> None:
        """Forget everything, as a fresh account; the seeded randomness starts over too."""
        for task in self._tasks:
            task.cancel()
        self.messages.clear()
        self.requests.clear()
        self.faults.clear()
        self.numbers.clear()
        self.inbound_at.clear()
        self._rng.seed(self.seed)

    def add_media(self, message_sid: str, content_type: str, data: bytes) -> str:
        """Keep an attachment of an inbound message; returns its MediaUrl (needs the fake served)."""
        if self.url is None:
            raise RuntimeError("the fake Twilio must be running to hand out media URLs")
        media_sid = "ME" + uuid.uuid4().hex
        self.media[media_sid] = (message_sid, content_type, data)
        return f"{self.url}/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"

    def note_inbound(self, sender: str) -> None:
        """A number wrote to us on WhatsApp: its 24-hour window opens now."""
        self.inbound_at["whatsapp:" + sender.removeprefix("whatsapp:")] = self.clock.now()

    def window_open(self, to: str) -> bool:
        seen = self.inbound_at.get(to)
        return seen is not None and self.clock.now() - seen < timedelta(hours=24)

    def get(self, sid: str) -> FakeMessage | None:
        return next((m for m in self.messages if m.sid == sid), None)

    def rule_for(self, to: str) -> NumberRule | None:
        """A rule for `whatsapp:+31…` wins; a rule for the bare number covers both channels."""
        return self.numbers.get(to) or self.numbers.get(to.removeprefix("whatsapp:"))

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Let every pending status callback run out, so a test can assert on the end state."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.wait(set(self._tasks))

    async def aclose(self) -> None:
        """Cancel and await the callback tasks; the app calls this on shutdown."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- what the HTTP handlers use ------------------------------------------------------------

    def validate(self, form: MultiDictProxy[str]) -> tuple[int, str | None] | None:
        """Twilio's create checks, in Twilio's order; returns (code, message) of the first miss."""
        to = form.get("To", "")
        if not to:
            return 21604, None
        if not _E164.match(to):
            return 21211, f"Invalid 'To' Phone Number: {to}"
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return 21603, None
        if not form.get("Body") and not form.getall("MediaUrl", []) and not form.get("ContentSid"):
            return 21602, None
        if form.get("ContentSid"):
            content = self.contents.get(form["ContentSid"])
            if content is None:
                return 21655, "The ContentSid is Invalid"
            try:
                content.render(form.get("ContentVariables"))
            except ContentError as exc:
                return exc.code, str(exc)
        if len(form.get("Body", "")) > MAX_BODY_CHARS:
            return 21617, None
        rule = self.rule_for(to)
        if rule and rule.create_error:
            return rule.create_error, None
        return None

    def accept(self, form: MultiDictProxy[str]) -> FakeMessage:
        content = self.contents.get(form.get("ContentSid", ""))
        outcome = self.rule_for(form["To"])
        if (outcome is None and content is None and self.enforce_window and form["To"].startswith("whatsapp:")
                and not self.window_open(form["To"])):
            outcome = NumberRule(form["To"], delivery="failed", error_code=63016)  # accepted, then failed
        message = FakeMessage(
            sid="SM" + uuid.uuid4().hex,
            account_sid=self.account_sid,
            to=form["To"],
            from_=form.get("From") or None,
            messaging_service_sid=form.get("MessagingServiceSid") or None,
            body=content.render(form.get("ContentVariables")) if content else form.get("Body", ""),
            status_callback=form.get("StatusCallback") or None,
            num_media=len(form.getall("MediaUrl", [])),
            date_created=self.clock.now(),
            request=request_fields(form),
            outcome=outcome,
        )
        self.messages.append(message)
        return message

    def start_delivery(self, message: FakeMessage, session: aiohttp.ClientSession) -> None:
        """Move the message through its statuses in the background, posting each callback."""
        task = asyncio.create_task(self._deliver(message, self._plan(message), session))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _plan(self, message: FakeMessage) -> list[str]:
        """The callbacks to post; in chaos mode some repeat and the order is shuffled.

        Drawn when the message is accepted, so a seed gives the same plans whatever the timing.
        """
        final = message.outcome.delivery if message.outcome else "delivered"
        steps = ["queued", "failed"] if final == "failed" else ["queued", "sent", final]
        if not self.callback_chaos:
            return steps
        plan = steps + [step for step in steps if self._rng.random() < 0.35]
        self._rng.shuffle(plan)
        return plan

    async def _deliver(
        self, message: FakeMessage, plan: list[str], session: aiohttp.ClientSession
    ) -> None:
        for status in plan:
            await asyncio.sleep(self.callback_delay)
            self._advance(message, status)
            if self.callbacks_lost and message.status_callback:
                message.callbacks.append({"status": status, "url": message.status_callback, "lost": True})
            elif message.status_callback:
                await self._post_callback(message, status, session)

    def _advance(self, message: FakeMessage, status: str) -> None:
        """Stored status only moves forward, even when a chaotic callback arrives late."""
        if _RANK[status] < _RANK[message.status] or status == message.status:
            return
        now = self.clock.now()
        message.status, message.date_updated = status, now
        if status != "failed" and message.date_sent is None:
            message.date_sent = now
            if message.from_ is None:
                prefix = "whatsapp:" if message.channel == "whatsapp" else ""
                message.from_ = prefix + SERVICE_SENDER
        if status in ("undelivered", "failed") and message.outcome:
            message.error_code = message.outcome.error_code

    async def _post_callback(
        self, message: FakeMessage, status: str, session: aiohttp.ClientSession
    ) -> None:
        url = message.status_callback
        assert url is not None
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "ChannelPrefix": message.channel,
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if message.from_:
            params["From"] = message.from_
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if status in ("undelivered", "failed") and message.outcome:
            params["ErrorCode"] = str(message.outcome.error_code)
        signature = sign(self.auth_token, url, params)
        record: dict[str, Any] = {
            "status": status,
            "url": url,
            "params": params,
            "signature": signature,
            "response_status": None,
            "error": None,
        }
        message.callbacks.append(record)
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        try:
            async with session.post(URL(url, encoded=True), data=params, headers=headers) as resp:
                record["response_status"] = resp.status
                await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:  # never fatal
            record["error"] = repr(exc)
            log.warning("status callback %s for %s to %s failed: %r", status, message.sid, url, exc)
