"""tenant search: the database's own full-text index on tenants and on what was said in threads

PostgreSQL: GIN indexes on `to_tsvector('simple', …)` expressions (the store queries the very
same expressions, see adapters/db/search_store.py). SQLite: FTS5 tables `tenants_fts` and
`thread_messages_fts` (rowid = the row's id), kept in step by triggers, filled here once.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# Frozen copies of domain/search_terms.py FOLD_FROM/FOLD_TO and of the store's expressions.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÇçČčĆćÉÈÊËéèêëĘęĞğÍÌÎÏİíìîïıŁłÑñŃńÓÒÔÖÕØóòôöõøŐőŞşŠšŚśÚÙÛÜúùûüŰűÝýÿŽžŹźŻżĄą-/._"
FOLD_TO = "AAAAAAaaaaaaCcCcCcEEEEeeeeEeGgIIIIIiiiiiLlNnNnOOOOOOooooooOoSsSsSsUUUUuuuuUuYyyZzZzZzAa    "
PG_DIGITS = "regexp_replace(phone, '[^0-9]', '', 'g')"
PG_TENANT = (
    "to_tsvector('simple', lower(translate(name || ' ' || external_id || ' ' || coalesce(postal_code, '') || ' ' "
    f"|| replace(coalesce(postal_code, ''), ' ', '') || ' ' || {PG_DIGITS} || ' 0' || right({PG_DIGITS}, 9) "
    f"|| ' ' || right({PG_DIGITS}, 9), '{FOLD_FROM}', '{FOLD_TO}')))"
)
PG_MESSAGE = f"to_tsvector('simple', lower(translate(body, '{FOLD_FROM}', '{FOLD_TO}')))"
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _sqlite_fold(expression: str) -> str:
    """Letters FTS5's tokenizer does not fold by itself (no decomposition): ı İ ł Ł ø Ø."""
    for letter, plain in (("ı", "i"), ("İ", "I"), ("ł", "l"), ("Ł", "L"), ("ø", "o"), ("Ø", "O")):
        expression = f"replace({expression}, '{letter}', '{plain}')"
    return expression


def _sqlite_tenant(row: str) -> str:
    digits = f"replace({row}.phone, '+', '')"
    return _sqlite_fold(
        f"{row}.name || ' ' || {row}.external_id || ' ' || coalesce({row}.postal_code, '') || ' ' || "
        f"replace(coalesce({row}.postal_code, ''), ' ', '') || ' ' || {digits} || ' 0' || substr({digits}, -9) "
        f"|| ' ' || substr({digits}, -9)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_tenants_fts ON tenants USING gin ({PG_TENANT})")
        op.execute(f"CREATE INDEX ix_thread_messages_fts ON thread_messages USING gin ({PG_MESSAGE})")
        return
    op.execute(f"CREATE VIRTUAL TABLE tenants_fts USING fts5(document, {TOKENIZE})")
    op.execute(f"CREATE VIRTUAL TABLE thread_messages_fts USING fts5(body, {TOKENIZE})")
    op.execute(f"INSERT INTO tenants_fts (rowid, document) SELECT id, {_sqlite_tenant('tenants')} FROM tenants")
    op.execute(f"INSERT INTO thread_messages_fts (rowid, body) SELECT id, {_sqlite_fold('body')} FROM thread_messages")
    op.execute(f"""CREATE TRIGGER tenants_fts_insert AFTER INSERT ON tenants BEGIN
        INSERT INTO tenants_fts (rowid, document) VALUES (new.id, {_sqlite_tenant('new')}); END""")
    op.execute(f"""CREATE TRIGGER tenants_fts_update AFTER UPDATE OF name, external_id, postal_code, phone ON tenants
        BEGIN DELETE FROM tenants_fts WHERE rowid = old.id;
        INSERT INTO tenants_fts (rowid, document) VALUES (new.id, {_sqlite_tenant('new')}); END""")
    op.execute("""CREATE TRIGGER tenants_fts_delete AFTER DELETE ON tenants BEGIN
        DELETE FROM tenants_fts WHERE rowid = old.id; END""")
    op.execute(f"""CREATE TRIGGER thread_messages_fts_insert AFTER INSERT ON thread_messages BEGIN
        INSERT INTO thread_messages_fts (rowid, body) VALUES (new.id, {_sqlite_fold('new.body')}); END""")
    op.execute(f"""CREATE TRIGGER thread_messages_fts_update AFTER UPDATE OF body ON thread_messages BEGIN
        DELETE FROM thread_messages_fts WHERE rowid = old.id;
        INSERT INTO thread_messages_fts (rowid, body) VALUES (new.id, {_sqlite_fold('new.body')}); END""")
    op.execute("""CREATE TRIGGER thread_messages_fts_delete AFTER DELETE ON thread_messages BEGIN
        DELETE FROM thread_messages_fts WHERE rowid = old.id; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_thread_messages_fts")
        op.execute("DROP INDEX IF EXISTS ix_tenants_fts")
        return
    for name in ("tenants_fts_insert", "tenants_fts_update", "tenants_fts_delete", "thread_messages_fts_insert",
                 "thread_messages_fts_update", "thread_messages_fts_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS thread_messages_fts")
    op.execute("DROP TABLE IF EXISTS tenants_fts")
