"""CLI commands of the collection (ladder, pauzeknop, arrangements, MVI) area (filled in by that area's issue)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's sub-commands; each sets `run=async_function(args, settings) -> int`."""
