"""assignment hash: the experiments' FNV-1a in PostgreSQL, so the planner assigns variants in its INSERT

`herinnering_fnv1a32(text)` is `domain.experiments.assignment.fnv1a32` (32-bit FNV-1a over the code
points), pinned by the same test vectors. SQLite gets the Python function itself on every
connection (adapters/db/engine.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# ASCII text (contract ids) walks its bytes; anything else its characters (code points).
FNV1A32 = """
CREATE OR REPLACE FUNCTION herinnering_fnv1a32(value text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    h bigint := 2166136261;
    bytes bytea;
    code int;
BEGIN
    bytes := convert_to(value, 'UTF8');
    IF octet_length(bytes) = length(value) THEN
        FOR i IN 0 .. octet_length(bytes) - 1 LOOP
            h := ((h # get_byte(bytes, i)) * 16777619) & 4294967295;
        END LOOP;
    ELSE
        FOR i IN 1 .. length(value) LOOP
            code := ascii(substr(value, i, 1));
            h := ((h # code) * 16777619) & 4294967295;
        END LOOP;
    END IF;
    RETURN h;
END
$$
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(FNV1A32)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS herinnering_fnv1a32(text)")
