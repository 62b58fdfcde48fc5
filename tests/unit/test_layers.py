"""Queries live in stores: a service module never imports sqlalchemy (issue 22, item 2).

The services call `adapters/db/<noun>_store.py` functions with a connection they opened; the
only database names they use in signatures come from `herinnering.adapters.db`. The test walks
whatever package layout `herinnering/services` has, so it keeps holding after modules move.
"""

from __future__ import annotations

import ast
from pathlib import Path

import herinnering

SERVICES = Path(herinnering.__file__).parent / "services"

# Modules whose queries have not moved into a store yet. Only ever shrinks: a module taken off
# must not import sqlalchemy again, and a new module never goes on it.
NOT_YET_MOVED = {"experiments", "payments", "planning"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def service_modules() -> list[Path]:
    return sorted(path for path in SERVICES.rglob("*.py"))


def test_the_walk_finds_the_services() -> None:
    assert len(service_modules()) > 20


def test_no_service_module_imports_sqlalchemy() -> None:
    offenders = sorted(
        path.relative_to(SERVICES).as_posix() for path in service_modules()
        if path.stem not in NOT_YET_MOVED
        and any(name == "sqlalchemy" or name.startswith("sqlalchemy.") for name in imported_modules(path)))
    assert offenders == [], f"these services build SQL; move the queries into adapters/db/*_store.py: {offenders}"


def test_the_list_of_modules_still_to_move_only_names_modules_that_need_it() -> None:
    stems = {path.stem for path in service_modules()}
    still_importing = {path.stem for path in service_modules()
                       if any(name.startswith("sqlalchemy") for name in imported_modules(path))}
    assert NOT_YET_MOVED <= stems, f"gone or renamed: {sorted(NOT_YET_MOVED - stems)}"
    assert NOT_YET_MOVED <= still_importing, f"moved already, take off the list: {sorted(NOT_YET_MOVED - still_importing)}"


def test_the_walk_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from sqlalchemy import select\n    return select\n", encoding="utf-8")
    assert "sqlalchemy" in imported_modules(module)
