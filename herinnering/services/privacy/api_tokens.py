"""Use cases: named API tokens for the JSON API, stored as hashes.

`create` returns the token once (`hrn_` + 32 random bytes, URL-safe); the database keeps its
SHA-256 digest and a short prefix to tell tokens apart in a list. `check` finds the live
token of a digest and notes when it was last used. The old `[payments] api_token` from the
configuration still works as a fallback (see README, "Security and privacy"), so existing
connectors keep running until they get a named token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herinnering.adapters.db import api_token_store
from herinnering.errors import Conflict, NotFound, TokenError
from herinnering.runtime import Runtime

PREFIX = "hrn_"
CONFIG_TOKEN = "config:payments.api_token"


@dataclass(frozen=True)
class TokenInfo:
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(runtime: Runtime, name: str) -> str:
    """A new token named `name`; the only time it is ever shown."""
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", name):
        raise TokenError(f"{name!r} is not a token name: letters, digits and _.:- (at most 64)")
    token = PREFIX + secrets.token_urlsafe(32)
    async with runtime.db.begin() as connection:
        if await api_token_store.named(connection, name):
            raise Conflict(f"a token named {name!r} exists; revoke it first or choose another name")
        await api_token_store.insert(connection, name, digest(token), token[:len(PREFIX) + 4], runtime.clock.now())
    return token


async def revoke(runtime: Runtime, name: str) -> None:
    async with runtime.db.begin() as connection:
        revoked = await api_token_store.revoke(connection, name, runtime.clock.now())
    if not revoked:
        raise NotFound(f"no live token named {name!r}")


async def listing(runtime: Runtime) -> list[TokenInfo]:
    async with runtime.db.begin() as connection:
        rows = await api_token_store.all_tokens(connection)
        return [TokenInfo(r.name, r.prefix, r.created_at, r.last_used_at, r.revoked_at) for r in rows]


async def check(runtime: Runtime, authorization: str) -> str | None:
    """The name of the caller's token from an `Authorization: Bearer …` header, or None."""
    scheme, _, value = authorization.partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if token.startswith(PREFIX):
        async with runtime.db.begin() as connection:
            row: Any = await api_token_store.live_by_hash(connection, digest(token))
            if row is not None:
                await api_token_store.mark_used(connection, row.id, runtime.clock.now())
                return str(row.name)
    fallback = runtime.settings.payments.api_token
    if fallback and hmac.compare_digest(digest(token), digest(fallback)):
        return CONFIG_TOKEN
    return None
