"""The one place where herinnering's parts are wired together.

`open_runtime` opens the database (migrating it), loads the templates and, when Twilio is
configured, the sender; every command and the web app get this runtime instead of building
parts themselves. Nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.resources import templates_dir
from herinnering.services.provider_circuit import ProviderCircuit


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    templates: MessageTemplates
    sender: TwilioSender | None
    circuit: ProviderCircuit = field(default_factory=ProviderCircuit)  # shared by dispatch and /healthz

    def require_sender(self) -> TwilioSender:
        if self.sender is None:
            self.settings.twilio.require()
            raise AssertionError("unreachable: require() raises when Twilio is not set up")
        return self.sender


@asynccontextmanager
async def open_runtime(settings: Settings, clock: Clock, *, with_sender: bool = True) -> AsyncIterator[Runtime]:
    db = Database(settings.database.url, pool_size=settings.database.connections(settings.dispatch),
                  transaction_pooler=settings.database.transaction_pooler)
    sender = None
    try:
        await upgrade(db)
        twilio = settings.twilio
        if with_sender and twilio.account_sid and twilio.auth_token and twilio.sms_from:
            sender = TwilioSender(twilio, timeout=settings.dispatch.provider_timeout_seconds)
        circuit = ProviderCircuit(settings.dispatch.circuit_window, settings.dispatch.circuit_cool_down_seconds)
        yield Runtime(settings, db, clock, MessageTemplates(templates_dir()), sender, circuit)
    finally:
        if sender is not None:
            await sender.close()
        await db.close()
