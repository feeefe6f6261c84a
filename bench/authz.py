"""Authorization cost: enforcer calls per request at page sizes 10 and 100, p50 of the project list.

Runs on the embedded PostgreSQL (or DATABASE_URL) in a throw-away database with a few hundred projects
inserted with SQL, through the whole app (lifespan included, so the policy comes from the database).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import httpx
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from api.app import create_app
from api.logs import configure_logging
from api.settings import PROJECT_ROOT, Settings
from authz import policy_store
from authz.enforcer import Authorizer
from authz.listener import PolicyListener, asyncpg_connector
from authz.scopes import ALL_SCOPES
from domain.actors import OrgType
from domain.lifecycle import Status
from store import migrate, tables
from store.engine import make_engine, make_session_factory
from tests.utils import Api, make_org, make_user

DATABASE = "yk_bench_authz"
PROJECTS = 400
RUNS = 40
QUERY = """query($n: Int!) { projects(first: $n) { totalCount edges { node {
  id name status contact { name phone } availableActions { operation allowed } } } } }"""


def _server_url() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured.replace("postgresql://", "postgresql+asyncpg://", 1)
    from store import embedded

    return embedded.start(PROJECT_ROOT / ".pgdata", database="yingkou")


async def _admin(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    query = dict(parsed.query)
    return await asyncpg.connect(
        user=parsed.username,
        password=parsed.password,
        database="postgres",
        host=query.get("host", parsed.host),
        port=int(query.get("port", parsed.port or 5432)),
    )


async def _seed(factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Units leading and joining projects in every state; returns usernames by role."""
    rng = random.Random(6)
    units = [await make_org(factory, OrgType.UNIT, f"bench-unit-{i}") for i in range(6)]
    bdb = await make_org(factory, OrgType.BDB, "bench-bdb")
    now = datetime.now(UTC)
    async with factory() as session, session.begin():
        for n in range(PROJECTS):
            status = rng.choice(list(Status))
            pk = (
                await session.execute(
                    insert(tables.projects)
                    .values(
                        code=None if status is Status.DRAFT else f"YK-2026-{n:04d}",
                        name=f"项目{n}",
                        kind="BUILD",
                        category="BUSINESS_SYSTEM",
                        funding_source="FISCAL",
                        total_investment=Decimal("100000.00"),
                        lead_organization_id=units[0] if n % 2 else rng.choice(units),
                        deploys_on_government_cloud=True,
                        connects_resource_platform=True,
                        status=status.value,
                        contact_name="联系人",
                        contact_phone="0417-0000000",
                        created_at=now,
                        updated_at=now,
                        version=1,
                    )
                    .returning(tables.projects.c.id)
                )
            ).scalar_one()
            if n % 3 == 0:
                await session.execute(
                    insert(tables.project_participants).values(
                        project_id=pk, organization_id=units[0] if n % 2 == 0 else units[1]
                    )
                )
    return {
        "unit": await make_user(factory, units[0], "bench.unit"),
        "bdb": await make_user(factory, bdb, "bench.bdb"),
    }


async def _measure(url: str) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    users = await _seed(factory)
    authorizer = Authorizer()
    app = create_app(
        Settings(token_secret="bench-" + "z" * 40, environment="development"),
        engine=engine,
        authorizer=authorizer,
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://b") as http,
    ):
        api = Api(http)
        tokens = {role: await api.login(name) for role, name in users.items()}
        print(f"policy version {authorizer.version} from the database; {PROJECTS} projects")
        for role, token in tokens.items():
            calls = {}
            for size in (10, 100):
                authorizer.forget()  # the cold cost of one request: nothing memoised yet
                before = authorizer.enforce_calls
                body = await api.gql(QUERY, {"n": size}, token=token)
                rows = len(body["data"]["projects"]["edges"])
                calls[size] = authorizer.enforce_calls - before
                print(
                    f"{role:5} page {size:3} ({rows:3} rows): {calls[size]:3} enforcer calls per request (cold)"
                )
            print(f"{role:5} calls equal at 10 and 100: {calls[10] == calls[100]}")
        cost = _enforce_cost(authorizer)
        print(f"one casbin enforce(): {cost * 1_000_000:.0f} µs")
        await _propagation(url, factory, authorizer)
        for role, token in tokens.items():
            for size in (10, 100):
                timings = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    await api.gql(QUERY, {"n": size}, token=token)
                    timings.append((time.perf_counter() - started) * 1000)
                print(
                    f"{role:5} page {size:3}: p50 {statistics.median(timings):6.1f} ms "
                    f"(min {min(timings):.1f}, {RUNS} runs, warm decisions)"
                )


def _enforce_cost(authorizer: Authorizer) -> float:
    started, n = time.perf_counter(), 500
    for i in range(n):
        authorizer.enforce("unit", "project:update", frozenset({"any", ALL_SCOPES[i % len(ALL_SCOPES)]}))
    return (time.perf_counter() - started) / n


async def _propagation(url: str, factory, authorizer: Authorizer) -> None:  # type: ignore[no-untyped-def]
    """A second follower of the same database: how long until a change committed here is in force there."""
    other = Authorizer()
    listener = PolicyListener(authorizer=other, session_factory=factory, connect=asyncpg_connector(url))
    await listener.start()
    delays = []
    try:
        await asyncio.sleep(0.2)
        for _ in range(10):
            async with factory() as session, session.begin():
                await policy_store.bump_version(session)
                version = (await session.execute(select(tables.policy_state.c.version))).scalar_one()
            committed = time.perf_counter()
            while other.version < version:  # noqa: ASYNC110 — polling is what is measured
                await asyncio.sleep(0.001)
            delays.append((time.perf_counter() - committed) * 1000)
    finally:
        await listener.stop()
    print(
        f"policy change in force in another follower after: p50 {statistics.median(delays):.1f} ms, "
        f"max {max(delays):.1f} ms (LISTEN/NOTIFY, 10 changes)"
    )


async def _run() -> None:
    server = _server_url()
    admin = await _admin(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        url = make_url(server).set(database=DATABASE).render_as_string(hide_password=False)
        migrate.upgrade(url)
        await _measure(url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    configure_logging("WARNING")  # one info line per request would drown the figures
    asyncio.run(_run())
