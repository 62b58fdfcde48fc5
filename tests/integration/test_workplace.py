"""The officers' workplace over real HTTP on both databases: the work list completes a call
task (with its MVI step), a manual payment match and a letter batch; the tenant panel shows
balance and ladder step; a threatening reply is refused; taking a colleague's thread asks
first and fails when the holder changed; pages speak one language at a time."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.collection_tables import mvi_steps
from herinnering.adapters.db.legal_tables import letters
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import tasks
from herinnering.demo.workplace_scene import PASSWORD, build
from tests.integration.conversations import rows, thread_of


async def logged_in(browser: Any, email: str) -> Any:
    b = browser()
    assert await b.log_in(email, PASSWORD) == 303
    return b


def task_ids(html: str, kind: str) -> list[int]:
    return [int(i) for i in re.findall(rf'data-task="(\d+)" data-kind="{kind}"', html)]


async def test_the_work_list_completes_a_call_a_payment_match_and_a_letter_batch(runtime: Any, browser: Any) -> None:
    scene = await build(runtime)
    anna = await logged_in(browser, "anna@delinde.nl")
    status, html = await anna.get("/werk")
    assert status == 200
    calls, letters_to_post = task_ids(html, "call"), task_ids(html, "letter")
    [match], [check] = task_ids(html, "match"), task_ids(html, "check")
    assert len(calls) == 3 and len(letters_to_post) == 3
    assert "Inbox Inbox" not in html and "Werklijst" in html and "Work list" not in html

    status, where = await anna.post(f"/werk/tasks/{calls[0]}/call", outcome="spoken", note="Betaalt de 20e")
    assert status == 303 and "notice=call" in where
    [call] = await rows(runtime.db, tasks, tasks.c.id == calls[0])
    assert call.state == "done" and call.data["calls"][0]["outcome"] == "spoken"
    steps = await rows(runtime.db, mvi_steps, mvi_steps.c.step == "personal_contact")
    assert len(steps) == 1 and "Betaalt de 20e" in steps[0].text
    status, where = await anna.post(f"/werk/tasks/{calls[1]}/call", outcome="no_answer")
    [retry] = await rows(runtime.db, tasks, tasks.c.id == calls[1])
    assert retry.state == "open" and retry.due_at > runtime.clock.now()

    fatma = scene.tenants["HC-204518"]
    status, where = await anna.post(f"/werk/tasks/{match}/match", contract="hc-204518", period="2026-12")
    assert "notice=match" in where, where
    [payment] = await rows(runtime.db, payment_transactions, payment_transactions.c.source_key == "scene:camt:unmatched")
    assert payment.tenant_id == fatma.id and payment.period == "2026-12"
    [december] = await rows(runtime.db, payment_periods, payment_periods.c.tenant_id == fatma.id)
    assert december.amount_paid_cents == december.amount_due_cents
    status, where = await anna.post(f"/werk/tasks/{match}/match", contract="HC-204518", period="2026-12")
    assert "notice=refused" in where  # done once, never twice

    async with anna.session.post(anna.base + "/werk/letters", allow_redirects=False,
                                 data=[("csrf", anna.csrf), *[("task_id", str(i)) for i in letters_to_post]]) as r:
        where = r.headers["Location"]
    assert "notice=batch" in where and "made=2" in where, where  # Fatma paid meanwhile: no letter for her
    made = await rows(runtime.db, letters)
    assert len(made) == 2 and {m.state for m in made} == {"generated"}
    batch = re.search(r"batch=(\d+)", where).group(1)
    status, html = await anna.get("/werk")
    assert f"/werk/batches/{batch}.pdf" in html and len(task_ids(html, "letter")) == 2  # nothing counts yet
    async with anna.session.get(f"{anna.base}/werk/batches/{batch}.pdf") as r:
        assert r.status == 200 and (await r.read()).startswith(b"%PDF")
    status, where = await anna.post(f"/werk/batches/{batch}/posted", posted_on="2026-12-16")
    assert "notice=posted" in where and "posted=2" in where, where
    assert {m.state for m in await rows(runtime.db, letters)} == {"posted"}
    status, html = await anna.get("/werk")
    assert task_ids(html, "letter") == [i for i in letters_to_post
                                        if (await rows(runtime.db, tasks, tasks.c.id == i))[0].state == "open"]
    assert task_ids(html, "letter") == []  # two posted; Fatma's went with her case when she paid

    status, where = await anna.post(f"/werk/tasks/{check}/check", found="yes")
    assert "notice=check" in where


async def test_the_thread_shows_the_tenant_and_refuses_a_threat_before_the_14_day_letter(
    runtime: Any, browser: Any,
) -> None:
    scene = await build(runtime)
    fatma = scene.tenants["HC-204518"]
    thread = await thread_of(runtime.db, fatma.id)
    anna = await logged_in(browser, "anna@delinde.nl")
    status, html = await anna.get(f"/inbox/threads/{thread.id}")
    assert status == 200
    assert 'id="balance"' in html and "€ 656,36" in html
    assert "Huurder bellen" in html or "Schriftelijke herinnering" in html  # the ladder step in words
    assert "Antwoord op" in html  # what the tenant is answering, inline
    status, where = await anna.post(f"/inbox/threads/{thread.id}/take-over", seen_holder="")
    assert "notice=take-over" in where
    _, html = await anna.get(f"/inbox/threads/{thread.id}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    status, where = await anna.post(f"/inbox/threads/{thread.id}/reply", nonce=nonce,
                                    text="Als u niet betaalt, schakelen we de deurwaarder in.")
    assert "notice=threat" in where and "deurwaarder" in where
    async with runtime.db.begin() as connection:
        from herinnering.adapters.db.tables import messages

        sent = (await connection.execute(select(messages).where(messages.c.kind == "officer_reply"))).fetchall()
    assert sent == []


async def test_taking_a_colleagues_thread_asks_first_and_fails_when_the_holder_changed(
    runtime: Any, browser: Any,
) -> None:
    scene = await build(runtime)
    thread = await thread_of(runtime.db, scene.tenants["HC-204518"].id)
    anna, bram = await logged_in(browser, "anna@delinde.nl"), await logged_in(browser, "bram@delinde.nl")
    _, where = await anna.post(f"/inbox/threads/{thread.id}/take-over", seen_holder="")
    assert "notice=take-over" in where
    _, where = await bram.post(f"/inbox/threads/{thread.id}/take-over", seen_holder="")  # a stale page: the bot
    assert "notice=changed" in where
    anna_id = str(scene.officers["anna@delinde.nl"])
    _, where = await bram.post(f"/inbox/threads/{thread.id}/take-over", seen_holder=anna_id)
    assert where.endswith("confirm=1")
    assert (await thread_of(runtime.db, scene.tenants["HC-204518"].id)).assigned_to == int(anna_id)
    _, where = await bram.post(f"/inbox/threads/{thread.id}/take-over", seen_holder=anna_id, confirmed="1")
    assert "notice=take-over" in where
    assert (await thread_of(runtime.db, scene.tenants["HC-204518"].id)).assigned_to == scene.officers["bram@delinde.nl"]


async def test_pages_speak_one_language_and_english_by_the_switch(runtime: Any, browser: Any) -> None:
    await build(runtime, days=8)
    anna = await logged_in(browser, "anna@delinde.nl")
    for path in ("/werk", "/inbox", "/huurders?q=yilmaz", "/templates"):
        status, html = await anna.get(path)
        assert status == 200, path
        assert 'class="en"' not in html and "Inbox Inbox" not in html, path
    status, where = await anna.post("/taal", lang="en")
    assert status == 303
    _, html = await anna.get("/werk")
    assert "Work list" in html and "Werklijst" not in html and '<html lang="en">' in html


async def test_the_ladder_command_shows_open_tasks_as_open_with_their_ids_and_done_task_takes_the_contract(
    runtime: Any, monkeypatch: Any, capsys: Any,
) -> None:
    import asyncio

    from herinnering.cli import main

    scene = await build(runtime, days=8)
    jan = scene.tenants["HC-204520"]
    monkeypatch.setenv("HERINNERING_DATABASE_URL", runtime.settings.database.url)
    now = ["--now", "2026-12-10T12:00"]
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["ladder", "--tenant", jan.external_id, *now]) == 0
    shown = capsys.readouterr().out
    [call] = await rows(runtime.db, tasks, tasks.c.tenant_id == jan.id, tasks.c.kind == "call_tenant")
    assert f"Open task {call.id}: call_tenant" in shown
    assert "task open" in shown and " call " in shown.replace("│", " ")
    assert await asyncio.to_thread(main, ["mvi", "done-task", "--tenant", jan.external_id, "--kind", "call_tenant",
                                          "--channel", "phone", "--note", "Gesproken", *now]) == 0
    assert f"Task {call.id} done; 1 MVI steps recorded." in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["mvi", "done-task", "--tenant", jan.external_id, *now]) != 0
    assert "has no open call_tenant task" in capsys.readouterr().err


async def test_arrangement_pause_and_letter_from_the_tenant_page(runtime: Any, browser: Any) -> None:
    from herinnering.adapters.db.collection_tables import arrangements, instalments, pauses

    scene = await build(runtime, days=8)
    ahmed = scene.tenants["HC-204519"]
    anna = await logged_in(browser, "anna@delinde.nl")
    status, html = await anna.get(f"/huurders/{ahmed.id}")
    assert status == 200 and "€ 712,00" in html and "020 123 4567" in html
    _, where = await anna.post(f"/huurders/{ahmed.id}/pauze", reason="schuldhulpverlening loopt", open_ended="1")
    assert where.endswith("notice=paused")
    [paused] = await rows(runtime.db, pauses, pauses.c.tenant_id == ahmed.id)
    assert paused.until is None and paused.reason == "schuldhulpverlening loopt"
    _, html = await anna.get(f"/huurders/{ahmed.id}")
    assert "nader bericht: schuldhulpverlening loopt" in html
    _, where = await anna.post(f"/huurders/{ahmed.id}/hervatten")
    assert where.endswith("notice=resumed")
    _, where = await anna.post(f"/huurders/{ahmed.id}/regeling", count="3", first="2026-12-20", every="month",
                               amount="")
    assert where.endswith("notice=arrangement"), where
    [made] = await rows(runtime.db, arrangements, arrangements.c.tenant_id == ahmed.id)
    assert made.total_cents == 71200 and len(await rows(runtime.db, instalments)) == 3
    _, html = await anna.get(f"/huurders/{ahmed.id}")
    assert "#3" in html and "Regeling vastleggen" in html
    _, where = await anna.post(f"/huurders/{ahmed.id}/regeling", count="3", first="2020-01-01", every="month")
    assert "notice=refused" in where and "no+open+arrears" in where  # the case is in the arrangement now


async def test_the_dashboard_shows_arrears_collection_steps_overdue_and_response_times(
    runtime: Any, browser: Any,
) -> None:
    scene = await build(runtime)
    thread = await thread_of(runtime.db, scene.tenants["HC-204518"].id)
    anna, lisa = await logged_in(browser, "anna@delinde.nl"), await logged_in(browser, "lisa@delinde.nl")
    _, html = await anna.get(f"/inbox/threads/{thread.id}")
    await anna.post(f"/inbox/threads/{thread.id}/take-over", seen_holder="")
    _, html = await anna.get(f"/inbox/threads/{thread.id}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    _, where = await anna.post(f"/inbox/threads/{thread.id}/reply", nonce=nonce, text="Dat is goed, dank u.")
    assert "notice=reply" in where
    status, _ = await anna.get("/dashboard")
    assert status == 403  # team leads only
    status, html = await lisa.get("/dashboard")
    assert status == 200 and html.count("<svg") == 3
    assert "2026-12" in html and "€ 2.113,86" in html  # the three tenants' December, all open
    assert "Schriftelijke herinnering: 3" in html
    assert re.search(r"Taken te laat.*?<p class=\"big\">(\d+)</p>", html, re.S).group(1) == "9"
    assert "Beantwoord</dt><dd>1</dd>" in html


async def test_a_team_lead_invites_disables_and_resets_accounts(runtime: Any, browser: Any) -> None:
    await build(runtime, days=1)
    lisa, anna = await logged_in(browser, "lisa@delinde.nl"), await logged_in(browser, "anna@delinde.nl")
    status, _ = await anna.get("/gebruikers")
    assert status == 403
    status, html = await lisa.post("/gebruikers", name="Sanne Bakker", email="sanne@delinde.nl", role="officer")
    password = re.search(r"<code>([^<]+)</code>", html).group(1)
    sanne = browser()
    assert await sanne.log_in("sanne@delinde.nl", password) == 303
    _, html = await lisa.get("/gebruikers")
    sanne_id = re.search(r'data-user="(\d+)"><td>Sanne Bakker', html).group(1)
    status, html = await lisa.post(f"/gebruikers/{sanne_id}/disable")
    assert "Account uitgeschakeld" in html
    status, _ = await sanne.get("/werk")
    assert status == 200 and "Inloggen" in _  # the session ended: back at the login form
    assert await browser().log_in("sanne@delinde.nl", password) != 303
    await lisa.post(f"/gebruikers/{sanne_id}/enable")
    _, html = await lisa.post(f"/gebruikers/{sanne_id}/reset")
    fresh = re.search(r"<code>([^<]+)</code>", html).group(1)
    assert fresh != password and await browser().log_in("sanne@delinde.nl", fresh) == 303


async def test_wgs_per_municipality_and_the_proof_bundle_on_screen(runtime: Any, browser: Any) -> None:
    scene = await build(runtime)
    lisa = await logged_in(browser, "lisa@delinde.nl")
    status, html = await lisa.get("/wgs?since=2026-01-01")
    assert status == 200 and "Nog niet te melden" in html and "HC-204519" in html  # refused, with the missing step
    async with lisa.session.get(f"{lisa.base}/wgs.csv?since=2026-01-01&gemeente=Amsterdam") as r:
        assert r.status == 200 and (await r.text()).startswith("name,")
    async with lisa.session.get(f"{lisa.base}/huurders/{scene.tenants['HC-204519'].id}/bewijs.pdf") as r:
        assert r.status == 200 and (await r.read()).startswith(b"%PDF")
