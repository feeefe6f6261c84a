"""Issue 17: reads on a REAL streaming replica (pg_basebackup of the test server), writes on the primary,
read-your-writes through the WAL position, lag in /metrics and /readyz, and the fall-back when it dies.

One replica for the module (it is the expensive part); each test gets its database on the primary as
usual, and the replica receives it by streaming. "Two API processes" are two apps on the same databases,
each with its own replica watcher and memory, as two uvicorn workers would have.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from api.read_replicas import RecentWrites, header_position
from api.settings import Settings
from domain.actors import Actor, OrgType
from store import roles, tables
from store.replicas import format_lsn, parse_lsn
from tests.api.lifecycle_helpers import TEST_SECRET
from tests.api.projects_helpers import CREATE, draft_input
from tests.replica_server import ReplicaServer
from tests.utils import Api, make_org, make_user, session_token

LIST = "{ projects(first: 50) { edges { node { name } } } }"
POSITION = "x-yk-wal-position"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the replica is made from the embedded server's own files"
)


@pytest.fixture(scope="module")
def replica(template_database: str) -> Iterator[ReplicaServer]:
    server = ReplicaServer(template_database, Path(tempfile.mkdtemp(prefix="yk-replica-")))
    server.create()
    yield server
    server.remove()


MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(
    replica: ReplicaServer, database_url: str, engine: AsyncEngine, settings: Settings, clock: Any
) -> AsyncIterator[MakeApi]:
    """An API process (app) reading from the replica, with these settings changed."""
    database = str(make_url(database_url).database)
    await _replicated(replica, database)
    apps: list[Any] = []

    async def make(**changes: Any) -> Api:
        configured = settings.model_copy(
            update={
                "replica_urls": [replica.url(database, roles.RUNTIME)],
                "replica_check_seconds": 0.1,
                **changes,
            }
        )
        app = create_app(configured, engine=engine, clock=clock)
        apps.append(app)
        return Api(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver"))

    yield make
    for app in apps:
        await app.state.replicas.stop()


async def _replicated(replica: ReplicaServer, database: str) -> None:
    """The test's new database has reached the replica (CREATE DATABASE streams like any write)."""
    deadline = time.monotonic() + 15
    while not replica.sql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):  # noqa: S608 (ours)
        assert time.monotonic() < deadline, "the replica never received the test database"
        await asyncio.sleep(0.05)


async def _unit(api: Api, factory: async_sessionmaker[AsyncSession], clock: Any) -> str:
    """A unit's user with a session token minted directly (an argon2 sign-in costs seconds on a busy machine)."""
    org = await make_org(factory, OrgType.UNIT, name="测试-unit")
    await make_user(factory, org, "user.unit")
    async with factory() as session:
        user_id = (
            await session.execute(select(tables.users.c.id).where(tables.users.c.username == "user.unit"))
        ).scalar_one()
    actor = Actor(user_id=user_id, organization_id=org, role="unit", username="user.unit")
    return await session_token(api, actor, secret=TEST_SECRET, now=clock())


async def _create(api: Api, token: str, name: str) -> httpx.Response:
    response = await api.client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": draft_input(name=name)}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json()["data"]["projectCreate"]["userErrors"] == []
    return response


async def _names(api: Api, token: str, position: str | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {token}", **({POSITION: position} if position else {})}
    response = await api.client.post("/graphql", json={"query": LIST}, headers=headers)
    assert response.status_code == 200, response.text
    return [edge["node"]["name"] for edge in response.json()["data"]["projects"]["edges"]]


async def _metrics(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name.startswith(("yk_db_replica", "yk_db_reads_routed"))
    }


def _routed(metrics: dict[Any, float], target: str, reason: str) -> float:
    return metrics.get(("yk_db_reads_routed_total", (("reason", reason), ("target", target))), 0.0)


def _replica1(name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, (("replica", "replica1"),))


async def test_a_query_reads_on_the_replica_and_a_mutation_writes_on_the_primary(
    replica: ReplicaServer,
    make_api: MakeApi,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    # given two API processes, and a replica that stops replaying (it still answers reads)
    one, other = await make_api(), await make_api()
    token = await _unit(one, session_factory, clock)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when the unit creates a project through one process (the replica would refuse the write) ...
        created = await _create(one, token, "只读副本测试项目")
        # ... and lists it through the other, once without the position the write answered and once with it
        without_position = await _names(other, token)
        with_position = await _names(other, token, created.headers[POSITION])
        same_process = await _names(one, token)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then the plain read came from the replica, which has not replayed the write yet; the reads that must
    # see it waited for the paused replica in vain and went to the primary (the writer's own process
    # remembers its position without the header)
    assert without_position == []
    assert with_position == ["只读副本测试项目"]
    assert same_process == ["只读副本测试项目"]
    seen = await _metrics(other)
    assert _routed(seen, "replica1", "rotation") == 1
    assert _routed(seen, "primary", "wait-timeout") == 1
    assert parse_lsn(created.headers[POSITION]) is not None


async def test_read_your_writes_waits_for_a_delayed_replica_and_reads_there(
    replica: ReplicaServer,
    make_api: MakeApi,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    # given a replica that applies every commit one second late (real lag), and two API processes that
    # may wait up to three seconds for it
    one, other = await make_api(replica_wait_ms=3000), await make_api(replica_wait_ms=3000)
    token = await _unit(one, session_factory, clock)
    replica.sql("ALTER SYSTEM SET recovery_min_apply_delay = '1s'")
    replica.sql("SELECT pg_reload_conf()")
    try:
        # when a project is created, then listed at once through the other process without and with the
        # position the write answered
        created = await _create(one, token, "延迟副本测试项目")
        started = time.monotonic()
        stale = await _names(other, token)
        own = await _names(other, token, created.headers[POSITION])
        waited = time.monotonic() - started
    finally:
        replica.sql("ALTER SYSTEM RESET recovery_min_apply_delay")
        replica.sql("SELECT pg_reload_conf()")
    # then the lag is real for everyone else, and the writer's read waited for the replica to replay it
    assert stale == []
    assert own == ["延迟副本测试项目"]
    assert 0.2 < waited < 3.0
    seen = await _metrics(other)
    assert _routed(seen, "replica1", "waited") == 1
    assert _routed(seen, "primary", "wait-timeout") == 0


async def test_lag_shows_in_metrics_and_readyz_and_a_replica_over_the_bound_leaves_rotation(
    replica: ReplicaServer,
    make_api: MakeApi,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    # given a process that takes a replica out beyond 0.3 s of lag, and a replica that stops replaying
    api = await make_api(replica_max_lag_seconds=0.3)
    token = await _unit(api, session_factory, clock)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when a write leaves it behind for more than the bound
        await _create(api, token, "滞后测试项目")
        await asyncio.sleep(0.6)
        ready = await api.client.get("/readyz")
        behind = await _metrics(api)
        reader = await make_api(replica_max_lag_seconds=0.3)  # another process: nothing remembered
        listed = await _names(reader, token)
        routed = await _metrics(reader)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then /readyz stays ready and reports the replica lagging, /metrics has its lag in bytes and seconds,
    # and reads go to the primary meanwhile
    assert ready.status_code == 200
    (report,) = ready.json()["replicas"]
    assert report["name"] == "replica1" and report["state"] == "lagging"
    assert report["lagBytes"] > 0 and report["lagSeconds"] >= 0.3
    assert behind[_replica1("yk_db_replica_lag_bytes")] > 0
    assert behind[_replica1("yk_db_replica_lag_seconds")] >= 0.3
    assert behind[_replica1("yk_db_replica_in_rotation")] == 0
    assert behind[_replica1("yk_db_replica_up")] == 1
    assert listed == ["滞后测试项目"]
    assert _routed(routed, "primary", "none-in-rotation") == 1
    # and once it replays again it is back, with no lag
    deadline = time.monotonic() + 10
    while (report := (await api.client.get("/readyz")).json()["replicas"][0])["state"] != "ok":
        assert time.monotonic() < deadline, report
        await asyncio.sleep(0.05)
    assert report["lagBytes"] == 0 and report["lagSeconds"] == 0


async def test_a_dead_replica_leaves_rotation_and_reads_fall_back_to_the_primary(
    replica: ReplicaServer,
    make_api: MakeApi,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Any,
) -> None:
    # given a process that has been reading from the replica (its pool holds replica connections)
    api = await make_api()
    token = await _unit(api, session_factory, clock)
    await _create(api, token, "副本宕机测试项目")
    reader = await make_api()
    assert await _names(reader, token) in ([], ["副本宕机测试项目"])
    # when the replica dies
    replica.stop("immediate")
    try:
        first = await reader.client.post(
            "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {token}"}
        )
        await asyncio.sleep(0.3)  # a few checks
        listed = await _names(reader, token)
        ready = await reader.client.get("/readyz")
        seen = await _metrics(reader)
    finally:
        replica.start()
    # then a read caught on the dying replica is at worst UNAVAILABLE (retry), never a 500, and the
    # following reads are served by the primary while /readyz stays ready and reports the replica down
    assert first.status_code in (200, 503), first.text
    assert listed == ["副本宕机测试项目"]
    assert ready.status_code == 200 and ready.json()["replicas"][0]["state"] == "down"
    assert seen[_replica1("yk_db_replica_up")] == 0
    assert seen[_replica1("yk_db_replica_in_rotation")] == 0
    assert _routed(seen, "primary", "none-in-rotation") >= 1


async def test_without_replicas_nothing_changes(api: Api) -> None:
    # given the default settings (no YK_REPLICA_URLS)
    # when the readiness probe and a mutation answer
    ready = await api.client.get("/readyz")
    refused = await api.post(CREATE, {"input": draft_input()})
    # then there is no replica report and no WAL position header
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert refused.status_code == 200 and POSITION not in refused.headers


def test_wal_positions_parse_and_print_as_postgresql_writes_them() -> None:
    # given / when / then: pg_lsn's text form round-trips, and only well-formed headers count
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert format_lsn(parse_lsn("16/B374D848") or 0) == "16/B374D848"
    assert header_position({"headers": [(b"x-yk-wal-position", b"0/3000148")]}) == 0x3000148
    assert header_position({"headers": [(b"x-yk-wal-position", b"99999999999/0")]}) is None
    assert header_position({"headers": []}) is None


def test_recent_writes_are_bounded_and_short_lived() -> None:
    # given a memory of two principals for a moment
    recent = RecentWrites(seconds=0.05, max_entries=2)
    # when three write, one of them twice (an older position never moves it back)
    recent.remember("user:1", 100)
    recent.remember("user:2", 200)
    recent.remember("user:2", 150)
    recent.remember("user:3", 300)
    # then the least recent is forgotten first, and everything after its time
    assert (recent.get("user:1"), recent.get("user:2"), recent.get("user:3")) == (None, 200, 300)
    assert len(recent) == 2
    time.sleep(0.06)
    assert recent.get("user:3") is None
