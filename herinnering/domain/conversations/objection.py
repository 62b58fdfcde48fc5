"""What a conversation tells the legal steps: the tenant objects to their data going to the municipality.

The keyword bot (BEZWAAR) and an officer in the inbox publish a `TenantObjected`
(`bootstrap.publish_objection`); the early-warning gate subscribes and records it on every open
case, so no Wgs signal goes out for them (issue 11). Conversations need nothing of the legal
steps to tell them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TenantObjected:
    tenant_id: int
    channel: str        # sms, whatsapp, phone, desk, … as the objection came in
    text: str           # what the tenant said (kept with the MVI step, never in an event)
    by: str             # "tenant", or the officer who wrote it down
    key: str            # makes it once: the inbound MessageSid, or the inbox action
    occurred_at: datetime
