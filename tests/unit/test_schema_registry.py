"""Every module that defines a table is imported by `adapters/db/schema.py`, so `metadata` holds
the whole schema whichever other modules a process (or a test run of a few files) imported. The
move into context packages once dropped two renamed modules from the list: the schema test then
failed only when run without the tests that happened to import them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import herinnering

DB = Path(herinnering.__file__).parent / "adapters" / "db"


def _defines_a_table(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Table":
            return True
    return False


def test_schema_imports_every_module_that_defines_a_table() -> None:
    defining = {path.stem for path in DB.glob("*.py") if path.stem not in {"schema", "tables"} and _defines_a_table(path)}
    tree = ast.parse((DB / "schema.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "herinnering.adapters.db" for alias in node.names}
    assert defining, "no table modules found: the walk is wrong"
    assert defining - imported == set()


def test_metadata_alone_holds_the_tables_of_every_context() -> None:
    """In a fresh interpreter that imports nothing but the schema."""
    code = ("from herinnering.adapters.db.schema import metadata; "
            "print(' '.join(sorted(metadata.tables)))")
    tables = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split())
    assert {"letters", "post_batches", "municipal_feedback", "recollection_batches", "tenants", "messages"} <= tables
