"""Use cases: officers' accounts, logging in and out.

Passwords are hashed with argon2id (argon2-cffi) and never stored, logged or shown. Each
attempt for an e-mail address is counted in the database (one atomic upsert, committed before
the password is checked), so of any number of parallel guesses at most `lockout_failures`
are checked; then the address is locked until `lockout_minutes` after its first attempt —
whether or not the account exists, so the lock does not reveal which addresses are real. A
successful login starts the count again. A session is a random token in an HttpOnly cookie; the
database keeps only its SHA-256 digest, next to the session's CSRF token. An officer with a
second factor (or everyone, with `[security] require_totp`) gets a *pending* session after the
password: it opens nothing but the second step (services/privacy/second_factor.py), which ends it and
starts a new one.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from herinnering.adapters.db import user_store
from herinnering.errors import BadInput, Forbidden, LockedOut, LoginError, NotFound
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer

log = logging.getLogger(__name__)
ROLES = ("officer", "teamlead", "admin", "viewer")  # viewer: may look, never act
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown (the same time as a wrong password); made on
    the first login, not at import: hashing costs every process start half a CPU second."""
    return _hasher.hash("not a password anyone has")


PENDING_MINUTES = 10  # a correct password waits this long for the second factor
CODE = "code"         # a session that owes the code of the officer's authenticator app
ENROL = "enrol"       # ... that must first set one up (`[security] require_totp`)


@dataclass(frozen=True)
class Session:
    token: str        # goes into the cookie, nowhere else
    csrf_token: str
    officer: Officer
    second_factor: str | None = None  # CODE or ENROL: not signed in yet, only the second step is open


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def colleague(connection: Any, lead: Officer, user_id: int) -> Any:
    """The account a team lead acts on: it must exist and must not be the lead's own."""
    found = await user_store.by_id(connection, user_id)
    if found is None:
        raise NotFound(f"account {user_id} does not exist")
    if found.id == lead.id:
        raise Forbidden("you cannot do that to your own account")
    return found


async def add_user(runtime: Runtime, email: str, password: str, role: str, name: str | None = None) -> int:
    """Create an account, or set a new password and role for an existing one; returns its id."""
    email = normalise_email(email)
    if role not in ROLES:
        raise BadInput(f"role {role!r} is not one of {', '.join(ROLES)}")
    if "@" not in email:
        raise BadInput(f"{email!r} is not an e-mail address")
    if len(password) < 10:
        raise BadInput("a password needs at least 10 characters")
    password_hash = _hasher.hash(password)
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        existing = await user_store.by_email(connection, email)
        if existing is not None:
            await user_store.set_password(connection, existing.id, password_hash, role, now)
            return int(existing.id)
        return await user_store.add_user(connection, email=email, name=name or email.split("@")[0], role=role,
                                         password_hash=password_hash, now=now)


async def log_in(runtime: Runtime, email: str, password: str) -> Session:
    email = normalise_email(email)
    now = runtime.clock.now()
    settings = runtime.settings.conversations
    window = timedelta(minutes=settings.lockout_minutes)
    async with runtime.db.begin() as connection:  # counted and committed before any password is checked
        attempts = await user_store.count_attempt(connection, email[:200], now, now - window)
        user = await user_store.by_email(connection, email)
    locked = attempts > settings.lockout_failures
    ok = False
    if not locked:
        try:
            _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
            ok = user is not None and bool(user.active)
        except (VerificationError, InvalidHashError):
            ok = False
    async with runtime.db.begin() as connection:
        if not locked:
            await user_store.record_attempt(connection, email[:200], ok, now)
        if ok:
            await user_store.clear_attempts(connection, email[:200])
        else:  # refused logins are officer actions too (ASVS 7.1)
            await user_store.audit(connection, user_id=user.id if user is not None else None, user_email=email[:200],
                                   action="login_locked" if locked else "login_failed", now=now)
    if locked:
        log.warning("login refused: address locked after %d attempts", attempts - 1)
        raise LockedOut()
    if not ok or user is None:
        log.info("failed login")
        raise LoginError()
    second = CODE if user.totp_secret else ENROL if runtime.settings.security.require_totp else None
    if second is not None:
        return await start_session(runtime, user, pending=second)
    return await start_session(runtime, user)


async def start_session(runtime: Runtime, user: Any, *, pending: str | None = None, **audit: Any) -> Session:
    """A new session for `user`: signed in (audited as a login), or `pending` the second factor
    for a few minutes."""
    now = runtime.clock.now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    lasts = (timedelta(minutes=PENDING_MINUTES) if pending is not None
             else timedelta(hours=runtime.settings.conversations.session_hours))
    async with runtime.db.begin() as connection:
        await user_store.add_session(connection, token_hash=token_digest(token), user_id=user.id, csrf_token=csrf,
                                     now=now, expires_at=now + lasts, pending=pending)
        if pending is None:
            await user_store.audit(connection, user_id=user.id, user_email=user.email, action="login", now=now,
                                   **audit)
    return Session(token=token, csrf_token=csrf, officer=Officer(user.id, user.email, user.name, user.role,
                                                                 user.language), second_factor=pending)


async def current(runtime: Runtime, token: str | None) -> tuple[Officer, str] | None:
    """The officer and CSRF token of a live session, or None."""
    if not token:
        return None
    async with runtime.db.begin() as connection:
        row = await user_store.session_user(connection, token_digest(token), runtime.clock.now())
    if row is None:
        return None
    return Officer(row.id, row.email, row.name, row.role, row.language), row.csrf_token


async def log_out(runtime: Runtime, token: str, officer: Officer) -> None:
    async with runtime.db.begin() as connection:
        await user_store.end_session(connection, token_digest(token))
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="logout",
                               now=runtime.clock.now())


async def audit_refused(runtime: Runtime, officer: Officer, path: str) -> None:
    """An officer tried a page their role does not allow."""
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="forbidden",
                               now=runtime.clock.now(), path=path[:200])


async def set_language(runtime: Runtime, user_id: int, language: str) -> None:
    """The officer's language, kept on their account."""
    async with runtime.db.begin() as connection:
        await user_store.set_language(connection, user_id, language, runtime.clock.now())
