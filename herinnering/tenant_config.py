"""The `[returns]` and `[self_service]` sections of the configuration (issue 10): what follows
a returned debit per ISO reason code, the creditor details of the pain.008 re-collection file,
and the self-service dialogs and personal page. `config.py` calls `parse_tenant_centred`; a
wrong value stops start-up with a message naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herinnering.domain.conversations.dialogs import DEFAULT_WORDS, DialogKind
from herinnering.domain.payments.return_reasons import (
    MAX_RECOLLECTIONS,
    ReturnPolicy,
    parse_actions,
)
from herinnering.errors import ConfigError


@dataclass(frozen=True)
class Creditor:
    """Who asks the bank to collect: the pain.008's creditor."""

    name: str = "Woonstichting De Linde"
    iban: str = "NL91ABNA0417164300"
    bic: str = "ABNANL2A"
    creditor_id: str = "NL98ZZZ999999999999"  # the Incassant-ID from the bank


@dataclass(frozen=True)
class TenantCentredSettings:
    returns: ReturnPolicy = field(default_factory=ReturnPolicy)
    creditor: Creditor = field(default_factory=Creditor)
    day_notice_days: int = 10        # a new collection day applies once both debit dates are this far away
    dialog_timeout_hours: int = 24   # an unanswered dialog question expires
    page_link_days: int = 14         # the "mijn huur" link works this long
    words: Mapping[DialogKind, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_WORDS))


TENANT_CENTRED_DEFAULTS = TenantCentredSettings()


def _integer(table: Mapping[str, Any], key: str, path: str, low: int, high: int, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{path}.{key}: {value!r} is not a whole number from {low} to {high}")
    return value


def _text(table: Mapping[str, Any], key: str, path: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}.{key}: {value!r} must be a non-empty text")
    return value.strip()


def _known(table: Mapping[str, Any], path: str, keys: set[str]) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise ConfigError(f"unknown setting {path}.{unknown[0]}; known keys in [{path}]: {', '.join(sorted(keys))}")


def parse_tenant_centred(returns: Mapping[str, Any] | None, service: Mapping[str, Any] | None) -> TenantCentredSettings:
    returns, service = returns or {}, service or {}
    _known(returns, "returns", {"actions", "max_recollections", "recollect_after_days", "pre_notification_days",
                                "creditor_name", "creditor_iban", "creditor_bic", "creditor_id"})
    _known(service, "self_service", {"day_notice_days", "dialog_timeout_hours", "page_link_days",
                                     *(f"keywords_{kind.value}" for kind in DialogKind)})
    actions = returns.get("actions", {})
    if not isinstance(actions, Mapping):
        raise ConfigError("returns.actions: a table of ISO reason code = action, e.g. AM04 = \"recollect\"")
    try:
        policy = ReturnPolicy(
            actions=parse_actions(actions),
            max_recollections=_integer(returns, "max_recollections", "returns", 0, MAX_RECOLLECTIONS, 1),
            recollect_after_days=_integer(returns, "recollect_after_days", "returns", 1, 60, 10),
            pre_notification_days=_integer(returns, "pre_notification_days", "returns", 1, 14, 14),
        )
    except ValueError as exc:
        raise ConfigError(f"returns: {exc}") from None
    creditor = Creditor(
        name=_text(returns, "creditor_name", "returns", Creditor.name),
        iban=_text(returns, "creditor_iban", "returns", Creditor.iban).replace(" ", ""),
        bic=_text(returns, "creditor_bic", "returns", Creditor.bic),
        creditor_id=_text(returns, "creditor_id", "returns", Creditor.creditor_id),
    )
    words = dict(DEFAULT_WORDS)
    for kind in DialogKind:
        listed = service.get(f"keywords_{kind.value}")
        if listed is not None:
            if not isinstance(listed, list) or not listed or not all(isinstance(w, str) and w.strip() for w in listed):
                raise ConfigError(f"self_service.keywords_{kind.value}: a list of words, e.g. [\"dag\", \"datum\"]")
            words[kind] = tuple(listed)
    return TenantCentredSettings(
        returns=policy, creditor=creditor,
        day_notice_days=_integer(service, "day_notice_days", "self_service", 1, 60, 10),
        dialog_timeout_hours=_integer(service, "dialog_timeout_hours", "self_service", 1, 24 * 7, 24),
        page_link_days=_integer(service, "page_link_days", "self_service", 1, 90, 14),
        words=words,
    )
