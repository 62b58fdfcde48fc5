"""Message states and the one table of moves between them.

    planned ──claim──▶ sending ──accepted──▶ sent ──▶ delivered
       │  ▲               │                    │
       │  └─retry later───┤                    └──▶ failed  (undelivered at the carrier)
       ▼                  ├──rejected─────────────▶ failed
    cancelled             └──provider callback───▶ delivered / failed (it may overtake us)

Provider callbacks arrive out of order and more than once, so a state is applied only when
the table allows the move; anything else is a no-op, never a step backwards.
"""

from __future__ import annotations

from enum import StrEnum


class MessageState(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


S = MessageState

ALLOWED: dict[MessageState, frozenset[MessageState]] = {
    S.PLANNED: frozenset({S.SENDING, S.CANCELLED}),
    S.SENDING: frozenset({S.PLANNED, S.SENT, S.DELIVERED, S.FAILED, S.CANCELLED}),
    S.SENT: frozenset({S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

FINAL = frozenset(state for state, moves in ALLOWED.items() if not moves)


def can_move(current: MessageState | str, target: MessageState | str) -> bool:
    return MessageState(target) in ALLOWED[MessageState(current)]


def sources_of(target: MessageState | str) -> frozenset[MessageState]:
    """Every state from which `target` may be reached: the WHERE clause of a guarded update."""
    return frozenset(state for state, moves in ALLOWED.items() if MessageState(target) in moves)


# Twilio's message statuses, as they arrive in status callbacks, mapped onto ours.
PROVIDER_STATUS: dict[str, MessageState] = {
    "accepted": S.SENT,
    "scheduled": S.SENT,
    "queued": S.SENT,
    "sending": S.SENT,
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.DELIVERED,
    "undelivered": S.FAILED,
    "failed": S.FAILED,
    "canceled": S.FAILED,
}
