"""One error tree: every herinnering error class lives in herinnering/errors.py (drawn in its
docstring), and nothing raises the bare root, so every refusal carries its HTTP status."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import herinnering.errors as errors

PACKAGE = Path(errors.__file__).resolve().parent
TREE = {name for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.HerinneringError)}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(PACKAGE.rglob("*.py"))
            if "migrations/versions" not in str(path)]


def test_no_error_class_is_defined_outside_errors_py() -> None:
    outside = [f"{path.relative_to(PACKAGE)}:{node.name}" for path, tree in _modules() if path.name != "errors.py"
               for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
               and any(isinstance(base, ast.Name | ast.Attribute) and ast.unparse(base).split(".")[-1] in TREE
                       for base in node.bases)]
    assert outside == []


def test_nothing_raises_the_bare_root_of_the_tree() -> None:
    bare = [f"{path.relative_to(PACKAGE)}:{node.lineno}" for path, tree in _modules()
            for node in ast.walk(tree) if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and ast.unparse(node.exc.func).split(".")[-1] == "HerinneringError"]
    assert bare == []


def test_the_docstring_draws_every_class_of_the_tree() -> None:
    drawn = errors.__doc__ or ""
    assert [name for name in sorted(TREE) if f" {name} " not in drawn] == []
