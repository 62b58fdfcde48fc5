"""What every use case is handed to do its work: settings, database, clock, templates, sender.

`bootstrap.open_runtime` builds it; services and web handlers only receive it, so they import
this module and never the bootstrap, which wires them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.services.reminders.provider_circuit import ProviderCircuit


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
