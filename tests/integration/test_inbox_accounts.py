"""`herinnering user add` as an operator runs it: the password from stdin, never echoed,
stored only as an argon2 hash, and good for logging in."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SECRET = "a long and secret password"


def user_add(tmp_path: Path, *args: str, password: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERINNERING_", "TWILIO_"))}
    return subprocess.run(
        [sys.executable, "-m", "herinnering", "-v", "user", "add", *args], cwd=tmp_path, env=env,
        input=password + "\n", capture_output=True, text=True, timeout=120,
    )


def test_user_add_reads_the_password_from_stdin_and_stores_only_a_hash(tmp_path: Path) -> None:
    result = user_add(tmp_path, "Anna@DeLinde.nl", "--role", "teamlead", "--name", "Anna de Boer")
    assert result.returncode == 0, result.stderr
    assert "anna@delinde.nl (teamlead) is ready" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "herinnering.db") as connection:
        [(email, role, password_hash)] = connection.execute("SELECT email, role, password_hash FROM users").fetchall()
    assert (email, role) == ("anna@delinde.nl", "teamlead") and password_hash.startswith("$argon2id$")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("herinnering.db*"))
    assert SECRET.encode() not in raw


def test_user_add_refuses_a_short_password_and_an_unknown_role(tmp_path: Path) -> None:
    short = user_add(tmp_path, "anna@delinde.nl", password="kort")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr and "kort" not in short.stdout
    wrong = user_add(tmp_path, "anna@delinde.nl", "--role", "boss")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr


def test_user_reset_second_factor_removes_it_and_ends_the_sessions(tmp_path: Path) -> None:
    assert user_add(tmp_path, "lisa@delinde.nl", "--role", "teamlead").returncode == 0
    with sqlite3.connect(tmp_path / "herinnering.db") as connection:
        connection.execute("UPDATE users SET totp_secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', "
                           "totp_enabled_at = '2026-12-01 09:00:00.000000'")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERINNERING_", "TWILIO_"))}
    result = subprocess.run([sys.executable, "-m", "herinnering", "user", "reset-second-factor", "Lisa@DeLinde.nl"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Two-step sign-in of lisa@delinde.nl removed" in result.stdout
    with sqlite3.connect(tmp_path / "herinnering.db") as connection:
        assert connection.execute("SELECT totp_secret, totp_enabled_at FROM users").fetchall() == [(None, None)]
        actions = [row[0] for row in connection.execute("SELECT action FROM audit_log ORDER BY id")]
    assert "totp_reset" in actions
    unknown = subprocess.run([sys.executable, "-m", "herinnering", "user", "reset-second-factor", "x@delinde.nl"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert unknown.returncode != 0 and "no such account" in unknown.stderr
