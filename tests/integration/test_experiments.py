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
from urllib.parse import unquote_plus

import pytest
from PIL import Image
from sqlalchemy import select

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.experiment_tables import (
    experiment_assignments,
    experiment_exposures,
    experiment_outcomes,
    experiment_payment_changes,
    experiment_phases,
)
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import tasks, tenants
from herinnering.domain.experiments.experiments import (
    Experiment,
    Guardrail,
    Metric,
    Status,
    Variant,
)
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.reminders.planning import Period
from herinnering.services.experiments import simulation
from herinnering.services.experiments.experiments import record_payment_outcome
from herinnering.services.experiments.report import build_report
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.helpers import all_messages, event_types, wait_for_states
from tests.integration.officer_browser import officer

DECEMBER, JANUARY = Period(2026, 12), Period(2027, 1)
SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # reminders of collection day 1 December
CLOSED = datetime(2026, 12, 12, tzinfo=UTC)  # the debit day plus the return window has passed
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

    changes = await rows(runtime.db, experiment_payment_changes)  # the timeline of exposed months only
    assert [(c.tenant_id, c.status) for c in changes] == [(a.id, "paid"), (a.id, "paid"), (b.id, "paid"),
                                                          (c.id, "returned")]
    async with runtime.db.begin() as connection:
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone, CLOSED)
        early = await build_report(connection, wording(), runtime.settings.reminders.timezone,
                                   datetime(2026, 12, 3, tzinfo=UTC))
    a_ = report.analysis
    assert sum(a_.tenants) == 3 and sum(a_.judged) == 3
    assert sum(r * n for r, n in zip(a_.rates, a_.judged, strict=True) if r is not None) == 1  # only a paid in time
    assert sum(early.analysis.judged) == 0 and early.analysis.open_months == 3  # windows open: left out, counted
    opt_out, replies = report.guardrails
    assert opt_out.available and sum(n for _, n, *_ in opt_out.rows) == 3
    assert not replies.available and "nog niet beschikbaar" in replies.note


async def test_a_returned_debit_undoes_its_conversion_and_a_month_paid_before_the_message_is_left_out(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_experiment(runtime, wording())
    returned, kept, early_payer = [await make_tenant() for _ in range(3)]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    async with runtime.db.begin() as connection:  # paid before the reminder goes
        await connection.execute(payment_periods.insert().values(
            tenant_id=early_payer.id, period="2026-12", amount_due_cents=74550, amount_paid_cents=74550,
            status="paid", source="camt", created_at=SEND_MOMENT - timedelta(days=1),
            updated_at=SEND_MOMENT - timedelta(days=1)))
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()

    def change(tenant: Any, status: PaymentStatus, at: datetime) -> PaymentChange:
        return PaymentChange(tenant_id=tenant.id, period="2026-12", status=status, amount_due_cents=74550,
                             amount_paid_cents=74550 if status is PaymentStatus.PAID else 0,
                             reason_code="AM04" if status is PaymentStatus.RETURNED else None, source="camt",
                             occurred_at=at)

    async with runtime.db.begin() as connection:
        debit = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
        await record_payment_outcome(connection, change(returned, PaymentStatus.PAID, debit))
        await record_payment_outcome(connection, change(returned, PaymentStatus.RETURNED, debit + timedelta(days=2)))
        await record_payment_outcome(connection, change(kept, PaymentStatus.PAID, debit))
        await record_payment_outcome(connection, change(early_payer, PaymentStatus.PAID, debit))
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone, CLOSED)
    a = report.analysis
    assert sum(a.tenants) == 3 and sum(a.judged) == 2 and a.already_paid_months == 1
    paid = {name: round(rate * n) for name, rate, n in zip(a.names, a.rates, a.judged, strict=True) if rate is not None}
    assert sum(paid.values()) == 1  # only `kept`: the AM04 two days later undid `returned`
    assert "already_paid" in {n.code for n in report.notes()}
    exposures = {e.tenant_id: e for e in await rows(runtime.db, experiment_exposures)}
    assert exposures[early_payer.id].paid_at_exposure and not exposures[kept.id].paid_at_exposure


async def test_changed_weights_start_a_new_phase_with_its_own_report(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_experiment(runtime, wording())
    for _ in range(6):
        await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()
    changed = replace(wording(), variants=(Variant("control", "pre_debit", 0.2), Variant("kind", "pre_debit_kind", 0.8)))
    with_experiment(runtime, changed)
    for _ in range(6):
        await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, JANUARY)
    runtime.clock.set(max(m.send_at for m in await all_messages(runtime.db)))
    await Dispatcher(runtime, "w2").run_until_idle()
    phases = await rows(runtime.db, experiment_phases)
    assert [(p.phase, [v["weight"] for v in p.definition["variants"]]) for p in phases] == [(1, [0.5, 0.5]),
                                                                                          (2, [0.2, 0.8])]
    async with runtime.db.begin() as connection:
        report = await build_report(connection, changed, runtime.settings.reminders.timezone,
                                    datetime(2027, 1, 15, tzinfo=UTC))
    first, second = report.phases
    assert sum(first.analysis.tenants) == 6  # the first six, in their first phase
    assert sum(second.analysis.tenants) == 6  # only tenants first exposed in phase 2
    assert second.analysis.srm.expected == (pytest.approx(1.2), pytest.approx(4.8))  # against phase 2's weights
    assert "phases" in {n.code for n in report.notes()}


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
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone, CLOSED)
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
    assert "Vriendelijke toon" in page and 'data-verdict="undecided"' in page and "Nog geen conclusie" in page
    assert "betaald op de incassodag" in page and "paid_by_debit_date" not in page  # words, not keys
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
    spec = simulation.Spec(tenants=400, base_rate=0.25, uplift=0.10, seed=5)
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
    a = report.analysis
    assert sum(a.tenants) == sum(a.judged) == 400 and a.open_months == 0
    assert round(sum(r * n for r, n in zip(a.rates, a.judged, strict=True))) == len(outcomes) > 0
    assert {o.source for o in outcomes} == {"simulation"}
    deadline_of = {e.id: e.deadline for e in exposures}
    assert all(o.converted_at <= deadline_of[o.exposure_id] for o in outcomes)  # late payers were not counted
    control, kind = a.rates
    assert 0.15 < control < 0.35 and 0.25 < kind < 0.45  # the true rates are 25 % and 35 %
    assert not a.srm.mismatch
    [effect] = a.effects
    assert effect.sequential_ci.low < 0.10 < effect.sequential_ci.high  # the interval covers the truth


async def test_a_forced_split_in_the_real_path_raises_the_srm_warning(runtime: Any) -> None:
    spec = simulation.Spec(tenants=400, uplift=0.0, seed=9, actual_weights=(0.3, 0.7))
    report = await simulation.simulate(runtime.db, runtime.settings, runtime.templates, spec, JANUARY)
    assert report.analysis.srm.mismatch
    assert report.notes()[0].code == "srm"
    assert all(e.verdict == "srm" for e in report.analysis.effects)  # never a verdict while SRM fails


async def test_a_team_lead_creates_starts_and_stops_an_experiment_on_screen(
    runtime: Any, make_tenant: Any, fake_twilio: Any, browser: Any,
) -> None:
    runtime.settings = replace(runtime.settings, dispatch=replace(runtime.settings.dispatch, rate_per_second=1000))
    lead = await officer(runtime, browser, "lead@delinde.nl", role="teamlead")
    anna = await officer(runtime, browser, "anna@delinde.nl", role="officer")
    status, listing = await lead.get("/experiments")
    assert status == 200 and "Nieuw experiment" in listing
    form = {"key": "vriendelijk", "title": "Vriendelijke toon", "kind": "pre_debit", "control_template": "pre_debit",
            "variant": "kind", "variant_template": "pre_debit_kind", "weight": "50", "start": "2026-11-01",
            "planned_sample_size": "400"}
    assert (await anna.get("/experiments"))[0] == 200
    assert (await anna.post("/experiments", **form))[0] == 403  # officers read, team leads decide
    status, location = await lead.post("/experiments", **{**form, "key": "Bad Key"})
    assert status == 303 and "fout=" in location and "experiments.Bad+Key" in location
    status, location = await lead.post("/experiments", **form)
    assert status == 303 and "aangemaakt" in unquote_plus(location)
    assert "concept" in (await lead.get("/experiments"))[1]
    status, location = await lead.post("/experiments", **{**form, "key": "tweede", "variant": "kort"})
    assert "aangemaakt" in unquote_plus(location)  # a draft overlaps nothing

    for _ in range(4):
        await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    assert {m.variant for m in await all_messages(runtime.db)} == {"default"}  # a draft assigns nothing
    assert "gestart" in unquote_plus((await lead.post("/experiments/vriendelijk/start"))[1])
    refused = unquote_plus((await lead.post("/experiments/tweede/start"))[1])  # same kind, same time
    assert "overlaps experiments.vriendelijk on kind 'pre_debit'" in refused
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, JANUARY)
    january = [m for m in await all_messages(runtime.db) if m.period == str(JANUARY)]
    assert {m.variant for m in january} <= {"control", "kind"} and len(january) == 4
    runtime.clock.set(max(m.send_at for m in january))
    await Dispatcher(runtime, "w1").run_until_idle()
    assert len(await rows(runtime.db, experiment_exposures)) == 4  # exposures of a screen experiment
    assert await lead.log_in("lead@delinde.nl") == 303  # a month later: the session has expired
    status, page = await lead.get("/experiments/vriendelijk")
    assert status == 200 and "Nog geen conclusie" in page
    assert "gestopt" in unquote_plus((await lead.post("/experiments/vriendelijk/stop"))[1])
    assert "kan niet" in unquote_plus((await lead.post("/experiments/vriendelijk/stop"))[1])


async def test_a_removed_variant_stays_visible_in_its_phase_and_its_tenants_are_named_when_moved(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    three = replace(wording(), variants=(Variant("control", "pre_debit", 0.34), Variant("kind", "pre_debit_kind", 0.33),
                                         Variant("short", "pre_debit", 0.33)))
    with_experiment(runtime, three)
    tenants = [await make_tenant() for _ in range(12)]
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").run_until_idle()
    short = {m.tenant_id for m in await all_messages(runtime.db) if m.variant == "short"}
    assert short  # some tenants saw the variant that is removed next
    with_experiment(runtime, wording())  # "short" removed: a new phase
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, JANUARY)
    runtime.clock.set(max(m.send_at for m in await all_messages(runtime.db)))
    await Dispatcher(runtime, "w2").run_until_idle()
    async with runtime.db.begin() as connection:
        report = await build_report(connection, wording(), runtime.settings.reminders.timezone,
                                    datetime(2027, 1, 20, tzinfo=UTC))
    first, second = report.phases
    assert [v.name for v in first.variants] == ["control", "kind", "short"] and first.removed == ("short",)
    assert first.analysis.tenants[2] == len(short) and sum(first.analysis.tenants) == len(tenants)
    assert sum(second.analysis.tenants) == 0  # nobody was first exposed in phase 2
    mixed = next(n for n in report.notes() if n.code == "mixed")
    assert mixed.values["tenants"] == len(short)  # moved from "short" to another variant
