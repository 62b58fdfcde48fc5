"""Which of our events the ERP and the bank must hear about, and in what shape.

Herinnering is not the system of record: the ERP keeps the lease and the bank keeps the mandate.
A change made here (a tenant picks another collection day on "mijn huur", an officer records an
arrangement or a call) must reach them, or the next import overwrites it and the bank debits the
old day. The event log already records every such change in the same transaction as the change
itself, so the feed is the event log seen through this table: an event type listed here becomes a
change of `kind` carrying only the fields named, never anything else the event holds.

Free text (an officer's note, a pause reason, a call summary) leaves only when the corporation
has agreed it with the ERP's owner (`[changes] include_notes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Shape:
    kind: str                          # the change's kind in the feed (documented in the OpenAPI contract)
    fields: tuple[str, ...]            # event fields copied as they are
    notes: tuple[str, ...] = ()        # free-text fields, copied only with include_notes
    renamed: tuple[tuple[str, str], ...] = ()  # (event field, feed field)


SHAPES: dict[str, Shape] = {
    "collection_day_changed": Shape("collection_day_changed", ("old_day", "new_day", "source"),
                                    renamed=(("effective_period", "applies_from"), ("change_id", "day_change_id"))),
    "collection_day_reversed": Shape("collection_day_reversed", (), renamed=(("change_id", "day_change_id"),)),
    "arrangement_made": Shape("arrangement_made", ("arrangement_id", "total_cents", "count", "first", "every",
                                                   "periods")),
    "arrangement_completed": Shape("arrangement_completed", ("arrangement_id",)),
    "arrangement_cancelled": Shape("arrangement_cancelled", ("arrangement_id",), notes=("reason",)),
    "tenant_paused": Shape("pause_started", ("until",), notes=("reason",)),
    "paused": Shape("pause_started", ("until",)),
    "tenant_resumed": Shape("pause_ended", ()),
    "pause_lifted": Shape("pause_ended", ()),
    "objection_recorded": Shape("objection_recorded", ("channel",)),
    "contract_ended": Shape("contract_ended", ("on",)),
    "contract_reopened": Shape("contract_reopened", ()),
    "payment_method_changed": Shape("payment_method_changed", ("old", "new", "source")),
    "tenant_opted_out": Shape("opted_out", ("source",)),
    "tenant_opted_in": Shape("opted_in", ("source",)),
    "call_recorded": Shape("call_recorded", ("outcome", "mvi_step", "task_id"), notes=("note",)),
    "officer_note": Shape("note_added", (), notes=("note",)),
    "payment_matched_by_signs": Shape("payment_matched", ("source_key", "period", "amount_cents", "confidence",
                                                          "reasons")),
    "payment_match_undone": Shape("payment_match_undone", ("transaction_id", "period", "amount_cents")),
}

KINDS: tuple[str, ...] = tuple(dict.fromkeys(shape.kind for shape in SHAPES.values()))


def change_data(event_type: str, data: Mapping[str, Any], include_notes: bool) -> dict[str, Any] | None:
    """The feed's payload for one event, or None when the ERP need not hear of it."""
    shape = SHAPES.get(event_type)
    if shape is None:
        return None
    payload = {key: data[key] for key in shape.fields if key in data}
    payload.update({new: data[old] for old, new in shape.renamed if old in data})
    if include_notes:
        payload.update({key: data[key] for key in shape.notes if key in data})
    elif shape.kind == "note_added":
        return None  # a note is nothing but its text
    return payload


def kept_fields(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """What of the event the feed keeps: every field it may ever serve, notes included (whether a
    note leaves is decided when it is served, so changing `include_notes` needs no new feed)."""
    shape = SHAPES[event_type]
    wanted = {*shape.fields, *shape.notes, *(old for old, _ in shape.renamed)}
    return {key: value for key, value in data.items() if key in wanted}


def kind_of(event_type: str) -> str | None:
    shape = SHAPES.get(event_type)
    return shape.kind if shape else None
