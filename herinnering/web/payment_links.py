"""Web routes of the payment links area (filled in by that area's issue)."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Add this area's routes to the app (the runtime is `app[RUNTIME]`, pages `app[PAGES]`, from web.keys)."""
