"""The one place where herinnering's parts are wired together.

`open_runtime` opens the database (migrating it), loads the templates and, when Twilio is
configured, the sender; every command and the web app get this runtime (`herinnering.runtime`)
instead of building parts themselves. Nothing connects at import time.

It also wires who hears what happened to a payment: payments and links only *publish* a
`PaymentChange` (`services.payments.payment_changes`); the case, the arrangement instalments,
the reason-aware step after a return and the experiments' outcome *subscribe* here, in this
order, inside the transaction that stored the change. So the collection core has no import
cycle: none of these modules imports payments' publisher, and the publisher imports none of
them; services import the runtime, never this module. A bank statement publishes a round of
changes at once (`publish_payments`, each tenant at most once): every subscriber has a batch
form that leaves the same rows and events as its one-change form, change by change, while
reading what it needs for the whole round in a few statements.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.errors import ConfigError
from herinnering.resources import templates_dir
from herinnering.runtime import Runtime
from herinnering.services.conversations import objections
from herinnering.services.experiments import experiments
from herinnering.services.legal import early_warning
from herinnering.services.payments import arrangements, cases, payment_changes, returns
from herinnering.services.payments.payment_changes import Subscriber
from herinnering.services.reminders.provider_circuit import ProviderCircuit


def refuse_unsafe_web(settings: Settings) -> None:
    """Start-up checks of every process that serves the web app (and so Twilio's webhooks):
    without an auth token a signature made with the empty key would pass, and the payment
    sandbox records a payment without money moving, so it is for development only. Production
    runs on https (Secure cookies, HSTS)."""
    if not settings.twilio.auth_token:
        raise ConfigError(
            "twilio.auth_token is not set: the web app checks Twilio's webhook signatures with it, and "
            "without it anyone could forge a STOP or a delivery status. Set TWILIO_AUTH_TOKEN (or "
            "TWILIO_AUTH_TOKEN_FILE) or [twilio] auth_token in your config file")
    production = settings.server.environment == "production"
    if settings.payments.provider == "sandbox":
        why = ('server.environment is "production"' if production
               else f"server.public_url is https ({settings.server.public_url})"
               if settings.server.public_url.startswith("https://") else None)
        if why:
            raise ConfigError(
                f'payments.provider = "sandbox" is refused because {why}: the sandbox records a payment '
                'without any money moving. Set [payments] provider = "mollie" (with MOLLIE_API_KEY); the '
                "sandbox is for the demo and development only")
    if production and not settings.server.public_url.startswith("https://"):
        raise ConfigError(
            f'server.public_url is {settings.server.public_url} but server.environment is "production": set '
            "HERINNERING_PUBLIC_URL (or [server] public_url) to the https address Twilio and the officers "
            "reach (session cookies are only Secure over https)")


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


def wire_subscribers() -> None:
    """The handlers of a recorded payment change, in the order they run: the case first (it
    opens, joins, lowers or closes), then instalments, the step after a returned debit (it
    needs the case), then the experiment outcome; and who hears that a tenant objected in a
    conversation (`services.conversations.objections`): the early-warning gate."""
    payment_changes.subscribe(
        Subscriber(cases.on_payment_change, cases.on_payment_changes),
        Subscriber(arrangements.on_payment_change, arrangements.on_payment_changes),
        Subscriber(returns.on_payment_change, returns.on_payment_changes),
        Subscriber(experiments.on_payment_change, experiments.on_payment_changes),
    )
    objections.subscribe(early_warning.on_objection)  # a tenant's objection blocks the Wgs signal


wire_subscribers()
