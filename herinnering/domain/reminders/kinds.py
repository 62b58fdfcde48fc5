"""Kinds of outgoing message and the rules each one follows.

A reminder waits for the send window, stops for the pauzeknop and never reaches someone who
said STOP. A reply to a tenant who just wrote to us may go out at once, and the confirmation
of a STOP goes out even though the tenant has opted out — it is the last message they get.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindPolicy:
    respect_window: bool = True
    respect_pause: bool = True
    respect_opt_out: bool = True


REMINDER = KindPolicy()
REPLY = KindPolicy(respect_window=False, respect_pause=False)

POLICIES: dict[str, KindPolicy] = {
    "pre_debit": REMINDER,
    "pre_due": REMINDER,  # the same reminder for tenants who pay by transfer (domain/payments/methods.py)
    "bot_reply": REPLY,
    "officer_reply": REPLY,
    "stop_confirmation": KindPolicy(respect_window=False, respect_pause=False, respect_opt_out=False),
    "day_change_confirmation": KindPolicy(respect_pause=False),  # the tenant's own act: in the window, even paused
}


def policy(kind: str) -> KindPolicy:
    """Unknown kinds are treated as reminders: the cautious choice."""
    return POLICIES.get(kind, REMINDER)


def kinds_outside_window() -> frozenset[str]:
    """Kinds that may be sent outside the send window."""
    return frozenset(kind for kind, rules in POLICIES.items() if not rules.respect_window)
