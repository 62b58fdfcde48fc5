"""The lock file the Docker image installs from still satisfies pyproject.toml, and the image is
built as the README says: dependencies before code, a slim non-root runtime, /data a volume."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pinned(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return {canonicalize_name(m.group(1)): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.M)}


def test_every_dependency_of_pyproject_is_pinned_with_hashes_in_a_version_it_allows() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _pinned("requirements.lock")
    for line in project["dependencies"]:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{wanted.name} is not in requirements.lock: regenerate it (README, Docker)"
        assert wanted.specifier.contains(locked[name], prereleases=True), (wanted, locked[name])
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text().split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
    assert not {"pytest", "ruff", "playwright"} & set(locked)  # the image carries no test tools


def test_the_build_backend_is_locked_too() -> None:
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    locked = _pinned("requirements-build.lock")
    for line in backend:
        wanted = Requirement(line)
        assert wanted.specifier.contains(locked[canonicalize_name(wanted.name)])


def test_the_dockerfile_installs_the_lock_before_the_code_and_runs_slim_as_a_user_with_a_data_volume() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) == 2 and lines[stages[1]] == "FROM python:3.11-slim"
    build, runtime = lines[stages[0]:stages[1]], lines[stages[1]:]
    lock = next(i for i, line in enumerate(build) if "--require-hashes" in line and "requirements.lock" in line)
    code = next(i for i, line in enumerate(build) if line.startswith("COPY herinnering"))
    assert lock < code
    assert not any(line.startswith("COPY herinnering") or "pip install" in line for line in runtime)
    assert any(line.startswith("COPY --from=build /venv") for line in runtime)
    user = next(line for line in runtime if line.startswith("USER "))
    assert user.split()[1].split(":")[0] not in ("0", "root")
    assert 'VOLUME ["/data"]' in runtime and any("sqlite+aiosqlite:////data/" in line for line in runtime)
