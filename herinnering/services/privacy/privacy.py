"""Use cases of the tenant's privacy rights: access (export) and storage limitation (purge).

`export_tenant` gives every row that belongs to a tenant, from every table (found through
the foreign keys, `adapters/db/tenant_data.py`). `purge` removes the data of tenants whose
contract ended, each kind after its own term (domain/privacy/retention.py): first their messages with
bodies, threads, payments, links, tasks, arrangements and assignments; the proof of the
early-warning steps and letters and the WhatsApp consents later, with the tenant row — each
after adding it to anonymous counts (`retention_aggregates`: per month, kind, channel and
state, no tenant id). Export files in `[privacy] exports_dir` go after their days. The audit log
keeps what officers did, without the link to the tenant. Conversations with numbers that
belong to no tenant go after the same period of silence. Each run is one transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from herinnering.adapters import twilio_media
from herinnering.adapters.db import (
    AsyncConnection,
    retention_store,
    tenant_data,
    tenant_store,
    thread_store,
)
from herinnering.adapters.db import events as event_log
from herinnering.config import PrivacySettings
from herinnering.domain.privacy.retention import KINDS, Terms, cutoff
from herinnering.errors import UnknownTenant
from herinnering.runtime import Runtime
from herinnering.services.payments import statement

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


@dataclass(frozen=True)
class PurgeReport:
    cutoff: date
    tenants: int
    rows: dict[str, int] = field(default_factory=dict)
    aggregates: int = 0
    dry_run: bool = False
    kept_for_proof: int = 0   # tenants whose messages went but whose proof or consent is still in its term
    kept: dict[str, int] = field(default_factory=dict)  # per kind of data (retention.KINDS): tenants still kept
    exports: int = 0          # export files removed from [privacy] exports_dir


async def _tenant(connection: AsyncConnection, key: str) -> Any:
    row = await retention_store.tenant_by_key(connection, key)
    if row is None:
        raise UnknownTenant(f"no tenant with id or contract id {key!r}")
    return row


async def export_tenant(runtime: Runtime, key: str) -> dict[str, Any]:
    """Everything stored about one tenant (by database id or contract id), ready for json.dumps."""
    async with runtime.db.begin() as connection:
        tenant = await _tenant(connection, key)
        tables = await tenant_data.export_rows(connection, tenant.id)
        today = runtime.clock.now().astimezone(runtime.settings.reminders.timezone).date()
        account = await statement.statement_of(connection, tenant, today)
    log.info("exported the data of tenant %s", tenant.external_id)
    return {
        "format": FORMAT_VERSION,
        "exported_at": runtime.clock.now().isoformat(),
        "tenant": tables.pop("tenants")[0],
        "statement": statement.as_data(account),  # the account statement, as the tenant's page shows it
        "tables": tables,
    }


async def end_contract(runtime: Runtime, key: str, on: date | None) -> int:
    """Record the lease's last day (None: it has not ended); returns the tenant's id.

    A day still to come keeps the tenant active: reminders for debit dates up to that day go
    out, later ones are cancelled and never planned. A day that has passed ends it at once."""
    now = runtime.clock.now()
    today = now.astimezone(runtime.settings.reminders.timezone).date()
    async with runtime.db.begin() as connection:
        tenant = await _tenant(connection, key)
        await retention_store.set_contract_end(connection, tenant.id, on, on is None or on >= today, now)
        await tenant_store.cancel_stale_reminders(connection, [tenant.id], now)
        data: dict[str, Any] = {"on": on.isoformat()} if on else {}
        await event_log.append(connection, [event_log.event(
            tenant.id, "contract_ended" if on else "contract_reopened", now, **data)])
    return int(tenant.id)


def _month(moment: datetime | date | None) -> str:
    return f"{moment:%Y-%m}" if moment is not None else "unknown"


async def _aggregate(connection: AsyncConnection, ids: list[int],
                     removed: list[int]) -> Counter[tuple[str, str, str, str, str]]:
    """Counts of the messages and payments of `ids` (they go now) and of the tenants `removed`
    entirely; a tenant kept for proof is counted once, when it goes."""
    counts: Counter[tuple[str, str, str, str, str]] = Counter()
    for row in await retention_store.messages_to_count(connection, ids):
        counts[(_month(row.send_at), "messages", row.kind, row.channel, row.state)] += 1
    for row in await retention_store.periods_to_count(connection, ids):
        counts[(row.period, "payment_periods", "rent", "-", row.status)] += 1
    for row in await retention_store.tenants_to_count(connection, removed):
        counts[(_month(row.contract_ended_on), "tenants", "contract_ended", row.channel, row.language)] += 1
    return counts


def _purge_exports(settings: PrivacySettings, now: datetime) -> int:
    """Remove the files in `exports_dir` older than their term; returns how many."""
    if not settings.exports_dir:
        return 0
    oldest = now.timestamp() - settings.export_retention_days * 86_400
    gone = 0
    for path in Path(settings.exports_dir).iterdir():
        if path.is_file() and path.stat().st_mtime < oldest:
            path.unlink()
            gone += 1
    return gone


async def purge(runtime: Runtime, months: int | None = None, *, dry_run: bool = False) -> PurgeReport:
    """Remove each kind of data of ended contracts after its own term (`[privacy]`; `months`
    overrides the message term): message bodies and logs first, the proof of the early-warning
    steps and letters and the WhatsApp consents later; the tenant row goes with the last of them.
    Anonymous counts are kept."""
    privacy = runtime.settings.privacy
    messages_months = months or privacy.retention_months
    terms = Terms(messages_months, max(messages_months, privacy.proof_retention_months),
                  max(messages_months, privacy.consent_retention_months),
                  max(messages_months, privacy.administration_retention_months))
    zone = runtime.settings.reminders.timezone
    now = runtime.clock.now()
    today = now.astimezone(zone).date()
    before = cutoff(today, terms.messages)
    async with runtime.db.begin() as connection:
        ids = await retention_store.ended_before(connection, before)
        due = {kind: set(await retention_store.ended_before(connection, cutoff(today, terms.months(kind)))) for kind in KINDS}
        kept: set[int] = set()
        kept_by_kind: dict[str, int] = {}
        for kind, names in KINDS.items():
            holding = await tenant_data.holding(connection, [i for i in ids if i not in due[kind]], names)
            kept |= holding
            if holding:
                kept_by_kind[kind] = len(holding)
        whole = [i for i in ids if i not in kept]
        counts = await _aggregate(connection, ids, whole) if ids else Counter()
        if dry_run:
            return PurgeReport(cutoff=before, tenants=len(whole), aggregates=len(counts), dry_run=True,
                               kept_for_proof=len(kept), kept=kept_by_kind)
        await retention_store.add_counts(connection, counts)
        attachments = await thread_store.media_urls(connection, ids)
        removed: dict[str, int] = {}

        def add(rows: dict[str, int]) -> None:
            for table, n in rows.items():
                removed[table] = removed.get(table, 0) + n

        everything_kept = frozenset().union(*KINDS.values())
        add(await tenant_data.delete_except(connection, ids, everything_kept))  # message bodies and logs
        # the payment data of a tenant kept for proof goes with the payments: IBAN and SEPA mandate
        # (name, address, municipality and e-mail stay with the proof: the letters and the Wgs signal hold them)
        await retention_store.clear_payment_data(connection, sorted(set(ids) - set(whole)), now)
        for kind, names in KINDS.items():
            add(await tenant_data.delete_except(connection, sorted(due[kind] & set(ids)), everything_kept - names))
        add(await tenant_data.delete_rows(connection, whole) if whole else {})
        # conversations with numbers of no tenant have no contract: the same period from their last message
        add(await tenant_data.delete_unknown_numbers(connection, datetime.combine(before, time(), zone)))
        kept_media = await thread_store.media_kept(connection, list(attachments))
    await _delete_at_provider(runtime, [url for media_id, url in attachments.items() if media_id not in kept_media])
    exports = _purge_exports(privacy, now)
    log.info("purged %d tenants whose contract ended before %s; %d kept for proof", len(whole), before, len(kept))
    return PurgeReport(cutoff=before, tenants=len(whole), rows=removed, aggregates=len(counts),
                       kept_for_proof=len(kept), kept=kept_by_kind, exports=exports)


async def _delete_at_provider(runtime: Runtime, urls: list[str]) -> None:
    """Attachments whose messages were purged are deleted where Twilio keeps them too; one that
    cannot be deleted now is logged (without its address), the purge stands."""
    failed = 0
    for url in urls:
        if not await twilio_media.delete(runtime.settings.twilio, url):
            failed += 1
    if failed:
        log.warning("%d of %d purged attachments could not be deleted at the provider; delete them in "
                    "Twilio's console", failed, len(urls))


async def aggregates(runtime: Runtime) -> list[Any]:
    async with runtime.db.begin() as connection:
        return await retention_store.aggregates(connection)
