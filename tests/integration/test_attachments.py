"""What a tenant sends along (a WhatsApp photo, a PDF) over real HTTP on both databases: the
shipped fake Twilio posts MediaUrlN/MediaContentTypeN and serves the files; herinnering keeps
URL and type with the message, shows the files in the thread only through its own logged-in
route (never the provider's address), fetches nothing but its own account's media, includes
the attachments in export-tenant, and a purge deletes them here and at the provider."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import aiohttp
from sqlalchemy import insert, select

from herinnering.adapters.db.conversation_tables import audit_log, message_media, thread_messages
from herinnering.adapters.twilio_media import fetchable
from herinnering.services.privacy import privacy
from tests.integration.conversations import rows, tenant_writes, thread_of
from tests.integration.officer_browser import officer

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4b70000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _photo_and_pdf(runtime: Any, fake: Any, tenant: Any, sid: str = "SMphoto1") -> None:
    await tenant_writes(runtime, fake, tenant.phone, "Hierbij de foto van mijn bankafschrift.", channel="whatsapp",
                        sid=sid, attachments=[("image/png", PNG), ("application/pdf", PDF)])


async def test_attachments_are_kept_and_shown_only_through_the_logged_in_route(
    runtime: Any, browser: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant(name="Fatma Yılmaz")
    await _photo_and_pdf(runtime, fake_twilio, tenant)
    await _photo_and_pdf(runtime, fake_twilio, tenant)  # Twilio retries the webhook: stored once
    stored = await rows(runtime.db, message_media)
    assert [(m.position, m.content_type) for m in stored] == [(0, "image/png"), (1, "application/pdf")]
    assert all(m.url.startswith(fake_twilio.url) and "/Media/ME" in m.url for m in stored)
    [said] = await rows(runtime.db, thread_messages, thread_messages.c.direction == "in")
    assert said.data["num_media"] == 2

    thread = await thread_of(runtime.db, tenant.id)
    anna = await officer(runtime, browser)
    status, html = await anna.get(f"/inbox/threads/{thread.id}")
    photo, pdf = stored
    assert f'<img src="/inbox/media/{photo.id}"' in html and f'href="/inbox/media/{pdf.id}"' in html
    assert fake_twilio.url not in html and "/Media/ME" not in html and "api.twilio.com" not in html
    _, live = await anna.get(f"/inbox/threads/{thread.id}/live.json?v=-1")
    assert f"/inbox/media/{photo.id}" in live and fake_twilio.url not in live

    async with anna.session.get(f"{anna.base}/inbox/media/{photo.id}") as response:
        assert response.status == 200 and response.content_type == "image/png" and await response.read() == PNG
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    async with anna.session.get(f"{anna.base}/inbox/media/{pdf.id}") as response:
        assert response.content_type == "application/pdf" and await response.read() == PDF
        assert response.headers["Content-Disposition"].startswith("inline")
    viewed = await rows(runtime.db, audit_log, audit_log.c.action == "view_attachment")
    assert len(viewed) == 2 and viewed[0].tenant_id == tenant.id

    async with aiohttp.ClientSession() as stranger, stranger.get(
            f"{anna.base}/inbox/media/{photo.id}", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    assert (await anna.get("/inbox/media/999999"))[0] == 404


async def test_a_file_of_another_kind_is_a_download_and_no_other_host_is_ever_fetched(
    runtime: Any, browser: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant()
    await tenant_writes(runtime, fake_twilio, tenant.phone, "", channel="whatsapp", sid="SMcard",
                        attachments=[("text/html", b"<script>alert(1)</script>")])
    [card] = await rows(runtime.db, message_media)
    anna = await officer(runtime, browser)
    async with anna.session.get(f"{anna.base}/inbox/media/{card.id}") as response:
        assert response.content_type == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith("attachment")

    async with runtime.db.begin() as connection:  # a URL that is not our account's media at Twilio
        foreign = (await connection.execute(insert(message_media).values(
            thread_message_id=card.thread_message_id, position=1, url="http://169.254.169.254/latest/meta-data/",
            content_type="image/png", created_at=runtime.clock.now()).returning(message_media.c.id))).scalar_one()
    status, _ = await anna.get(f"/inbox/media/{foreign}")
    assert status == 502
    twilio = runtime.settings.twilio
    base = f"{twilio.api_base_url}/2010-04-01/Accounts/{twilio.account_sid}/Messages/MM1/Media/ME1"
    assert fetchable(twilio, base)
    for url in (base.replace(twilio.account_sid, "AC" + "00" * 16), base + "?x=1", "https://evil.example/2010-04-01/",
                base.replace("/Media/ME1", "/../../Media/ME1"), base.replace("http://", "https://")):
        assert not fetchable(twilio, url), url


async def test_export_holds_the_attachments_and_a_purge_deletes_them_here_and_at_the_provider(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    runtime.settings = replace(runtime.settings, privacy=replace(runtime.settings.privacy,
                                                                 administration_retention_months=24))
    tenant = await make_tenant(name="Anna de Vries")
    await _photo_and_pdf(runtime, fake_twilio, tenant)
    exported = await privacy.export_tenant(runtime, tenant.external_id)
    media = exported["tables"]["message_media"]
    assert [m["content_type"] for m in media] == ["image/png", "application/pdf"]
    assert len(fake_twilio.media) == 2

    await privacy.end_contract(runtime, tenant.external_id, date(2023, 10, 31))
    report = await privacy.purge(runtime)
    assert report.tenants == 1 and report.rows.get("message_media") == 2
    async with runtime.db.begin() as connection:
        assert (await connection.execute(select(message_media))).first() is None
    assert fake_twilio.media == {}  # deleted where Twilio keeps them too
    assert re.fullmatch(r"\d+", str(report.tenants))
