"""CLI commands of the conversations area: officers' accounts.

`herinnering user add EMAIL --role officer|teamlead|admin|viewer [--name NAME]` asks for the password
twice at a prompt (or reads one line from stdin when it is not a terminal). The password is
never printed, logged or stored in clear text. `herinnering user reset-second-factor EMAIL`
removes an officer's two-step sign-in (a team lead does this on /gebruikers; this is for the
one who lost their own phone).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.config import Settings
from herinnering.errors import BadInput
from herinnering.services.privacy import second_factor
from herinnering.services.privacy.users import ROLES, add_user


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Wachtwoord / password: ")
    if getpass.getpass("Nog een keer / again: ") != first:
        raise BadInput("the two passwords differ")
    return first


async def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password()
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        user_id = await add_user(runtime, args.email, password, args.role, args.name)
    print(f"Account {args.email.strip().lower()} ({args.role}) is ready (id {user_id}).")
    return 0


async def cmd_user_reset_second_factor(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        had = await second_factor.reset_by_operator(runtime, args.email, getpass.getuser())
    email = args.email.strip().lower()
    print(f"Two-step sign-in of {email} removed; its sessions ended." if had
          else f"{email} had no two-step sign-in; its sessions ended.")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
    user = commands.add_parser("user", help="officers' accounts for the inbox")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="create an account (or set a new password); the password is asked for")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, default="officer")
    add.add_argument("--name", help="the name colleagues see (default: the part before @)")
    add.set_defaults(run=cmd_user_add)
    reset = actions.add_parser("reset-second-factor",
                               help="remove an officer's two-step sign-in (a lost phone); they set it up again")
    reset.add_argument("email")
    reset.set_defaults(run=cmd_user_reset_second_factor)
