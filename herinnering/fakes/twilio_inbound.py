"""The fake Twilio's inbound side: a tenant sends an SMS or WhatsApp message to our number.

Twilio forwards an incoming message to the number's webhook as a signed form POST
(X-Twilio-Signature over the URL and the sorted fields, with the account's auth token). This
module builds that request with Twilio's field names — From, To, Body, MessageSid "SM…",
NumMedia, MediaUrlN and MediaContentTypeN, ProfileName, WaId, ButtonPayload … — and posts it;
attachments are kept by the fake and served at their MediaUrl, as Twilio does. Tests call `send_inbound`;
over HTTP, `POST /_fake/inbound` with JSON {"url", "from", "body", …} does the same.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from herinnering.fakes.twilio_message import API_VERSION, sign
from herinnering.fakes.twilio_state import FakeTwilio

DEFAULT_TO = "+3197010203040"


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


def inbound_fields(
    account_sid: str, sender: str, body: str, *, to: str = DEFAULT_TO, sid: str | None = None,
    channel: str = "sms", profile_name: str | None = None, button_payload: str | None = None,
    num_media: int = 0, media: list[tuple[str, str]] | None = None,
) -> dict[str, str]:
    """The form Twilio posts for one incoming message (WhatsApp: addresses with `whatsapp:`);
    `media`: (MediaUrl, MediaContentType) of each attachment."""
    sid = sid or new_sid()
    whatsapp = channel == "whatsapp"
    prefix = "whatsapp:" if whatsapp else ""
    fields = {
        "AccountSid": account_sid, "ApiVersion": API_VERSION, "Body": body,
        "From": prefix + sender.removeprefix("whatsapp:"), "To": prefix + to.removeprefix("whatsapp:"),
        "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "SmsStatus": "received",
        "NumMedia": str(len(media) if media else num_media), "NumSegments": "1",
    }
    for n, (url, content_type) in enumerate(media or []):
        fields[f"MediaUrl{n}"], fields[f"MediaContentType{n}"] = url, content_type
    if not whatsapp:
        fields.update(FromCountry="NL", ToCountry="NL", FromCity="", ToCity="", FromZip="", ToZip="",
                      FromState="", ToState="")
    else:
        fields.update(WaId=sender.removeprefix("whatsapp:").lstrip("+"), MessageType="button" if button_payload else "text",
                      ProfileName=profile_name or "")
        if button_payload:
            fields.update(ButtonPayload=button_payload, ButtonText=button_payload)
    if profile_name and not whatsapp:
        fields["ProfileName"] = profile_name
    return fields


@dataclass
class InboundPost:
    url: str
    fields: dict[str, str]
    signature: str
    status: int | None = None
    response: str = ""


async def post_inbound(
    state: FakeTwilio, url: str, fields: dict[str, str], session: aiohttp.ClientSession | None = None,
    *, signature: str | None = None,
) -> InboundPost:
    """POST one signed inbound webhook, as Twilio does; returns what was sent and answered."""
    post = InboundPost(url=url, fields=fields, signature=signature or sign(state.auth_token, url, fields))
    headers = {"X-Twilio-Signature": post.signature, "User-Agent": "TwilioProxy/1.1",
               "Content-Type": "application/x-www-form-urlencoded"}
    own = session is None
    client = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    try:
        async with client.post(url, data=fields, headers=headers) as response:
            post.status, post.response = response.status, await response.text()
    finally:
        if own:
            await client.close()
    return post


async def send_inbound(
    state: FakeTwilio, url: str, sender: str, body: str, session: aiohttp.ClientSession | None = None,
    **options: Any,
) -> InboundPost:
    """A tenant with number `sender` sends `body` to our number; Twilio posts it to `url`.
    On WhatsApp this opens the number's 24-hour window at the fake. `attachments`: (content
    type, bytes) of each file sent along; the fake keeps them and posts their MediaUrlN."""
    if options.get("channel") == "whatsapp":
        state.note_inbound(sender)
    attachments = options.pop("attachments", None) or []
    if attachments:
        options["sid"] = options.get("sid") or new_sid()
        options["media"] = [(state.add_media(options["sid"], kind, data), kind) for kind, data in attachments]
    return await post_inbound(state, url, inbound_fields(state.account_sid, sender, body, **options), session)


def register(app: web.Application, state_key: web.AppKey[FakeTwilio]) -> None:
    """`POST /_fake/inbound` {"url", "from", "body", "to"?, "channel"?, "sid"?, "profile_name"?, "button_payload"?,
    "attachments"?: [{"content_type", "data_base64"}]}."""

    async def handler(request: web.Request) -> web.Response:
        state = request.app[state_key]
        try:
            data = await request.json()
            post = await send_inbound(
                state, str(data["url"]), str(data["from"]), str(data.get("body", "")),
                to=str(data.get("to", DEFAULT_TO)), channel=str(data.get("channel", "sms")),
                sid=data.get("sid"), profile_name=data.get("profile_name"),
                button_payload=data.get("button_payload"), num_media=int(data.get("num_media", 0)),
                attachments=[(str(a["content_type"]), base64.b64decode(str(a["data_base64"])))
                             for a in data.get("attachments", [])],
            )
        except (KeyError, ValueError, TypeError) as exc:
            return web.json_response({"error": f"bad inbound request: {exc}"}, status=400)
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"webhook unreachable: {exc}"}, status=502)
        return web.json_response({"sid": post.fields["MessageSid"], "status": post.status, "response": post.response})

    app.router.add_post("/_fake/inbound", handler)
