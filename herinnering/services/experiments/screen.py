"""Use cases behind the experiments pages and the `experiment` commands: the list (from the
configuration and made on screen), making and starting or stopping a screen experiment, and one
experiment's report; each opens its own transaction."""

from __future__ import annotations

from datetime import datetime

from herinnering.domain.experiments.experiments import Experiment
from herinnering.errors import NotFound
from herinnering.runtime import Runtime
from herinnering.services.experiments import admin as experiment_admin
from herinnering.services.experiments import experiments as service
from herinnering.services.experiments.report import ExperimentReport, build_report
from herinnering.services.experiments.segments import SegmentRow, by_segment


async def listing(runtime: Runtime) -> tuple[dict[str, int], tuple[Experiment, ...]]:
    """Exposures per experiment key, and the experiments made on screen."""
    async with runtime.db.begin() as connection:
        return await service.exposure_counts(connection), await experiment_admin.managed(connection)


async def create(runtime: Runtime, form: dict[str, str]) -> Experiment:
    """A draft made on screen; raises `experiment_admin.ScreenError` with the reason in Dutch."""
    async with runtime.db.begin() as connection:
        return await experiment_admin.create(connection, runtime.settings, form, runtime.clock.now())


async def set_status(runtime: Runtime, key: str, action: str) -> Experiment:
    """Start or stop a screen experiment; raises `experiment_admin.ScreenError`."""
    async with runtime.db.begin() as connection:
        return await experiment_admin.set_status(connection, runtime.settings, key, action)


async def report(runtime: Runtime, key: str, now: datetime) -> tuple[Experiment, ExperimentReport] | None:
    """The experiment and its report as of `now`; None when no experiment has this key."""
    async with runtime.db.begin() as connection:
        known = await experiment_admin.all_experiments(connection, runtime.settings)
    experiment = next((e for e in known if e.key == key), None)
    if experiment is None:
        return None
    async with runtime.db.begin() as connection:
        return experiment, await build_report(connection, experiment, runtime.settings.reminders.timezone, now)


async def catalogue(runtime: Runtime) -> tuple[dict[str, int], tuple[Experiment, ...]]:
    """Exposures per experiment key, and every experiment: configured and made on screen."""
    async with runtime.db.begin() as connection:
        return await service.exposure_counts(connection), await experiment_admin.all_experiments(connection,
                                                                                                  runtime.settings)


async def report_by_key(runtime: Runtime, key: str, now: datetime, *,
                        per_segment: bool) -> tuple[ExperimentReport, list[SegmentRow] | None]:
    """One experiment's report, and (with `per_segment`) its rows per tenant segment; NotFound
    names the experiments there are."""
    async with runtime.db.begin() as connection:
        known = await experiment_admin.all_experiments(connection, runtime.settings)
        experiment = next((e for e in known if e.key == key), None)
        if experiment is None:
            names = ", ".join(e.key for e in known) or "none configured"
            raise NotFound(f"no experiment {key!r} in the configuration or made on screen (known: {names})")
        timezone = runtime.settings.reminders.timezone
        report = await build_report(connection, experiment, timezone, now)
        return report, await by_segment(connection, experiment, timezone) if per_segment else None
