"""Finding tenants with the database's own full-text search: name, contract, postcode, phone
(every format) and the text of their conversations.

PostgreSQL matches `to_tsvector('simple', …)` expressions that GIN indexes cover (migration
0023 made the indexes on these very expressions, so the planner uses them); SQLite matches the
FTS5 tables `tenants_fts` and `thread_messages_fts` that triggers keep in step. 'simple', not a
language's stemmer: names, contract ids and postcodes are no Dutch words, and tenants write in
five languages. Both fold case and accents the same way (domain/tenants/search_terms.py), so a term
matches as a word prefix on both databases alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, column, func, literal_column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.conversation_tables import thread_messages, threads
from herinnering.adapters.db.tables import tenants
from herinnering.domain.tenants.search_terms import FOLD_FROM, FOLD_TO, Term, terms

_DIGITS = "regexp_replace(tenants.phone, '[^0-9]', '', 'g')"
PG_TENANT = (  # as in migration 0023's index, word for word
    "to_tsvector('simple', lower(translate(tenants.name || ' ' || tenants.external_id || ' ' || "
    "coalesce(tenants.postal_code, '') || ' ' || replace(coalesce(tenants.postal_code, ''), ' ', '') || ' ' || "
    f"{_DIGITS} || ' 0' || right({_DIGITS}, 9) || ' ' || right({_DIGITS}, 9), '{FOLD_FROM}', '{FOLD_TO}')))"
)
PG_MESSAGE = f"to_tsvector('simple', lower(translate(thread_messages.body, '{FOLD_FROM}', '{FOLD_TO}')))"


def _pg(term: Term, n: int) -> ColumnElement[bool]:
    query = func.to_tsquery(literal_column("'simple'"), term.text + (":*" if term.prefix else ""))
    said = (select(threads.c.tenant_id).join(thread_messages, thread_messages.c.thread_id == threads.c.id)
            .where(literal_column(PG_MESSAGE).op("@@")(query)))
    return or_(literal_column(PG_TENANT).op("@@")(query), tenants.c.id.in_(said))


def _sqlite(term: Term, n: int) -> ColumnElement[bool]:
    match = f'"{term.text}"' + ("*" if term.prefix else "")
    own = text(f"SELECT rowid FROM tenants_fts WHERE tenants_fts MATCH :tenant_{n}").bindparams(
        **{f"tenant_{n}": match}).columns(column("rowid"))
    said = text(f"SELECT threads.tenant_id FROM thread_messages_fts "
                f"JOIN thread_messages ON thread_messages.id = thread_messages_fts.rowid "
                f"JOIN threads ON threads.id = thread_messages.thread_id "
                f"WHERE thread_messages_fts MATCH :said_{n}").bindparams(**{f"said_{n}": match}).columns(
        column("tenant_id"))
    return or_(tenants.c.id.in_(own), tenants.c.id.in_(said))


async def search(connection: AsyncConnection, typed: str, limit: int = 50) -> list[Row[Any]]:
    """Tenants that match every term of `typed` (each in their record or in what was said in
    their conversations), by name; with their first thread's id."""
    found = terms(typed)
    if not found:
        return []
    condition = _pg if connection.dialect.name == "postgresql" else _sqlite
    thread_id = (select(func.min(threads.c.id)).where(threads.c.tenant_id == tenants.c.id)
                 .correlate(tenants).scalar_subquery())
    statement = (select(tenants.c.id, tenants.c.name, tenants.c.external_id, tenants.c.phone, tenants.c.postal_code,
                        tenants.c.language, thread_id.label("thread_id"))
                 .where(and_(*(condition(term, n) for n, term in enumerate(found))))
                 .order_by(tenants.c.name, tenants.c.id).limit(limit))
    return list((await connection.execute(statement)).fetchall())
