"""schemathesis over the published OpenAPI document, against the live app.

The app runs for real (the runtime `herinnering serve` builds, on SQLite, with the system
clock) on a free port in a thread of its own; schemathesis loads `/openapi.json` from it and
generates requests for every operation. Checks: never a server error, and every answer
conforms to the document (status code, content type, schema).

Twilio's webhooks are not excluded: each generated form is signed here exactly as Twilio
signs (the prepared URL and the form as sent), so the requests pass the signature check and
reach the handlers. The payments API gets the Bearer token. Other auth failures (401, 403)
are what schemathesis probes on its own where it leaves those headers out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import schemathesis
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from twilio.request_validator import RequestValidator

from herinnering.adapters.db import tenant_store
from herinnering.bootstrap import open_runtime
from herinnering.clock import SystemClock
from herinnering.config import load_settings
from herinnering.domain.tenants.tenant_csv import TenantRecord
from herinnering.web.app import serving
from herinnering.web.openapi import document
from tests.fuzz.fuzzing import fuzz

TOKEN = "schemathesis-api-token"
AUTH_TOKEN = "schemathesis-twilio-token"
TENANT = TenantRecord(external_id="HC-100101", name="Jan de Vries", phone="+31612345678", channel="sms",
                      language="nl", monthly_rent_cents=65636, collection_day=1, iban=None)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class LiveApp:
    """The app on a real socket in a background thread, until `stop()`."""

    def __init__(self, database: Path) -> None:
        self.settings = replace(
            load_settings(environ={}).with_database(f"sqlite+aiosqlite:///{database}").with_twilio(
                account_sid="AC" + "ab" * 16, auth_token=AUTH_TOKEN),
        )
        self.settings = replace(self.settings, payments=replace(self.settings.payments, api_token=TOKEN))
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with open_runtime(self.settings, SystemClock(), with_sender=False) as runtime, \
                serving(runtime, "127.0.0.1", 0) as url:
            runtime.settings = runtime.settings.with_server(public_url=url)
            async with runtime.db.begin() as connection:  # the tenant the document's examples name
                await tenant_store.upsert(connection, [TENANT], runtime.clock.now())
            self.url = url
            self._ready.set()
            await self._stop.wait()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the app did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    app = LiveApp(tmp_path_factory.mktemp("schemathesis") / "herinnering.db")
    app.start()
    yield app
    app.stop()


# The document as the app serves it (checked equal over HTTP below); loaded at import so that
# schemathesis can make one test per operation.
schema = schemathesis.openapi.from_dict(document())


def test_the_app_serves_the_document_it_is_tested_against(live_app: LiveApp) -> None:
    served = requests.get(live_app.url + "/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == document()


def send(case: Any, base_url: str, session: requests.Session) -> requests.Response:
    """Send the generated request; Twilio's webhooks signed over exactly what is sent."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    kwargs.pop("allow_redirects", None)
    kwargs.pop("verify", None)
    kwargs.pop("timeout", None)
    prepared = session.prepare_request(requests.Request(**kwargs))
    if case.path == "/api/payments":
        prepared.headers["Authorization"] = f"Bearer {TOKEN}"
    if case.path.startswith("/webhooks/twilio/"):
        body = prepared.body.decode() if isinstance(prepared.body, bytes) else (prepared.body or "")
        form = dict(parse_qsl(body, keep_blank_values=True))
        prepared.headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(prepared.url, form)
    return session.send(prepared, timeout=30, allow_redirects=False)


@schema.parametrize()
@settings(fuzz(0.4))
def test_the_live_api_answers_every_generated_request_as_documented(case: Any, live_app: LiveApp) -> None:
    with requests.Session() as session:
        response = send(case, live_app.url, session)
    case.validate_response(response, checks=CHECKS)
