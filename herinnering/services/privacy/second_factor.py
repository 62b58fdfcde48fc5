"""Use cases of officers' second factor (TOTP): set it up, sign in with it, and have a team
lead reset it.

Setting up shows a new secret once (as a QR code and as text) and keeps it apart
(`totp_pending`) until the officer proves with a code that their app has it; only then does it
become the account's. Signing in: after the right password a *pending* session (see
services/privacy/users.py) owes the code; the right code ends it and starts a real session with a new
token. Wrong codes count in the login lockout (the same guard table, the same limit and window,
under their own key), so a stolen password gives a handful of guesses per window, not a million.
Every step is in the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herinnering.adapters.db import user_store
from herinnering.domain.privacy import second_factor as totp
from herinnering.errors import CodeRefused, LockedOut, LoginError, NotFound
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.privacy import users
from herinnering.services.privacy.users import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """A correct password that still owes the second factor."""

    user: Any            # the user's row (id, email, name, role, language, TOTP columns)
    stage: str           # users.CODE or users.ENROL
    csrf_token: str


@dataclass(frozen=True)
class Enrolment:
    secret: str          # shown once; stored, until confirmed, only as the pending secret
    uri: str             # otpauth://… for the QR code

    @property
    def grouped(self) -> str:
        return totp.grouped(self.secret)


def _guard_key(email: str) -> str:
    return "totp:" + email[:194]


async def pending(runtime: Runtime, token: str | None) -> Pending | None:
    if not token:
        return None
    async with runtime.db.begin() as connection:
        row = await user_store.pending_session(connection, users.token_digest(token), runtime.clock.now())
    return None if row is None else Pending(row, row.pending, row.csrf_token)


async def start_enrolment(runtime: Runtime, user_id: int, email: str) -> Enrolment:
    """A new secret for the officer to scan; any earlier unconfirmed one is forgotten."""
    secret = totp.new_secret()
    async with runtime.db.begin() as connection:
        await user_store.set_totp_pending(connection, user_id, secret, runtime.clock.now())
    return enrolment_of(runtime, secret, email)


async def _counted(runtime: Runtime, email: str, user_id: int) -> None:
    """Count one code attempt before it is checked; refuse once the lockout limit is passed."""
    now = runtime.clock.now()
    settings = runtime.settings.conversations
    async with runtime.db.begin() as connection:
        attempts = await user_store.count_attempt(connection, _guard_key(email), now,
                                                  now - timedelta(minutes=settings.lockout_minutes))
        if attempts > settings.lockout_failures:
            await user_store.audit(connection, user_id=user_id, user_email=email, action="totp_locked", now=now)
    if attempts > settings.lockout_failures:
        log.warning("second factor refused: locked after %d wrong codes", attempts - 1)
        raise LockedOut()


async def _wrong(runtime: Runtime, email: str, user_id: int, action: str) -> CodeRefused:
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=user_id, user_email=email, action=action,
                               now=runtime.clock.now())
    log.info("wrong second-factor code")
    return CodeRefused()


async def _passed(runtime: Runtime, email: str) -> None:
    async with runtime.db.begin() as connection:
        await user_store.clear_attempts(connection, _guard_key(email))


async def _end_pending(runtime: Runtime, token: str) -> None:
    async with runtime.db.begin() as connection:
        await user_store.end_session(connection, users.token_digest(token))


async def sign_in(runtime: Runtime, token: str, code: str) -> Session:
    """The second step of logging in: the right code ends the pending session and starts a real one.
    A locked account loses its pending session (the password must be given again)."""
    found = await pending(runtime, token)
    if found is None or found.stage != users.CODE or not found.user.totp_secret:
        raise LoginError()
    user = found.user
    try:
        await _counted(runtime, user.email, user.id)
    except LockedOut:
        await _end_pending(runtime, token)
        raise
    step = totp.accepted_step(user.totp_secret, code, runtime.clock.now(), user.totp_last_step)
    async with runtime.db.begin() as connection:
        used = step is not None and await user_store.use_totp_step(connection, user.id, step)
    if not used:
        raise await _wrong(runtime, user.email, user.id, "totp_failed")
    await _passed(runtime, user.email)
    await _end_pending(runtime, token)
    return await users.start_session(runtime, user, second_factor="totp")


async def confirm(runtime: Runtime, user_id: int, email: str, code: str) -> None:
    """The officer proves their app has the pending secret: it becomes the account's."""
    await _counted(runtime, email, user_id)
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        user = await user_store.by_id(connection, user_id)
    secret = user.totp_pending if user is not None else None
    step = totp.accepted_step(secret, code, now, None) if secret else None
    async with runtime.db.begin() as connection:
        enabled = (secret is not None and step is not None
                   and await user_store.enable_totp(connection, user_id, secret, step, now))
        if enabled:
            await user_store.audit(connection, user_id=user_id, user_email=email, action="totp_enabled", now=now)
    if not enabled:
        raise await _wrong(runtime, email, user_id, "totp_enrol_failed")
    await _passed(runtime, email)


async def enrol_and_sign_in(runtime: Runtime, token: str, code: str) -> Session:
    """With `[security] require_totp`, an officer without a second factor sets it up as part of
    logging in: the confirmed code also completes the login."""
    found = await pending(runtime, token)
    if found is None or found.stage != users.ENROL:
        raise LoginError()
    try:
        await confirm(runtime, found.user.id, found.user.email, code)
    except LockedOut:
        await _end_pending(runtime, token)
        raise
    await _end_pending(runtime, token)
    return await users.start_session(runtime, found.user, second_factor="totp_enrolled")


async def account(runtime: Runtime, user_id: int) -> Any:
    """The officer's account row (`totp_enabled_at` is None without a second factor)."""
    async with runtime.db.begin() as connection:
        return await user_store.by_id(connection, user_id)


def enrolment_of(runtime: Runtime, secret: str, email: str) -> Enrolment:
    issuer = f"Herinnering {runtime.settings.organisation.name}".strip()
    return Enrolment(secret, totp.provisioning_uri(secret, email, issuer))


async def reset(runtime: Runtime, lead: Officer, user_id: int) -> str:
    """A team lead removes a colleague's second factor (a lost phone): their sessions end, and
    they set it up again at their next login (or when they choose, unless it is required)."""
    async with runtime.db.begin() as connection:
        found = await users.colleague(connection, lead, user_id)
        await _clear(connection, runtime, found, lead.id, lead.email)
    return str(found.email)


async def reset_by_operator(runtime: Runtime, email: str, operator: str) -> bool:
    """The same at the command line (`herinnering user reset-second-factor`), for the one team
    lead who lost their own phone; False when the account had no second factor."""
    async with runtime.db.begin() as connection:
        found = await user_store.by_email(connection, users.normalise_email(email))
        if found is None:
            raise NotFound(f"{email}: no such account")
        await _clear(connection, runtime, found, None, f"cli:{operator}"[:200])
    return found.totp_secret is not None


async def _clear(connection: Any, runtime: Runtime, found: Any, actor_id: int | None, actor_email: str) -> None:
    now = runtime.clock.now()
    await user_store.clear_totp(connection, found.id, now)
    await user_store.end_sessions_of(connection, found.id)
    await user_store.clear_attempts(connection, _guard_key(found.email))
    await user_store.audit(connection, user_id=actor_id, user_email=actor_email, action="totp_reset", now=now,
                           email=found.email, had_second_factor=found.totp_secret is not None)
