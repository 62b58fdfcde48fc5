"""Where the shipped templates and default configuration live.

In a source checkout (and an editable install) they are the top-level `templates/` and
`config/` folders; a wheel carries copies inside the package under `_bundled/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"herinnering cannot find its {name}/ folder (looked beside {_PACKAGE})")


def templates_dir() -> Path:
    return _find("templates")


def config_dir() -> Path:
    return _find("config")
