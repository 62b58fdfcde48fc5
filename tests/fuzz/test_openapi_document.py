"""The published OpenAPI document is valid OpenAPI 3.1 and matches the app's routes: every
documented operation exists, and every machine-facing route is documented."""

from __future__ import annotations

from pathlib import Path

from openapi_spec_validator import validate

from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.config import load_settings
from herinnering.web.app import create_app
from herinnering.web.openapi import document

MACHINE_FACING = ("/api/", "/webhooks/", "/health", "/readyz", "/metrics", "/openapi.json")


def test_the_document_is_valid_openapi() -> None:
    validate(document())


async def test_the_document_and_the_app_routes_agree(tmp_path: Path) -> None:
    settings = load_settings(environ={}).with_database(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    async with open_runtime(settings, SystemClock(), with_sender=False) as runtime:
        app = create_app(runtime)
    routes = {(route.method.lower(), route.resource.canonical) for route in app.router.routes()
              if route.resource is not None and route.method != "HEAD"}
    documented = {(method, path) for path, item in document()["paths"].items() for method in item}
    assert documented <= routes
    machine = {(m, p) for m, p in routes if p.startswith(MACHINE_FACING)}
    assert machine <= documented, machine - documented
