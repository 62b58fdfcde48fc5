"""Experiments a team lead creates, starts and stops on screen (beside those in the config file).

A screen experiment is a row of `experiments` whose definition holds `managed: true`, its
status and the same table a `[experiments.<key>]` section would hold; it is validated by the
same rules (`domain.experiments.parse_one`) and checked against every other experiment (no
shared seed, no overlap on a message kind outside one namespace). Configured experiments stay
governed by the file: the screen cannot start or stop them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, experiment_store
from herinnering.config import Settings
from herinnering.domain.experiments.experiments import Experiment, Status, check_together, parse_one
from herinnering.errors import ConfigError, ScreenError

__all__ = ["ScreenError", "all_experiments", "create", "managed", "set_status"]

MOVES = {"start": (Status.DRAFT, Status.RUNNING), "stop": (Status.RUNNING, Status.STOPPED)}


def _from_row(key: str, definition: dict[str, Any]) -> Experiment:
    table = dict(definition["table"])
    table["status"] = definition["status"]
    return parse_one(key, table)


async def managed(connection: AsyncConnection) -> tuple[Experiment, ...]:
    """The experiments made on screen (any status)."""
    found = []
    for row in await experiment_store.definitions(connection):
        if isinstance(row.definition, dict) and row.definition.get("managed"):
            found.append(_from_row(row.key, row.definition))
    return tuple(found)


async def all_experiments(connection: AsyncConnection, settings: Settings) -> tuple[Experiment, ...]:
    return tuple(settings.experiments) + await managed(connection)


def _table(form: dict[str, str]) -> dict[str, Any]:
    def day(name: str) -> date | None:
        text = form.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ScreenError(f"{name}: {text!r} is geen datum (jjjj-mm-dd)") from None

    try:
        share = float(form.get("weight", "50").replace(",", ".")) / 100
        planned = int(form.get("planned_sample_size", "0") or 0)
    except ValueError:
        raise ScreenError("aandeel en geplande omvang moeten getallen zijn") from None
    table: dict[str, Any] = {
        "title": form.get("title", "").strip(), "kind": form.get("kind", "").strip(), "start": day("start"),
        "variants": {"control": {"template": form.get("control_template", "").strip(), "weight": round(1 - share, 4)},
                     form.get("variant", "").strip() or "variant": {"template": form.get("variant_template", "").strip(),
                                                                    "weight": round(share, 4)}},
        "control": "control", "planned_sample_size": planned,
    }
    if (stop := day("stop")) is not None:
        table["stop"] = stop
    return table


def _json(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in table.items()}


async def create(connection: AsyncConnection, settings: Settings, form: dict[str, str], now: datetime) -> Experiment:
    """A new screen experiment as a draft; refused with the reason when invalid or in conflict."""
    key = form.get("key", "").strip()
    table = _table(form)
    try:
        experiment = parse_one(key, {**table, "status": "draft"})
        known = await all_experiments(connection, settings)
        if any(e.key == key for e in known) or await experiment_store.exists(connection, key):
            raise ScreenError(f"er bestaat al een experiment met de sleutel {key!r}")
        check_together((*known, experiment))
    except ConfigError as error:
        raise ScreenError(str(error)) from None
    await experiment_store.insert(connection, key, experiment.kind,
                                  {"managed": True, "status": "draft", "table": _json(table)}, now)
    return experiment


async def set_status(connection: AsyncConnection, settings: Settings, key: str, action: str) -> Experiment:
    """Start a draft or stop a running screen experiment (the rules between experiments hold)."""
    if action not in MOVES:
        raise ScreenError(f"onbekende actie {action!r}")
    if any(e.key == key for e in settings.experiments):
        raise ScreenError("dit experiment staat in het configuratiebestand; wijzig het daar")
    row = await experiment_store.lock(connection, key)
    if row is None or not row.definition.get("managed"):
        raise ScreenError(f"geen experiment {key!r} dat op het scherm beheerd wordt")
    before, after = MOVES[action]
    if row.definition["status"] != before.value:
        raise ScreenError(f"kan niet: het experiment is {row.definition['status']}, niet {before.value}")
    definition = {**row.definition, "status": after.value}
    changed = _from_row(key, definition)
    others = tuple(e for e in await all_experiments(connection, settings) if e.key != key)
    try:
        check_together((*others, changed))
    except ConfigError as error:
        raise ScreenError(str(error)) from None
    await experiment_store.set_definition(connection, row.id, definition)
    return changed
