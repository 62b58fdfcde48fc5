"""What the tenant's payment page says besides the amount: in which language, which month the
link pays, what else is still open (other months, their total) and any collection costs that
are due — so the page says plainly what the amount covers. A link pays one month; the page
never pretends it settles everything.

When the month is to be debited again (a re-collection after a returned debit, announced to
the tenant), the page says so and on which day: paying now as well would collect it twice.
Once the month is in the re-collection file its links are cancelled (`returns.export_in`) and
the page says why instead of "replaced".

It also decides whether the done page may link back to the tenant's "mijn huur" page: only
with a page token the tenant brought along (they came from that page), and only when that
token opens the same tenant's page. A payment link forwarded to someone who pays for the
tenant opens no statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from herinnering.adapters.db import (
    AsyncConnection,
    statement_store,
    tenant_store,
)
from herinnering.adapters.payment_providers.sandbox import tenant_chose
from herinnering.config import Settings
from herinnering.runtime import Runtime
from herinnering.services.payments import balance, returns
from herinnering.services.payments.links import PaymentLink
from herinnering.services.tenants.tenant_page import page_url, tenant_for_token

LANGUAGES = ("nl", "en", "tr", "ar", "pl")


@dataclass(frozen=True)
class Covers:
    language: str
    contract_id: str
    period: str                                     # the month this link pays
    others: list[tuple[str, int]] = field(default_factory=list)  # (period, cents) also still open
    total_open_cents: int = 0                       # every open month, this one included
    costs_cents: int = 0                            # collection costs due today (not in any link)
    page_url: str | None = None                     # back to "mijn huur", when the tenant came from it
    recollect_on: date | None = None                # this month is debited again on that day (announced)
    recollect_in_file: bool = False                 # … and it is in the pain.008 file: the link no longer pays


async def covers(connection: AsyncConnection, settings: Settings, link: PaymentLink, today: date, now: datetime,
                 token: str = "") -> Covers:
    tenant = await tenant_store.by_id(connection, link.tenant_id)
    language = tenant.language if tenant is not None and tenant.language in LANGUAGES else "nl"
    months = await balance.periods(connection, link.tenant_id)
    others = [(m.period, m.outstanding_cents) for m in months if m.outstanding_cents > 0 and m.period != link.period]
    costs = sum(int(row.costs_cents) for row in await statement_store.costs(connection, link.tenant_id)
                if row.costs_due_from <= today)
    back = None
    if token:
        owner = await tenant_for_token(connection, token, now)
        if owner is not None and owner.id == link.tenant_id:
            back = page_url(settings, token)
    coming = (await returns.coming(connection, link.tenant_id, today)).get(link.period)
    return Covers(language=language, contract_id=tenant.external_id if tenant is not None else "",
                  period=link.period, others=others, total_open_cents=await balance.outstanding(connection,
                                                                                                link.tenant_id),
                  costs_cents=costs, page_url=back,
                  recollect_on=coming.collect_on if coming is not None else None,
                  recollect_in_file=coming is not None and coming.state == "exported")


async def covers_now(runtime: Runtime, link: PaymentLink, token: str) -> Covers:
    """`covers` as of now, in its own transaction."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        return await covers(connection, runtime.settings, link, now.astimezone(runtime.settings.reminders.timezone).date(),
                            now, token)


async def sandbox_choice(runtime: Runtime, ref: str, *, pay: bool, bank: str, amount_cents: int) -> None:
    """The tenant's choice on the sandbox provider's "bank" page (pay or cancel), stored as that provider keeps it."""
    async with runtime.db.begin() as connection:
        await tenant_chose(connection, ref, pay=pay, bank=bank, amount_cents=amount_cents, now=runtime.clock.now())
