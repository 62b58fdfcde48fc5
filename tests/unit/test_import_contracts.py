"""The import-linter contracts in pyproject.toml keep up with the package (issue 22).

import-linter cannot say "everything but the fakes", so the fakes' contract lists the app's
top-level modules by name; this test fails when a new one is not on that list.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "herinnering"


def top_level_modules() -> set[str]:
    """Every importable module or package directly under herinnering/, the fakes aside."""
    found = {path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("__")}
    found |= {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    return {f"herinnering.{name}" for name in found - {"fakes"}}


def test_the_walk_finds_the_layers() -> None:
    assert {"herinnering.domain", "herinnering.services", "herinnering.clock"} <= top_level_modules()


def test_the_fakes_are_forbidden_every_other_module_of_the_app() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    fakes = next(c for c in contracts if c.get("source_modules") == ["herinnering.fakes"])
    missing = sorted(top_level_modules() - set(fakes["forbidden_modules"]))
    assert missing == [], f"add these to the fakes' forbidden_modules in pyproject.toml: {missing}"
