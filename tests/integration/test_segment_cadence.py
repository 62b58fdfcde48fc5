"""Segments steer the pre-debit cadence ([segments.cadence]) on SQLite and PostgreSQL: segment 4
gets an extra earlier reminder, a segment-0 tenant who opted out gets none, others are unchanged,
and planning again creates nothing new. Experiments are reported per segment at exposure time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from herinnering.adapters.db.experiment_tables import experiment_exposures, experiment_outcomes
from herinnering.adapters.db.tables import messages
from herinnering.adapters.db.tenant_tables import tenant_segments
from herinnering.cli import main
from herinnering.config import settings_with
from herinnering.domain.experiments.experiments import parse_experiments
from herinnering.domain.reminders.planning import Period, in_send_window
from herinnering.domain.tenants.segments import Segment
from herinnering.errors import ConfigError
from herinnering.services.experiments.segments import SegmentRow, by_segment
from herinnering.services.reminders.cadence import OptOutRefused, set_pre_debit_opt_out
from herinnering.services.reminders.planning import plan_month
from tests.integration.tenant_centred_helpers import rows

DECEMBER = Period(2026, 12)  # the clock: Friday 27 November 2026; collection day 15 → debit Tue 15 Dec


async def in_segment(runtime: Any, tenant: Any, segment: Segment) -> None:
    async with runtime.db.begin() as connection:
        await connection.execute(tenant_segments.insert().values(
            tenant_id=tenant.id, day=date(2026, 11, 27), segment=int(segment), reason="fixture"))


async def test_segment_cadence_extra_reminder_and_own_opt_out(runtime: Any, make_tenant: Any) -> None:
    many, on_time_out, on_time, some, unknown = [await make_tenant(collection_day=15) for _ in range(5)]
    for tenant, segment in ((many, Segment.MANY_REMINDERS), (on_time_out, Segment.ON_TIME),
                            (on_time, Segment.ON_TIME), (some, Segment.SOME_REMINDERS)):
        await in_segment(runtime, tenant, segment)
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await set_pre_debit_opt_out(connection, runtime.settings, on_time_out.id, on=True, source="officer", now=now)
        with pytest.raises(OptOutRefused):  # only the configured segments may opt out
            await set_pre_debit_opt_out(connection, runtime.settings, some.id, on=True, source="keyword", now=now)

    report = await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    assert (report.planned, report.created, report.extra) == (4, 4, 1)
    planned = await rows(runtime.db, messages, messages.c.kind == "pre_debit")
    per_tenant: dict[int, list[Any]] = {}
    for message in planned:
        per_tenant.setdefault(message.tenant_id, []).append(message)
    assert sorted(per_tenant) == sorted([many.id, on_time.id, some.id, unknown.id])  # none for the opt-out

    rules = runtime.settings.reminders.planning_rules()
    early, normal = sorted(per_tenant[many.id], key=lambda m: m.send_at)
    assert early.idempotency_key.startswith("pre_debit_early:") and normal.idempotency_key.startswith("pre_debit:")
    assert early.debit_date == normal.debit_date == date(2026, 12, 15)
    assert (normal.send_at.date() - early.send_at.date()).days == 7  # the default extra_lead_days of segment 4
    for message in (early, normal):
        assert in_send_window(message.send_at, rules) and message.send_at < message.not_after
    others = [per_tenant[t.id] for t in (on_time, some, unknown)]
    assert all(len(m) == 1 and m[0].send_at == normal.send_at for m in others)  # unchanged

    again = await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    assert (again.created, again.extra) == (0, 0)
    assert len(await rows(runtime.db, messages, messages.c.kind == "pre_debit")) == len(planned)

    # turning the opt-out off again (the tenant's choice) brings the reminder back
    async with runtime.db.begin() as connection:
        await set_pre_debit_opt_out(connection, runtime.settings, on_time_out.id, on=False, source="keyword", now=now)
    assert (await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)).created == 1


def test_cadence_configuration_is_checked() -> None:
    parsed = settings_with({"segments": {"cadence": {"0": {"pre_debit_opt_out": True},
                                                     "4": {"extra_lead_days": 5}}}}).segments
    assert parsed.opt_out_segments == {0} and dict(parsed.extra_lead_days) == {4: 5}
    assert settings_with({"segments": {"cadence": {}}}).segments.extra_lead_days == {}
    for wrong in ({"cadence": {"7": {}}}, {"cadence": {"4": {"extra_lead_days": 40}}},
                  {"cadence": {"0": {"pre_debit": "yes"}}}, {"other": 1}):
        with pytest.raises(ConfigError):
            settings_with({"segments": wrong})


async def test_experiment_report_per_segment_counts_the_segment_at_exposure_time(
    runtime: Any, make_tenant: Any,
) -> None:
    [experiment] = parse_experiments({"wording": {
        "title": "t", "kind": "pre_debit", "status": "running", "start": date(2026, 11, 1),
        "variants": {"control": {"template": "pre_debit", "weight": 0.5},
                     "kind": {"template": "pre_debit_kind", "weight": 0.5}}}})
    many, on_time, unknown = [await make_tenant(collection_day=15) for _ in range(3)]
    await in_segment(runtime, many, Segment.MANY_REMINDERS)
    await in_segment(runtime, on_time, Segment.ON_TIME)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    at = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    async with runtime.db.begin() as connection:
        # after the exposure the first tenant moves to segment 3: the report keeps segment 4
        await connection.execute(tenant_segments.insert().values(
            tenant_id=many.id, day=date(2026, 12, 20), segment=3, reason="later"))
        for n, (tenant, variant, paid) in enumerate(((many, "kind", True), (on_time, "control", False),
                                                      (unknown, "control", True))):
            [message] = (await connection.execute(messages.select().where(
                messages.c.tenant_id == tenant.id, messages.c.idempotency_key.startswith("pre_debit:")))).all()
            exposure = (await connection.execute(experiment_exposures.insert().values(
                experiment_key="wording", variant=variant, tenant_id=tenant.id, message_id=message.id,
                period="2026-12", metric="paid_by_debit_date", exposed_at=at + timedelta(minutes=n),
                deadline=at + timedelta(days=3)).returning(experiment_exposures.c.id))).scalar_one()
            if paid:
                await connection.execute(experiment_outcomes.insert().values(
                    exposure_id=exposure, experiment_key="wording", variant=variant, tenant_id=tenant.id,
                    metric="paid_by_debit_date", converted_at=at + timedelta(days=1), source="api"))
        found = await by_segment(connection, experiment, runtime.settings.reminders.timezone)
    assert found == [SegmentRow(0, "control", 1, 0), SegmentRow(4, "kind", 1, 1), SegmentRow(None, "control", 1, 1)]


def test_experiment_report_by_segment_on_the_command_line(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("HERINNERING_CONFIG", "HERINNERING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "herinnering.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "h.db"}"\n'
                      '[experiments.wording]\ntitle = "t"\nkind = "pre_debit"\nstatus = "running"\n'
                      'start = 2027-01-01\n[experiments.wording.variants]\n'
                      'control = { template = "pre_debit", weight = 0.5 }\n'
                      'kind = { template = "pre_debit_kind", weight = 0.5 }\n')
    assert main(["--config", str(config), "experiment", "report", "wording", "--by-segment"]) == 0
    out = capsys.readouterr().out
    assert "Per segment" in out and "No exposures yet." in out


def test_an_officer_cannot_opt_out_a_tenant_outside_the_allowed_segments(tmp_path: Any) -> None:
    from herinnering.resources import config_dir
    from tests.integration.test_cli import herinnering

    assert herinnering("import", str(config_dir() / "sample-tenants.csv"), cwd=tmp_path).returncode == 0
    assert herinnering("segments", cwd=tmp_path).returncode == 0  # just imported: segment 1, new tenants
    refused = herinnering("pre-debit-opt-out", "--tenant", "HC-100101", cwd=tmp_path)
    assert refused.returncode == 2 and "allowed only in segment(s) 0" in refused.stderr
    assert herinnering("pre-debit-opt-out", "--tenant", "HC-100101", "--undo", cwd=tmp_path).returncode == 0
