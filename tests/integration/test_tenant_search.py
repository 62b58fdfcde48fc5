"""The tenant search is the database's own full-text search, on SQLite (FTS5, kept in step by
triggers) and PostgreSQL (GIN indexes the planner uses): name with or without accents, contract,
postcode, a phone number in any format, and what was said in the conversation; every term must
match; changes and removals are searched at once."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import delete, text, update

from herinnering.adapters.db import thread_store
from herinnering.adapters.db.conversation_tables import thread_messages
from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_view_store import search

_sids = itertools.count(1)


async def _said(database: Any, clock: Any, tenant: Any, body: str) -> None:
    async with database.begin() as connection:
        thread = await thread_store.thread_for(connection, tenant.id, tenant.phone, "sms", clock.now())
        await thread_store.store_inbound(connection, {"thread_id": thread.id, "provider_sid": f"SMt{next(_sids)}",
                                                      "channel": "sms", "body": body, "created_at": clock.now()})


async def _found(database: Any, typed: str) -> list[str]:
    async with database.begin() as connection:
        return [row.external_id for row in await search(connection, typed)]


@pytest.fixture
async def people(database: Any, clock: Any, make_tenant: Any) -> dict[str, Any]:
    fatma = await make_tenant(external_id="HC-204518", name="Fatma Yılmaz", phone="+31612345678",
                              postal_code="1234 AB", language="tr")
    jan = await make_tenant(external_id="HC-204520", name="Jan de Vries", phone="+31687654321",
                            postal_code="3511 CD")
    ewa = await make_tenant(external_id="HC-300001", name="Ewa Wróbel-Öztürk", phone="+48601234567", language="pl")
    await _said(database, clock, fatma, "Merhaba, maaşım 20'sinde geliyor. Ödemeyi o zaman yapabilir miyim?")
    await _said(database, clock, jan, "Ik doe de betaling morgen, excuses.")
    return {"fatma": fatma, "jan": jan, "ewa": ewa}


# (typed, contracts found); a comment says why where it is not plain.
CASES = [
    ("yilmaz", ["HC-204518"]),                     # ı typed as i
    ("YILM", ["HC-204518"]),                       # a prefix, any case
    ("Yılmaz", ["HC-204518"]),
    ("ozturk", ["HC-300001"]),                     # Ö and ü folded, a double name split
    ("wrob", ["HC-300001"]),
    ("hc-2045", ["HC-204518", "HC-204520"]),
    ("204520", ["HC-204520"]),
    ("1234AB", ["HC-204518"]),
    ("1234 ab", ["HC-204518"]),
    ("3511", ["HC-204520"]),
    ("+31 6 1234 5678", ["HC-204518"]),
    ("06-12345678", ["HC-204518"]),
    ("0612345678", ["HC-204518"]),
    ("0031 6 12345678", ["HC-204518"]),
    ("(06) 1234 5678", ["HC-204518"]),
    ("06 1234", ["HC-204518"]),                    # the start of a number typed with spaces
    ("0687", ["HC-204520"]),
    ("+48 601 234 567", ["HC-300001"]),            # a foreign number by its last nine digits
    ("06 12345679", []),                           # one digit off
    ("maasim", ["HC-204518"]),                     # what she wrote, ş and ı folded
    ("maaş", ["HC-204518"]),
    ("betaling", ["HC-204520"]),
    ("betal", ["HC-204520"]),
    ("fatma maasim", ["HC-204518"]),               # name and message, both must match
    ("fatma betaling", []),
    ("de vries morgen", ["HC-204520"]),
    ("'; DROP TABLE tenants; --", []),             # only words reach the index
    ('"unterminated * OR', []),
    ("   ", []),
]


@pytest.mark.parametrize(("typed", "expected"), CASES)
async def test_the_search_finds_tenants_by_what_an_officer_types(
    database: Any, people: dict[str, Any], typed: str, expected: list[str],
) -> None:
    assert sorted(await _found(database, typed)) == expected


async def test_changes_and_removals_are_found_at_once(database: Any, clock: Any, people: dict[str, Any]) -> None:
    async with database.begin() as connection:
        await connection.execute(update(tenants).where(tenants.c.id == people["jan"].id).values(
            name="Jan Bakker", phone="+31611112222"))
    assert await _found(database, "vries") == []
    assert await _found(database, "bakker") == ["HC-204520"]
    assert await _found(database, "06 1111 2222") == ["HC-204520"]
    assert await _found(database, "0687654321") == []
    async with database.begin() as connection:
        await connection.execute(update(thread_messages).where(thread_messages.c.body.like("%betaling%")).values(
            body="[verwijderd]"))
    assert await _found(database, "betaling") == []
    await _said(database, clock, people["ewa"], "Czy mogę zapłacić w ratach?")
    assert await _found(database, "zaplacic ratach") == ["HC-300001"]
    async with database.begin() as connection:
        await connection.execute(delete(thread_messages))
    assert await _found(database, "zaplacic") == []


async def test_postgresql_answers_from_its_gin_indexes(database: Any, people: dict[str, Any]) -> None:
    from herinnering.adapters.db.search_store import PG_MESSAGE, PG_TENANT

    async with database.begin() as connection:
        if connection.dialect.name != "postgresql":
            rows = (await connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))).scalars()
            assert {"tenants_fts_insert", "tenants_fts_update", "tenants_fts_delete", "thread_messages_fts_insert",
                    "thread_messages_fts_update", "thread_messages_fts_delete"} <= set(rows)
            return
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        for table, expression, index in (("tenants", PG_TENANT, "ix_tenants_fts"),
                                         ("thread_messages", PG_MESSAGE, "ix_thread_messages_fts")):
            plan = "\n".join((await connection.execute(text(
                f"EXPLAIN SELECT 1 FROM {table} WHERE {expression} @@ to_tsquery('simple', 'yilmaz:*')"))).scalars())
            assert index in plan, plan
