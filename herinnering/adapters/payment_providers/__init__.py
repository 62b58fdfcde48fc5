"""Payment providers behind one port (`base.PaymentProvider`): `sandbox` (our own iDEAL-style
page, the default) and `mollie` (payment links through mollie-api-python)."""

from __future__ import annotations

from herinnering.adapters.db.engine import Database
from herinnering.adapters.payment_providers.base import (
    LinkRequest,
    PaymentProvider,
    PaymentProviderError,
    ProviderLink,
    ProviderStatus,
)
from herinnering.adapters.payment_providers.sandbox import SandboxProvider
from herinnering.config import Settings


def build_provider(settings: Settings, db: Database | None = None) -> PaymentProvider:
    """The provider the configuration names (`[payments] provider`)."""
    if settings.payments.provider == "mollie":
        from herinnering.adapters.payment_providers.mollie import (
            MollieProvider,  # mollie-api-python (and requests) only where Mollie is configured
        )

        return MollieProvider(settings.payments.mollie_api_key, settings.payments.mollie_api_endpoint,
                              timeout=settings.dispatch.provider_timeout_seconds)

    return SandboxProvider(settings.server.public_url, db)


__all__ = ["LinkRequest", "PaymentProvider", "PaymentProviderError", "ProviderLink", "ProviderStatus",
           "build_provider"]
