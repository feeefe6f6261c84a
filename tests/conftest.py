"""Test fixtures: a real PostgreSQL (embedded, or DATABASE_URL), a fresh migrated database per test.

Each test gets its own database cloned from a migrated template (about 60 ms): tests are isolated, and
concurrency tests see real, separate connections — exactly as production does.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import cache

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from api.settings import PROJECT_ROOT, Settings
from store import migrate, roles
from store.engine import make_engine, make_session_factory
from store.mapping import map_domain
from tests.utils import Api

# The app maps the domain classes at start-up, before any domain object exists. Do the same before any test
# module is imported: an object a module builds at import (tests/unit/test_plan_rules.py's CALL) and a mapping
# made later in the same worker (the first app a later file starts) break each other's attribute access.
map_domain()

_counter = itertools.count()


class FakeClock:
    """An injectable clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@cache
def _server_url() -> str:
    """A SQLAlchemy asyncpg URL of some database on the test server, as its superuser (administration)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
            "postgres://", "postgresql+asyncpg://", 1
        )
    from store import embedded

    return embedded.start(PROJECT_ROOT / ".pgdata", database="yingkou")


# The test roles reach a DATABASE_URL server over TCP, so they need a password there (only there: the
# embedded server trusts its socket). A test server's password, not a secret.
_ROLE_PASSWORD = "yingkou-test-role"


def _with_database(url: str, database: str, role: str | None = None) -> str:
    """`url` on another database; as `role` (the owner or the runtime role) when given."""
    parsed = make_url(url).set(database=database)
    if role is not None:
        password = _ROLE_PASSWORD if os.environ.get("DATABASE_URL") else None
        parsed = parsed.set(username=role, password=password)
    return parsed.render_as_string(hide_password=False)


async def _admin_connection(url: str) -> asyncpg.Connection:
    """The superuser on the server of `url` (whatever role `url` names): creates databases and roles."""
    admin = make_url(_server_url())
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    query = dict(parsed.query)
    return await asyncpg.connect(
        user=admin.username,
        password=admin.password,
        database="postgres",
        host=query.get("host", parsed.host),
        port=int(query.get("port", parsed.port or 5432)),
    )


@pytest.fixture(scope="session")
async def template_database() -> AsyncIterator[str]:
    """The owner's URL of a database migrated by the owner role, with the runtime role granted."""
    server = _server_url()
    name = f"yk_test_template_{os.getpid()}"
    admin = await _admin_connection(server)
    try:
        password = _ROLE_PASSWORD if os.environ.get("DATABASE_URL") else None
        # pytest-xdist workers share the server: one at a time creates the roles (CREATE ROLE races otherwise)
        await admin.execute("SELECT pg_advisory_lock(20261130)")
        try:
            await admin.execute(roles.ensure_roles_sql(password=password))
        finally:
            await admin.execute("SELECT pg_advisory_unlock(20261130)")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" OWNER {roles.OWNER}')
        url = _with_database(server, name, roles.OWNER)
        migrate.upgrade(url, runtime_role=roles.RUNTIME)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def owner_database_url(template_database: str) -> AsyncIterator[str]:
    """A fresh migrated database of this test, as the owner role (what migrations and backups use)."""
    template = make_url(template_database).database
    name = f"yk_test_{os.getpid()}_{next(_counter)}"
    admin = await _admin_connection(template_database)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER {roles.OWNER}')
        yield _with_database(template_database, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def module_database_url(template_database: str) -> AsyncIterator[str]:
    """A fresh migrated database shared by one module's tests, as the runtime role: for modules that start
    real API processes once (tests/live_server.py) rather than once per test."""
    template = make_url(template_database).database
    name = f"yk_test_{os.getpid()}_m{next(_counter)}"
    admin = await _admin_connection(template_database)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER {roles.OWNER}')
        yield _with_database(template_database, name, roles.RUNTIME)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def database_url(owner_database_url: str) -> str:
    """The same database as the runtime role: the app in every test runs with the API's privileges only."""
    return _with_database(owner_database_url, str(make_url(owner_database_url).database), roles.RUNTIME)


@pytest.fixture
def superuser_database_url(owner_database_url: str) -> str:
    """The same database as the server's superuser (what an intruder with superuser rights could do)."""
    admin = make_url(_server_url())
    database = str(make_url(owner_database_url).database)
    return (
        make_url(owner_database_url)
        .set(database=database, username=admin.username, password=admin.password)
        .render_as_string(hide_password=False)
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
async def owner_session_factory(
    owner_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions as the owner role (every privilege on every table: what the triggers alone must refuse)."""
    engine = make_engine(owner_database_url, pool_size=1)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def superuser_session_factory(
    superuser_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions as the superuser, for tests that play an intruder or prepare what the API may not do."""
    engine = make_engine(superuser_database_url, pool_size=1)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))  # 2026-03-02 09:30 in Yingkou


@pytest.fixture
def settings() -> Settings:
    return Settings(token_secret="test-secret-" + "x" * 40, token_ttl_minutes=60, environment="development")


@pytest.fixture
async def client(
    settings: Settings, engine: AsyncEngine, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    # As the lifespan's shutdown does (ASGITransport runs none): else the rate counter's merge task outlives
    # the test, reconnects on the disposed engine and retries on the dropped database (16 attempts, 2 s).
    await app.state.rate_counter.stop()


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
