"""Typed keys for what the aiohttp app carries (a module of its own so route modules can
import them without importing the app factory)."""

from __future__ import annotations

import jinja2
from aiohttp import web

from herinnering.runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
PAGES = web.AppKey("pages", jinja2.Environment)
