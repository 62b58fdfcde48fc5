"""Queries on the tenant's WhatsApp columns: the 24-hour window, the opt-in and the channel
the tenant chose. Each change that concerns consent is also an event on the tenant's timeline
(with its source), so the record shows who agreed to what, when and how."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.consent_tables import whatsapp_consents
from herinnering.adapters.db.tables import tenants


async def note_inbound(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    """The tenant wrote to us on WhatsApp: the customer-service window runs 24 hours from now."""
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(whatsapp_last_inbound_at=now))


async def record_opt_in(connection: AsyncConnection, tenant_id: int, now: datetime, source: str,
                        consent: Mapping[str, Any] | None = None) -> bool:
    """Record a WhatsApp opt-in once (the first one keeps its date and source), with its consent
    record (business name, text agreed to, language: services/conversations/whatsapp_consent.py)."""
    result = await connection.execute(
        update(tenants).where(tenants.c.id == tenant_id, tenants.c.whatsapp_opt_in_at.is_(None))
        .values(whatsapp_opt_in_at=now, whatsapp_opt_in_source=source, updated_at=now)
    )
    if result.rowcount != 1:
        return False
    await event_log.append(connection, [event_log.event(tenant_id, "whatsapp_opted_in", now, source=source)])
    if consent is not None:
        await connection.execute(whatsapp_consents.insert().values(
            tenant_id=tenant_id, channel="whatsapp", agreed_at=now, source=source[:64], **consent))
    return True


async def set_preference(connection: AsyncConnection, tenant_id: int, channel: str, now: datetime, source: str) -> None:
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(
        channel_preference=channel, channel_preference_at=now, updated_at=now))
    await event_log.append(connection, [event_log.event(tenant_id, "channel_preference_set", now, channel=channel,
                                                        source=source)])
