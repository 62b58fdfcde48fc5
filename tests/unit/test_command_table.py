"""`cli.COMMANDS` names the module of every command, so `herinnering X` imports only X's module.
The table must stay true: every command a module registers is in it, under that module, with the
same help line, and a cron-run command does not pull in the web app or the statistics."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from herinnering import cli


def registered_by(module: str) -> dict[str, str]:
    """Command -> help line, as the module's `register` adds them."""
    commands = argparse.ArgumentParser().add_subparsers(dest="command")
    importlib.import_module(f"herinnering.commands.{module}").register(commands)
    return {action.dest: action.help or "" for action in commands._choices_actions}


def test_every_command_is_in_the_table_under_the_module_that_registers_it() -> None:
    modules = {module for module, _ in cli.COMMANDS.values()}
    found = {name: (module, help_line)
             for module in sorted(modules) for name, help_line in registered_by(module).items()}
    assert found == cli.COMMANDS


@pytest.mark.parametrize(("argv", "command"), [
    (["dispatch", "--now", "2026-12-01T10:00"], "dispatch"),
    (["-v", "--config", "site.toml", "payments", "show", "--tenant", "HC-1"], "payments"),  # global options first
])
def test_the_parser_built_for_one_command_reads_its_arguments(argv: list[str], command: str) -> None:
    args = cli.build_parser(argv).parse_args(argv)
    assert args.command == command and callable(args.run)


def test_dispatch_and_help_start_without_the_web_app_or_the_statistics() -> None:
    probe = ("import sys; from herinnering import cli; cli.build_parser({argv}); "
             "print(sorted(m for m in ('herinnering.web.app', 'numpy', 'scipy', 'fpdf', 'matplotlib', "
             "'herinnering.services.payments.payments') if m in sys.modules))")
    for argv in (["dispatch"], ["--help"], []):
        loaded = subprocess.run([sys.executable, "-c", probe.format(argv=argv)], capture_output=True, text=True,
                                check=True).stdout.strip()
        assert loaded == "[]", f"herinnering {' '.join(argv)} loads {loaded}"
