"""The import graph has no cycles, imports sit at the top, files stay small (issue 22, item 3).

An import placed inside a function hides a cycle from Python (it runs after both modules are
loaded) but not from a reader, so the walk counts it; only an import under `if TYPE_CHECKING:`
is left out, since it never runs. Each check reads the source with `ast`, whatever package
layout `herinnering/` has, and each has a small test proving it sees a violation. The lists
of what is still left only ever shrink, and they are exact: a module taken off must not come
back, and an entry that no longer applies fails until it is taken off.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import herinnering

PACKAGE = Path(herinnering.__file__).parent
MAX_LINES = 400

# Third-party libraries that may be imported inside a function: optional or heavy, needed by
# one page or command, and not worth their import time (or their absence) everywhere else.
# Exact as well: a library no longer imported late loses its allowance.
LATE_ALLOWED = {
    "playwright": "a test extra, not installed in production: screenshots and the workplace demo scene",
    "matplotlib": "about a second to import (numpy, the font cache): the /risico plot and report charts only",
    "fpdf": "fpdf2 with fontTools and uharfbuzz, for letters and proof bundles only",
}

# Imports still placed inside a function, as "importer -> imported" without the `herinnering.`
# prefix. Only ever shrinks: move the import to the top (breaking the cycle it hid with an event
# wired in bootstrap.py, or by moving the shared piece down a layer) and take it off.
LATE_FOR_NOW: set[str] = {
    "adapters.payment_providers -> adapters.payment_providers.mollie",
    "migrations.env -> adapters.db.engine",
    "migrations.env -> config",
    "migrations.versions.0016_arrears_case -> domain.reminders.planning",
    "services.tenants.risk -> adapters.plots",
    "web.experiments -> adapters.plots",
}

# Files over MAX_LINES, relative to herinnering/. Only ever shrinks: split by noun and take it
# off. (Migrations are counted too; none is near the limit.)
TOO_LONG_FOR_NOW: set[str] = set()

# Import cycles still left, each as the set of modules in it (without the `herinnering.` prefix).
# Only ever shrinks: a cycle is broken by an event published and subscribed in bootstrap.py, or
# by moving the piece both sides need down a layer.
KNOWN_CYCLES: list[set[str]] = []

# Scheduler jobs still named by a "module:function" text. Only ever shrinks.
STRING_JOBS_FOR_NOW: set[str] = set()


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted module name: one of the package's modules, or a third-party/stdlib name
    line: int
    late: bool  # inside a function


def modules_of(root: Path, package: str = "herinnering") -> dict[str, Path]:
    """Dotted name -> file for every module of `package` found under `root`."""
    found: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, late: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement below `node` that can run, with whether it sits in a function."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, late
        elif isinstance(child, ast.If) and _type_checking_only(child):
            for other in child.orelse:
                yield from _walk(other, late)
        else:
            yield from _walk(child, late or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """What one module imports. `from a.b import c` names the module `a.b.c` when there is one,
    else `a.b`; a name outside the package is kept as written."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node, late in _walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        for target in dict.fromkeys(targets):
            while target not in modules and "." in target and target.split(".")[0] in _roots(modules):
                target = target.rpartition(".")[0]
            found.append(Import(name, target, node.lineno, late))
    return found


def _roots(modules: dict[str, Path]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def all_imports(root: Path, package: str = "herinnering") -> list[Import]:
    modules = modules_of(root, package)
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def graph_of(imports: list[Import], modules: set[str]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at the top or inside a function."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for found in imports:
        if found.imported in modules and found.imported != found.importer:
            graph[found.importer].add(found.imported)
    return graph


def cycles_in(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)
    return components


def short(name: str) -> str:
    return name.removeprefix("herinnering.")


def late_imports(imports: list[Import]) -> set[str]:
    """"importer -> imported" for every import inside a function except the allowed libraries."""
    return {f"{short(found.importer)} -> {short(found.imported)}" for found in imports
            if found.late and found.imported.split(".")[0] not in LATE_ALLOWED}


def too_long(root: Path, package: str = "herinnering") -> set[str]:
    return {path.relative_to(root / package).as_posix() for path in (root / package).rglob("*.py")
            if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES}


def string_jobs(root: Path, package: str = "herinnering") -> list[str]:
    """`add_job` calls whose job is a "module:function" text rather than the function itself."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        if "add_job" not in path.read_text(encoding="utf-8"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_job":
                job = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "func"), None)
                if isinstance(job, ast.Constant) and isinstance(job.value, str):
                    found.append(f"{path.relative_to(root / package).as_posix()} {job.value}")
    return found


def drawn_packages(readme: str) -> set[str]:
    """The folders the README's Architecture section draws under `herinnering/`, as paths.

    A line of the drawing starts, two spaces deeper than its parent, with one folder (`db/`) or
    several side by side (`reminders/  payments/`); whatever follows is its description."""
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    drawing = section.split("```", 2)[1].splitlines()
    parents: dict[int, str] = {}
    found: set[str] = set()
    for line in drawing:
        words = re.split(" {3,}", line.strip())[0].split()  # the description follows after 3+ spaces
        depth, odd = divmod(len(line) - len(line.lstrip(" ")), 2)
        if not words or odd or not all(word.endswith("/") for word in words):
            continue
        if depth == 0:
            parents = {0: words[0].rstrip("/")} if words == ["herinnering/"] else {}
            continue
        if depth - 1 not in parents:
            continue
        folders = [f"{parents[depth - 1]}/{word.rstrip('/')}" for word in words]
        found.update(folders)
        parents = {level: path for level, path in parents.items() if level < depth}
        if len(folders) == 1:
            parents[depth] = folders[0]
    return {path.removeprefix("herinnering/") for path in found}


def packages(root: Path, package: str = "herinnering") -> set[str]:
    return {path.relative_to(root / package).as_posix() for path in (root / package).rglob("*")
            if path.is_dir() and path.name != "__pycache__" and "__pycache__" not in path.parts}


ROOT = PACKAGE.parent
IMPORTS = all_imports(ROOT)
MODULES = set(modules_of(ROOT))


# --- (a) no import cycle ------------------------------------------------------------------------

def test_the_walk_finds_the_modules_and_their_imports() -> None:
    assert len(MODULES) > 100
    assert any(found.imported == "herinnering.adapters.db.outbox" for found in IMPORTS)


def cycles_left() -> list[set[str]]:
    return [set(map(short, cycle)) for cycle in cycles_in(graph_of(IMPORTS, MODULES))]


def test_no_import_cycle_between_herinnering_modules() -> None:
    cycles = [sorted(cycle) for cycle in cycles_left() if cycle not in KNOWN_CYCLES]
    assert cycles == [], ("these modules import each other (counting imports inside functions); publish an "
                          f"event wired in bootstrap.py or move the shared piece down a layer: {cycles}")


def test_the_known_cycles_are_exactly_the_ones_left() -> None:
    cycles = cycles_left()
    gone = [sorted(known) for known in KNOWN_CYCLES if known not in cycles]
    assert gone == [], f"broken or changed already, take off KNOWN_CYCLES: {gone}"


def test_the_walk_sees_a_cycle_hidden_inside_a_function(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n", encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text("def f():\n    from . import a\n    return a\n", encoding="utf-8")
    (tmp_path / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import thing\n", encoding="utf-8")
    imports = all_imports(tmp_path, "pkg")
    graph = graph_of(imports, set(modules_of(tmp_path, "pkg")))
    assert cycles_in(graph) == [{"pkg.a", "pkg.b"}]
    assert graph["pkg.c"] == set(), "an import under TYPE_CHECKING never runs"


# --- (b) imports at the top ---------------------------------------------------------------------

def test_imports_sit_at_the_top_of_the_module() -> None:
    late = sorted(late_imports(IMPORTS) - LATE_FOR_NOW)
    assert late == [], ("import these at the top (a hidden cycle is broken by an event or by moving the "
                        f"shared piece down a layer; a heavy optional library goes on LATE_ALLOWED): {late}")


def test_every_library_allowed_late_is_still_imported_late() -> None:
    imported_late = {found.imported.split(".")[0] for found in IMPORTS if found.late}
    unused = sorted(set(LATE_ALLOWED) - imported_late)
    assert unused == [], f"imported at the top now or not at all, take off LATE_ALLOWED: {unused}"


def test_the_list_of_late_imports_still_left_is_exact() -> None:
    gone = sorted(LATE_FOR_NOW - late_imports(IMPORTS))
    assert gone == [], f"moved to the top already or gone, take off LATE_FOR_NOW: {gone}"


def test_the_walk_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "a.py").write_text(
        "import json\n\nasync def f():\n    from pkg import b\n    import matplotlib.figure\n"
        "    class C:\n        import csv\n", encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text("", encoding="utf-8")
    assert late_imports(all_imports(tmp_path, "pkg")) == {"pkg.a -> pkg.b", "pkg.a -> csv"}


# --- (c) small files ----------------------------------------------------------------------------

def test_no_file_is_over_400_lines() -> None:
    long = sorted(too_long(ROOT) - TOO_LONG_FOR_NOW)
    assert long == [], f"split these by noun (one module per thing it holds): {long}"


def test_the_list_of_files_still_too_long_is_exact() -> None:
    gone = sorted(TOO_LONG_FOR_NOW - too_long(ROOT))
    assert gone == [], f"short enough now or gone, take off TOO_LONG_FOR_NOW: {gone}"


def test_the_walk_sees_a_long_file(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "deep").mkdir(parents=True)
    (tmp_path / "pkg" / "deep" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "pkg" / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert too_long(tmp_path, "pkg") == {"deep/long.py"}


# --- (d) scheduler jobs are functions -----------------------------------------------------------

def test_scheduler_jobs_reference_functions_not_strings() -> None:
    assert "add_job" in (PACKAGE / "scheduler.py").read_text(encoding="utf-8")
    named = sorted(set(string_jobs(ROOT)) - STRING_JOBS_FOR_NOW)
    assert named == [], f"pass the job function itself: a text reference hides an import from the walk: {named}"


def test_the_list_of_jobs_still_named_by_text_is_exact() -> None:
    gone = sorted(STRING_JOBS_FOR_NOW - set(string_jobs(ROOT)))
    assert gone == [], f"a function now or gone, take off STRING_JOBS_FOR_NOW: {gone}"


def test_the_walk_sees_a_job_named_by_a_string(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "scheduler.py").write_text(
        "def build(s):\n    s.add_job(tick, 'interval')\n    s.add_job('pkg.jobs:tick', 'interval')\n"
        "    s.add_job(func='pkg.jobs:other', trigger='cron')\n", encoding="utf-8")
    assert string_jobs(tmp_path, "pkg") == ["scheduler.py pkg.jobs:tick", "scheduler.py pkg.jobs:other"]


# --- the README draws the package as it is ------------------------------------------------------

def test_the_readme_architecture_draws_every_folder_of_the_package() -> None:
    drawn = drawn_packages((ROOT / "README.md").read_text(encoding="utf-8"))
    actual = packages(ROOT)
    assert sorted(actual - drawn) == [], "draw these folders in README's Architecture section"
    assert sorted(drawn - actual) == [], "these folders are gone or moved: redraw README's Architecture section"


def test_the_readme_drawing_is_read_by_depth() -> None:
    readme = (
        "## Architecture\n\n```\nherinnering/\n  cli.py       the command line\n  domain/      pure\n"
        "    reminders/  payments/\n                 a/description/ continued\n  adapters/\n"
        "    db/        tables/ and stores\ntemplates/messages/\n```\n\n## Next\n```\nherinnering/\n  other/\n```\n")
    assert drawn_packages(readme) == {"domain", "domain/reminders", "domain/payments", "adapters", "adapters/db"}
