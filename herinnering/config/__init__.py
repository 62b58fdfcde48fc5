"""Configuration: read once, validated, frozen.

One module per section of `config/default.toml`, named as the section (`[lawful]` is
`config/lawful.py`, `settings.lawful`), each a frozen dataclass without defaults and a `parse`
that reads its keys through the one validator (`validator.Section`). Defaults live only in
`config/default.toml`; an operator's file (HERINNERING_CONFIG or --config) and environment
variables (`HERINNERING_<SECTION>__<KEY>`, the TWILIO_* names, `…_FILE` for secrets) override
them (`loading.py`). Every wrong value stops start-up with a message that begins
`<section>.<key>` and says what is allowed. Nothing else reads configuration files or the
environment.
"""

from __future__ import annotations

from herinnering.config.changes import ChangeFeedSettings
from herinnering.config.conversations import ConversationSettings
from herinnering.config.database import DatabaseSettings
from herinnering.config.dispatch import DispatchSettings
from herinnering.config.ladder import LadderSettings
from herinnering.config.lawful import LawfulSettings
from herinnering.config.loading import ENV_ALIASES, default_data, secrets_from_files
from herinnering.config.logging import LoggingSettings
from herinnering.config.organisation import OrganisationSettings
from herinnering.config.payments import PaymentSettings
from herinnering.config.privacy import PrivacySettings
from herinnering.config.reminders import ReminderSettings
from herinnering.config.returns import Creditor, ReturnsSettings
from herinnering.config.security import SecuritySettings
from herinnering.config.segments import SegmentSettings
from herinnering.config.self_service import SelfServiceSettings
from herinnering.config.server import ServerSettings
from herinnering.config.settings import Settings, load_settings, parse_settings, settings_with
from herinnering.config.twilio import TwilioSettings
from herinnering.config.whatsapp import WhatsAppSettings

__all__ = [
    "ENV_ALIASES", "ChangeFeedSettings", "ConversationSettings", "Creditor", "DatabaseSettings", "DispatchSettings",
    "LadderSettings", "LawfulSettings", "LoggingSettings", "OrganisationSettings", "PaymentSettings",
    "PrivacySettings", "ReminderSettings", "ReturnsSettings", "SecuritySettings", "SegmentSettings",
    "SelfServiceSettings", "ServerSettings", "Settings", "TwilioSettings", "WhatsAppSettings", "default_data",
    "load_settings", "parse_settings", "secrets_from_files", "settings_with",
]
