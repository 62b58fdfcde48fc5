"""Queries live in stores and services own their transactions (issue 22, item 2).

A service module never imports sqlalchemy: it calls `adapters/db/<noun>_store.py` functions with
a connection it opened; the only database names it uses in signatures come from
`herinnering.adapters.db`. Web handlers and commands call services and open no transaction. The
tests walk whatever package layout `herinnering/` has, so they keep holding after modules move.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import herinnering

SERVICES = Path(herinnering.__file__).parent / "services"

# Modules whose queries have not moved into a store yet. Only ever shrinks: a module taken off
# must not import sqlalchemy again, and a new module never goes on it.
NOT_YET_MOVED: set[str] = set()


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


# --- web handlers and commands call services; services open the transactions ---------------

PACKAGE = SERVICES.parent
TRANSACTION_OPENERS = ("begin", "run", "connect")

# Files whose handlers or commands still open a transaction themselves. Only ever shrinks.
STILL_OPENING: set[str] = set()


def opens_a_transaction(path: Path) -> bool:
    """Whether the file calls `<something>.db.begin()`/`.run()`/`.connect()` or `engine.begin()`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in TRANSACTION_OPENERS and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in ("db", "engine")):
            return True
    return False


def edge_modules() -> list[Path]:
    return sorted(path for folder in ("web", "commands") for path in (PACKAGE / folder).rglob("*.py"))


def test_web_handlers_and_commands_leave_transactions_to_the_services() -> None:
    offenders = sorted(path.relative_to(PACKAGE).as_posix() for path in edge_modules()
                       if path.relative_to(PACKAGE).as_posix() not in STILL_OPENING and opens_a_transaction(path))
    assert offenders == [], f"open the transaction in a service and call that: {offenders}"


def test_the_list_of_files_still_opening_transactions_only_names_files_that_do() -> None:
    opening = {path.relative_to(PACKAGE).as_posix() for path in edge_modules() if opens_a_transaction(path)}
    assert STILL_OPENING <= opening, f"moved already or gone, take off the list: {sorted(STILL_OPENING - opening)}"


def test_the_walk_sees_a_handler_opening_a_transaction(tmp_path: Path) -> None:
    module = tmp_path / "handler.py"
    module.write_text("async def h(runtime):\n    async with runtime.db.begin() as c:\n        pass\n", encoding="utf-8")
    assert opens_a_transaction(module)
    module.write_text("async def h(runtime):\n    return await service.begin(runtime)\n", encoding="utf-8")
    assert not opens_a_transaction(module)


# --- one way to read a tenant by id -------------------------------------------------------------

FOLDED = re.compile(r"\b(?:case_store|store|tenant_view_store)\.tenant\(|\btask_store\.tenant_of\(")


def test_a_tenant_is_read_by_id_through_tenant_store_only() -> None:
    """`case_store.tenant`, `tenant_view_store.tenant` and `task_store.tenant_of` were one query
    three times; `tenant_store.by_id` is the one left. Code merged from elsewhere that still
    calls an old name fails here rather than at run time."""
    callers = sorted(path.relative_to(PACKAGE.parent).as_posix()
                     for root in (PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "bench")
                     for path in root.rglob("*.py") if FOLDED.search(path.read_text(encoding="utf-8")))
    assert callers == [], f"read the tenant with tenant_store.by_id: {callers}"
