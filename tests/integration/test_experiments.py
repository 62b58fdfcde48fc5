"""Experiments on a real database (SQLite and PostgreSQL): variants assigned while planning,
exposure only when the provider accepted the message, conversions from payments, the report,
the web page with its charts, and one simulation through the real path."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import select

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.experiment_tables import (
    experiment_assignments,
    experiment_exposures,
    experiment_outcomes,
)
from herinnering.adapters.db.tables import tasks, tenants
from herinnering.domain.experiments import Experiment, Guardrail, Metric, Status, Variant
from herinnering.domain.payments import PaymentChange, PaymentStatus
from herinnering.domain.planning import Period
from herinnering.services import simulation
from herinnering.services.dispatch import Dispatcher
from herinnering.services.experiments import build_report, record_payment_outcome
from herinnering.services.planning import plan_month
from tests.integration.helpers import all_messages, event_types, wait_for_states
from tests.integration.officer_browser import officer

DECEMBER, JANUARY = Period(2026, 12), Period(2027, 1)
SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # reminders of collection day 1 December
LANGUAGES = ("nl", "en", "tr", "ar", "pl")


def wording(seed: str = "") -> Experiment:
    return Experiment(
        key="pre_debit_wording", title="Vriendelijke toon", kind="pre_debit", status=Status.RUNNING,
        start=date(2026, 11, 1), stop=date(2027, 3, 1),
        variants=(Variant("control", "pre_debit", 0.5), Variant("kind", "pre_debit_kind", 0.5)),
        control="control", metric=Metric.PAID_BY_DEBIT_DATE, metric_days=5,
        guardrails=(Guardrail.OPT_OUT_RATE, Guardrail.OFFICER_REPLIES), planned_sample_size=1000, seed=seed,
    )


def with_experiment(runtime: Any, experiment: Experiment) -> None:
    """Run `experiment`, and send fast (the throttle is not what these tests are about)."""
    settings = runtime.settings
    runtime.settings = replace(settings, experiments=(experiment,),
                               dispatch=replace(settings.dispatch, rate_per_second=1000))


async def rows(db: Any, table: Any) -> list[Any]:
    async with db.begin() as connection:
        return list((await connection.execute(select(table).order_by(table.c.id))).fetchall())


async def test_planning_assigns_by_hash_and_only_sent_messages_are_exposures(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    experiment = wording()
    with_experiment(runtime, experiment)
    tenants = [await make_tenant(language=LANGUAGES[n % 5]) for n in range(20)]
    opted_out, invalid = tenants[0], tenants[1]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)

    planned = {m.tenant_id: m for m in await all_messages(runtime.db)}
    for tenant in tenants:
        variant = experiment.assign(tenant.external_id)
        assert planned[tenant.id].variant == variant.name
        assert planned[tenant.id].template == f"messages/{tenant.language}/{variant.template}.sms.j2"
    assert {m.variant for m in planned.values()} == {"control", "kind"}
    assert await rows(runtime.db, experiment_exposures) == []  # planned is not exposed

    async with runtime.db.begin() as connection:
        await tenant_store.set_opted_out(connection, opted_out.id, runtime.clock.now())
    fake_twilio.set_number(invalid.phone, create_error=21211)
    runtime.clock.set(SEND_MOMENT)
    report = await Dispatcher(runtime, "w1").run_until_idle()
    assert (report.sent, report.cancelled, report.failed) == (18, 1, 1)

    messages = {m.tenant_id: m for m in await wait_for_states(runtime.db, {"delivered", "cancelled", "failed"})}
    exposures = await rows(runtime.db, experiment_exposures)
    assert sorted(e.message_id for e in exposures) == sorted(m.id for m in messages.values() if m.state == "delivered")
    assert opted_out.id not in {e.tenant_id for e in exposures} and invalid.id not in {e.tenant_id for e in exposures}
    for exposure in exposures:
        message = messages[exposure.tenant_id]
        assert exposure.variant == message.variant and exposure.exposed_at == SEND_MOMENT
        # paid by the debit date (Tuesday 1 December): until midnight Amsterdam time
        assert exposure.deadline == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    dutch = {m.variant: m.body for t, m in messages.items()
             if m.state == "delivered" and next(x for x in tenants if x.id == t).language == "nl"}
    assert "samen zoeken we een oplossing" in dutch.get("kind", "samen zoeken we een oplossing")
    assert "Wilt u zorgen" in dutch.get("control", "Wilt u zorgen")
    assert all(m.body and "{{" not in m.body for m in messages.values() if m.state == "delivered")
    assert "experiment_exposed" in await event_types(runtime.db, exposures[0].tenant_id)
    assert len(await rows(runtime.db, experiment_assignments)) == 18

    await Dispatcher(runtime, "w2").run_until_idle()  # nothing more is sent, nothing more exposed
    assert len(await rows(runtime.db, experiment_exposures)) == 18


async def test_a_tenant_keeps_its_variant_for_the_life_of_the_experiment(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_experiment(runtime, wording())
    tenants = [await make_tenant() for _ in range(12)]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()
    first = {m.tenant_id: m.variant for m in await all_messages(runtime.db)}

    reshuffled = wording(seed="someone-changed-the-seed")  # the hash alone would now move tenants
    assert any(reshuffled.assign(t.external_id).name != first[t.id] for t in tenants)
    with_experiment(runtime, reshuffled)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, JANUARY)
    january = {m.tenant_id: m.variant for m in await all_messages(runtime.db) if m.period == str(JANUARY)}
    assert january == first


async def test_a_payment_by_the_deadline_converts_once_and_a_late_one_does_not(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_experiment(runtime, wording())
    a, b, c = [await make_tenant() for _ in range(3)]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()

    def paid(tenant: Any, at: datetime, period: str = "2026-12", status: PaymentStatus = PaymentStatus.PAID) -> PaymentChange:
        return PaymentChange(tenant_id=tenant.id, period=period, status=status, amount_due_cents=74550,
                             amount_paid_cents=74550, reason_code=None, source="camt", occurred_at=at)

    async with runtime.db.begin() as connection:
        await record_payment_outcome(connection, paid(a, datetime(2026, 11, 30, 8, 0, tzinfo=UTC)))
        await record_payment_outcome(connection, paid(a, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)))  # again
        await record_payment_outcome(connection, paid(b, datetime(2026, 12, 2, 8, 0, tzinfo=UTC)))  # after the debit date
        await record_payment_outcome(connection, paid(c, datetime(2026, 11, 30, 8, 0, tzinfo=UTC), period="2026-11"))
        await record_payment_outcome(connection, paid(c, datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
                                                      status=PaymentStatus.RETURNED))
    outcomes = await rows(runtime.db, experiment_outcomes)
    assert [(o.tenant_id, o.metric, o.source) for o in outcomes] == [(a.id, "paid_by_debit_date", "camt")]

    async with runtime.db.begin() as connection:
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone)
    assert sum(v.exposures for v in report.analysis.variants) == 3
    assert sum(v.conversions for v in report.analysis.variants) == 1
    opt_out, replies = report.guardrails
    assert opt_out.available and sum(n for _, n, *_ in opt_out.rows) == 3
    assert not replies.available and "not yet available" in replies.note


async def test_guardrails_count_opt_outs_and_officer_replies_after_the_message(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_experiment(runtime, wording())
    tenants = [await make_tenant() for _ in range(6)]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()
    later = SEND_MOMENT + timedelta(hours=2)
    async with runtime.db.begin() as connection:
        await tenant_store.set_opted_out(connection, tenants[0].id, later)
        await connection.execute(tasks.insert().values(
            tenant_id=tenants[1].id, kind="reply_needed", title="Antwoord", state="open", source="bot",
            dedupe_key="reply:1", data={}, created_at=later, updated_at=later))
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone)
    opt_out, replies = report.guardrails
    assert sum(events for _, _, events, *_ in opt_out.rows) == 1
    assert replies.available and sum(events for _, _, events, *_ in replies.rows) == 1


async def test_the_report_page_shows_the_figures_and_both_charts_as_png(
    runtime: Any, make_tenant: Any, fake_twilio: Any, browser: Any,
) -> None:
    with_experiment(runtime, wording())
    for _ in range(8):
        await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()
    stranger = browser()
    async with stranger.session.get(stranger.base + "/experiments", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    lead = await officer(runtime, browser, "lead@delinde.nl", role="teamlead")
    status, listing = await lead.get("/experiments")
    assert status == 200 and 'href="/experiments/pre_debit_wording"' in listing
    status, page = await lead.get("/experiments/pre_debit_wording")
    assert status == 200
    assert (await lead.get("/experiments/nope"))[0] == 404
    assert "Vriendelijke toon" in page and "Early look: 8 of the planned 1000" in page
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2
    for _alt, data in images:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 200


async def test_a_simulation_runs_through_planning_exposure_and_payments_on_the_database(
    runtime: Any,
) -> None:
    spec = simulation.Spec(tenants=400, base_rate=0.25, uplift=0.10, seed=4)
    report = await simulation.simulate(runtime.db, runtime.settings, runtime.templates, spec, JANUARY)
    exposures = await rows(runtime.db, experiment_exposures)
    outcomes = await rows(runtime.db, experiment_outcomes)
    assert len(exposures) == 400 and len({e.tenant_id for e in exposures}) == 400
    declared = simulation.experiment(spec, date(2000, 1, 1))
    async with runtime.db.begin() as connection:  # the variant of each exposure is the hash of the contract id
        pairs = (await connection.execute(
            select(tenants.c.external_id, experiment_exposures.c.variant)
            .join(tenants, tenants.c.id == experiment_exposures.c.tenant_id)
        )).all()
    assert all(declared.assign(external_id).name == variant for external_id, variant in pairs)
    [control, kind] = report.analysis.variants
    assert control.exposures + kind.exposures == 400
    assert control.conversions + kind.conversions == len(outcomes) > 0
    assert {o.source for o in outcomes} == {"simulation"}
    deadline_of = {e.id: e.deadline for e in exposures}
    assert all(o.converted_at <= deadline_of[o.exposure_id] for o in outcomes)  # late payers were not counted
    assert 0.15 < control.rate < 0.35 and 0.25 < kind.rate < 0.45  # the true rates are 25 % and 35 %
    assert not report.analysis.srm.mismatch


async def test_a_forced_split_in_the_real_path_raises_the_srm_warning(runtime: Any) -> None:
    spec = simulation.Spec(tenants=400, uplift=0.0, seed=9, actual_weights=(0.3, 0.7))
    report = await simulation.simulate(runtime.db, runtime.settings, runtime.templates, spec, JANUARY)
    assert report.analysis.srm.mismatch
    assert report.warnings()[0].startswith("Sample ratio mismatch")
