"""The arrears case on a real database (SQLite and PostgreSQL): one case per tenant holding its
unpaid months, one ladder, letters from the case, and posting before anything counts."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from herinnering.adapters.db.collection_tables import case_months, ladder_steps, mvi_steps
from herinnering.adapters.db.legal_tables import letters, post_batches
from herinnering.adapters.db.tables import events, tasks
from herinnering.adapters.templates import money
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.errors import HerinneringError
from herinnering.services.legal.letters import (
    costs_due,
    generate,
    make_post_batch,
    mark_batch_posted,
    post_single,
)
from herinnering.services.payments.cases import case_detail, list_open_cases
from tests.integration.collection_helpers import (
    cases,
    change,
    days,
    ladder_messages,
    report,
    rows,
    run_day,
)
from tests.integration.test_wgs import with_address

JANUARY_RETURN = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)  # the January debit comes back too


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


async def two_missed_months(runtime: Any, make_tenant: Any, **fields: Any) -> Any:
    """December's debit came back on 2 December, the ladder ran a month, then January's came back."""
    tenant = await make_tenant(name="Anna de Vries", **fields)
    await with_address(runtime, tenant)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    for day in days(date(2026, 12, 2), 33):
        await run_day(runtime, day)
    await report(runtime, change(tenant, PaymentStatus.RETURNED, at=JANUARY_RETURN, period="2027-01"))
    for day in days(date(2027, 1, 4), 6):
        await run_day(runtime, day)
    return tenant


async def test_two_missed_months_make_one_case_one_ladder_and_one_14_day_letter_with_the_total(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await two_missed_months(runtime, make_tenant)
    [case] = await cases(runtime)
    assert (case.state, case.amount_due_cents, case.amount_paid_cents) == ("open", 149_100, 0)
    assert case.arrears_since == date(2026, 12, 1)  # the oldest unpaid due date
    assert [m.period for m in await rows(runtime, case_months)] == ["2026-12", "2027-01"]
    steps = await rows(runtime, ladder_steps)
    assert {s.case_id for s in steps} == {case.id} and len({s.step for s in steps}) == len(steps)
    kinds = [m.kind for m in await ladder_messages(runtime)]
    assert kinds.count("payment_link") == 1 and kinds.count("ladder_reminder") == 1  # no second ladder
    assert [e.data["period"] for e in await rows(runtime, events, events.c.type == "arrears_month_joined")] == [
        "2027-01"]

    made = await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde")
    text = pdf_text(made.pdf)
    total = money(149_100, "nl")
    assert made.months == ("2026-12", "2027-01") and made.total_cents == 149_100
    assert f"Totaal open: {total}" in text and "december 2026" in text and "januari 2027" in text
    assert made.costs is not None and made.costs.total_cents == 22_365  # 15 % of the total, once
    assert f"Die kosten zijn {money(22_365, 'nl')}" in text
    assert "Lindelaan 12 1234 AB Utrecht" in text  # the address block
    assert "NL91 ABNA 0417 1643 00" in text and f"kenmerk: {tenant.external_id}" in text  # how to pay
    assert "Mevrouw S. de Vries" in text  # a named contact person
    with pytest.raises(HerinneringError, match="once per case"):
        await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde")
    summaries = await list_open_cases(runtime.db)
    assert [(s.case_id, s.total_cents, [m.period for m in s.open_months]) for s in summaries] == [
        (case.id, 149_100, ["2026-12", "2027-01"])]


async def test_a_partial_payment_lowers_the_total_and_paying_the_rest_closes_the_case(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await two_missed_months(runtime, make_tenant)
    [case] = await cases(runtime)
    await report(runtime, change(tenant, PaymentStatus.PARTLY_PAID, paid=40_000, reason=None,
                                 at=datetime(2027, 1, 11, 10, tzinfo=UTC)))
    detail = await case_detail(runtime.db, case.id)
    assert detail is not None and detail.total_cents == 149_100 - 40_000 and detail.state == "open"
    assert detail.arrears_since == date(2026, 12, 1)
    await report(runtime, change(tenant, PaymentStatus.PAID, paid=74_550, reason=None,
                                 at=datetime(2027, 1, 12, 10, tzinfo=UTC)))
    detail = await case_detail(runtime.db, case.id)
    assert detail is not None and detail.total_cents == 74_550 and detail.arrears_since == date(2027, 1, 4)  # New Year: debited the 4th
    await report(runtime, change(tenant, PaymentStatus.PAID, paid=74_550, reason=None, period="2027-01",
                                 at=datetime(2027, 1, 13, 10, tzinfo=UTC)))
    [closed] = await cases(runtime)
    assert closed.state == "closed" and closed.open_tenant_id is None
    assert await list_open_cases(runtime.db) == []


async def test_a_letter_generated_but_not_posted_starts_no_term_and_counts_for_nothing(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await two_missed_months(runtime, make_tenant)
    made = await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde")
    [stored] = await rows(runtime, letters)
    assert stored.state == "generated" and stored.posted_on is None
    assert (stored.received_on, stored.term_ends_on, stored.costs_due_from) == (None, None, None)
    assert not costs_due(stored, date(2027, 12, 31))
    assert [s for s in await rows(runtime, mvi_steps) if s.step in ("written_reminder", "data_offer")] == []
    written = [t for t in await rows(runtime, tasks) if t.kind == "written_reminder"]
    assert [t.state for t in written] == ["open"]  # the ladder still waits for a letter to go out
    assert bytes(stored.pdf) == made.pdf  # kept exactly as generated, to be posted as it is


async def test_posting_a_batch_starts_the_terms_from_the_posting_date_and_keeps_the_pdf_with_its_hash(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    import hashlib

    tenant = await two_missed_months(runtime, make_tenant)
    other = await two_missed_months(runtime, make_tenant, language="tr")
    first = await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde", post_on=date(2027, 1, 11))
    second = await generate(runtime, other, "written_reminder", by="officer@delinde")
    batch = await make_post_batch(runtime, by="officer@delinde")
    assert batch.letter_ids == (first.letter_id, second.letter_id)
    pages = len(PdfReader(io.BytesIO(first.pdf)).pages) + len(PdfReader(io.BytesIO(second.pdf)).pages)
    assert len(PdfReader(io.BytesIO(batch.pdf)).pages) == pages and "1. brief" in batch.listing
    with pytest.raises(HerinneringError, match="no generated letters"):
        await make_post_batch(runtime, by="officer@delinde")
    with pytest.raises(HerinneringError, match="less than 14 days"):  # stated for the 11th: not later
        runtime.clock.set(datetime(2027, 1, 13, 9, tzinfo=UTC))
        await mark_batch_posted(runtime, batch.batch_id, date(2027, 1, 12), by="officer@delinde")
    await mark_batch_posted(runtime, batch.batch_id, date(2027, 1, 11), by="officer@delinde")
    [stored] = [r for r in await rows(runtime, letters) if r.id == first.letter_id]
    assert (stored.state, stored.posted_on, stored.post_method) == ("posted", date(2027, 1, 11), "batch")
    assert (stored.received_on, stored.term_ends_on, stored.costs_due_from) == (
        date(2027, 1, 13), date(2027, 1, 27), date(2027, 1, 28))
    assert stored.pdf_sha256 == hashlib.sha256(bytes(stored.pdf)).hexdigest()
    [kept] = await rows(runtime, post_batches)
    assert kept.state == "posted" and kept.pdf_sha256 == hashlib.sha256(bytes(kept.pdf)).hexdigest()
    offers = [s for s in await rows(runtime, mvi_steps) if s.step == "data_offer"]
    assert {s.occurred_at.date() for s in offers} == {date(2027, 1, 11)}  # from the posting date
    with pytest.raises(HerinneringError, match="posted once"):
        await post_single(runtime, first.letter_id, date(2027, 1, 12), by="x", tracking_number="3SABCD")


async def test_posted_on_the_friday_before_kings_day_gives_the_dates_the_law_gives(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await with_address(runtime, tenant)
    await report(runtime, change(tenant, PaymentStatus.RETURNED, at=datetime(2026, 4, 2, 8, tzinfo=UTC),
                                 period="2026-04"))
    runtime.clock.set(datetime(2026, 4, 22, 9, tzinfo=UTC))
    made = await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde", post_on=date(2026, 4, 24))
    runtime.clock.set(datetime(2026, 4, 24, 16, tzinfo=UTC))
    await post_single(runtime, made.letter_id, date(2026, 4, 24), by="officer@delinde", tracking_number="3SDELI123")
    [stored] = await rows(runtime, letters)
    # Friday 24 April: Saturday counts, Sunday, Monday and King's Day (Mon 27th) do not → Tuesday 28
    # April received; 14 days after → Tuesday 12 May is the last day; costs from Wednesday 13 May.
    assert (stored.received_on, stored.term_ends_on, stored.costs_due_from) == (
        date(2026, 4, 28), date(2026, 5, 12), date(2026, 5, 13))
    assert (stored.post_method, stored.tracking_number) == ("registered", "3SDELI123")


async def test_no_14_day_letter_below_the_minimum_total(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant(monthly_rent_cents=4_000)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    with pytest.raises(HerinneringError, match="below the minimum"):
        await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde")
    assert await rows(runtime, letters) == []


async def test_the_proof_bundle_of_a_case_is_dutch_only_sealed_and_carries_no_live_link(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    import hashlib
    import re

    from herinnering.services.legal.proof import build, seal_of

    tenant = await two_missed_months(runtime, make_tenant)
    made = await generate(runtime, tenant, "veertiendagenbrief", by="officer@delinde")
    batch = await make_post_batch(runtime, by="officer@delinde")
    await mark_batch_posted(runtime, batch.batch_id, date(2027, 1, 9), by="officer@delinde")
    runtime.clock.set(datetime(2027, 1, 30, 9, tzinfo=UTC))
    bundle = await build(runtime, tenant, None)
    text = pdf_text(bundle.pdf)

    assert bundle.seal == seal_of(bundle.title, bundle.sections)  # one hash over the bundle …
    assert bundle.seal in text.replace(" ", "") and bundle.seal in bundle.html  # … printed on it
    assert "http" not in text and "http" not in bundle.html  # no live tenant-page or payment link
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no raw keys (written_reminder, debt_help_offer …)
    for english in (" the ", "missing", "delivered", " sent ", "objected"):
        assert english not in text, english
    for expected in (
        "Maand 2026-12", "Maand 2027-01",                                             # both months of the case
        f"verzendlijst {batch.batch_id} (pdf sha256 {batch.pdf_sha256})",             # posting proof
        f"pdf zoals verstuurd sha256 {hashlib.sha256(made.pdf).hexdigest()}",
        "kosten € 223,65 verschuldigd vanaf",                                         # costs once, on the total
        "op 30-01-2027 verschuldigd",                                                 # … and whether due now
        "berichtnummer aanbieder SM",                                                 # the provider's id
        f"aan {tenant.phone}",                                                        # the number it went to
        "status afgeleverd",
    ):
        assert expected in " ".join(bundle.html.split()) or expected in text, expected
