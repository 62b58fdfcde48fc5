"""Shared fixtures: real databases (SQLite and PostgreSQL), the shipped fake Twilio server,
settings, a settable clock, and factories that return functions."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

import herinnering.bootstrap  # noqa: F401  (wires the subscribers, as in every process of the app)
from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.clock import SettableClock
from herinnering.config import Settings, load_settings

PG_ADMIN_URL = os.environ.get("HERINNERING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PG_TEST_DB = f"herinnering_test_{os.getpid()}"
REQUIRE_PG = os.environ.get("HERINNERING_REQUIRE_POSTGRES") == "1"
# Where the application connects, when not straight to the server: .ci/run sets PgBouncer's
# address in transaction mode, "postgresql://postgres@127.0.0.1:6432?pooler=transaction".
PG_VIA = os.environ.get("HERINNERING_TEST_POSTGRES_VIA", "")


# Hypothesis profiles: `ci`, the default, is Hypothesis's own (100 examples where a test names
# no number) with property tests through a database kept to a few examples each;
# HYPOTHESIS_PROFILE=deep runs ten times as many of both, for a long run by hand.
hypothesis_settings.register_profile("ci")
hypothesis_settings.register_profile("deep", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def database_examples(ci: int) -> hypothesis_settings:
    """The settings of a property test that goes through a database, where every example costs
    a tenth of a second or more: `ci` examples, ten times as many under the deep profile."""
    scale = max(1, hypothesis_settings.default.max_examples // 100)
    return hypothesis_settings(max_examples=ci * scale, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture])


def _direct_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{database}"


def _app_url(database: str) -> str:
    """The application's URL of a test database (admin statements always go straight to the server)."""
    from urllib.parse import urlsplit

    if PG_VIA:
        via = urlsplit(PG_VIA)
        return f"postgresql+asyncpg://{via.netloc}/{database}" + (f"?{via.query}" if via.query else "")
    return _direct_url(database)


def _pg_admin(statement: str) -> str | None:
    """Run one statement on the admin database; return why PostgreSQL cannot be used, or None."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    try:  # in a thread of its own: it may be first asked for inside a running event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    return None


def _migrate(url: str) -> None:
    """Migrate a database to head, from a thread of its own (session fixtures have no loop)."""

    async def run() -> None:
        db = Database(url)
        try:
            await upgrade(db)
        finally:
            await db.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own (several runs may share the server)."""
    problem = _pg_admin(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)')
    problem = problem or _pg_admin(f'CREATE DATABASE "{PG_TEST_DB}"')
    if problem:
        if REQUIRE_PG:
            pytest.fail(problem)
        pytest.skip(problem)
    yield _app_url(PG_TEST_DB)
    _pg_admin(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)')


async def _fresh_postgres(url: str) -> None:
    from sqlalchemy import text

    db = Database(url)
    async with db.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await db.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per run; each test gets a copy (migrating from scratch
    per test was most of the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    assert not path.with_name(path.name + "-wal").exists()  # closed: everything is in the one file
    return path


def fresh_sqlite(template: Path, path: Path) -> str:
    """A migrated SQLite database at `path`, copied from the run's template."""
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


# What identifies the schema this run migrated: every table, index, sequence, function,
# constraint and trigger by its object id (a dropped and re-created object gets a new one),
# and the Alembic revision.
_SCHEMA = """SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
    SELECT 'c' || oid || relname || relnatts AS x FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'p' || oid || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'k' || oid FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 't' || t.oid FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'v' || version_num FROM public.alembic_version) AS objects"""
_migrated: dict[str, str] = {}  # the schema's fingerprint and the statements that empty it


async def _pg_connect() -> Any:
    import asyncpg

    return await asyncpg.connect(_direct_url(PG_TEST_DB).replace("postgresql+asyncpg://", "postgresql://"), timeout=5)


async def fresh_postgres(url: str) -> None:
    """The run's PostgreSQL test database as just migrated. When its schema is still the one
    migrated here, the previous test's rows are deleted and the sequences restarted (a tenth of
    a second); otherwise (a test dropped or changed the schema) it is dropped and migrated again
    (seconds: doing that for every test was most of the suite's time)."""
    import asyncpg

    connection = await _pg_connect()
    try:
        if _migrated and await connection.fetchval(_SCHEMA) == _migrated["schema"]:
            await connection.execute(_migrated["empty"])
            return
    except asyncpg.PostgresError:
        pass  # no alembic_version: not migrated
    finally:
        await connection.close()
    _migrated.clear()
    await _fresh_postgres(url)
    db = Database(url)
    await upgrade(db)
    await db.close()
    connection = await _pg_connect()
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        sequences = await connection.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        empty = ("SET session_replication_role = replica;"  # neither foreign keys nor triggers in the way
                 + "".join(f'DELETE FROM public."{t[0]}";' for t in tables)
                 + "".join(f'ALTER SEQUENCE public."{s[0]}" RESTART;' for s in sequences)
                 + "RESET session_replication_role;")
        await connection.execute(empty)  # a role that may not do this migrates for every test instead
        _migrated.update(schema=await connection.fetchval(_SCHEMA), empty=empty)
    except asyncpg.PostgresError:
        pass
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        return fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "herinnering.db")
    url = request.getfixturevalue("postgres_url")
    await fresh_postgres(url)
    return url


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    yield db
    await db.close()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(environ={}).with_database(db_url)


@pytest.fixture
def fake_twilio_state(clock: SettableClock) -> Any:
    from herinnering.fakes.twilio_server import FakeTwilio

    return FakeTwilio(account_sid="AC" + "ab" * 16, auth_token="test-auth-token", callback_delay=0.01, clock=clock)


@pytest.fixture
async def fake_twilio(fake_twilio_state: Any) -> AsyncIterator[Any]:
    """The shipped fake Twilio server on a free port; `.url` is its base URL."""
    from herinnering.fakes.twilio_server import running_fake_twilio

    async with running_fake_twilio(fake_twilio_state) as url:
        fake_twilio_state.url = url
        yield fake_twilio_state


_ids = itertools.count(1)


@pytest.fixture
def make_tenant(database: Database, clock: SettableClock) -> Callable[..., Awaitable[Any]]:
    """Store a tenant; every call gets a new contract id and phone number."""
    from herinnering.adapters.db import tenant_store
    from herinnering.domain.tenants.tenant_csv import TenantRecord

    async def make(**fields: Any) -> Any:
        n = next(_ids)
        values: dict[str, Any] = {
            "external_id": f"HC-{n:06d}", "name": f"Huurder {n}", "phone": f"+3161{n:07d}",
            "channel": "sms", "language": "nl", "monthly_rent_cents": 74550, "collection_day": 1, "iban": None,
        }
        values.update(fields)
        async with database.begin() as connection:
            await tenant_store.upsert(connection, [TenantRecord(**values)], clock.now())
            return await tenant_store.by_external_id(connection, values["external_id"])

    return make


@pytest.fixture
async def runtime(settings: Settings, clock: SettableClock, fake_twilio: Any) -> AsyncIterator[Any]:
    """The wired application on a real database, sending to the fake Twilio server, with the
    web app listening so delivery callbacks come back over HTTP."""
    from herinnering.bootstrap import open_runtime
    from herinnering.web.app import serving

    settings = settings.with_twilio(
        account_sid=fake_twilio.account_sid, auth_token=fake_twilio.auth_token, sms_from="DeLinde",
        whatsapp_from="whatsapp:+3197010203040", api_base_url=fake_twilio.url,
    )
    async with open_runtime(settings, clock) as rt, serving(rt, "127.0.0.1", 0) as url:
        rt.settings = settings.with_server(public_url=url)
        yield rt
