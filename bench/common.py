"""Shared pieces of the benchmarks: a fresh database, seed data, live servers, a closed-loop load."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
import orjson
from sqlalchemy.engine import make_url

from api.auth import hash_password
from api.settings import PROJECT_ROOT, Settings, database_url
from store import migrate

PASSWORD = "bench-password-2026"  # noqa: S105
SECRET = "bench-secret-" + "x" * 40
# Processes per server, for the API and for the raw yardstick alike: one per core, as deployed.
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"


# Headline figures, printed where they are measured and again together at the end of `python -m bench`.
SUMMARY: list[str] = []


def summarize(line: str) -> None:
    """Print a headline figure now and keep it for the summary `python -m bench` ends with."""
    print(line, flush=True)
    SUMMARY.append(line)


def libpq(url: str) -> dict[str, object]:
    parsed = make_url(url)
    query = dict(parsed.query)
    return {
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
        "host": query.get("host", parsed.host),
        "port": int(query.get("port", parsed.port or 5432)),
    }


def _server() -> str:
    """DATABASE_URL when set; otherwise a private embedded server, so benchmarks and the shared test server
    (started and stopped by other people's test runs) do not disturb each other. Stopped when we exit."""
    if os.environ.get("DATABASE_URL"):
        return database_url(Settings())
    from store import embedded

    return embedded.start(Path(os.environ.get("BENCH_PGDATA", "/tmp/yingkou-bench-pg")), database="bench")  # noqa: S108


async def fresh_database(name: str) -> str:
    """Drop and re-create `name` on the configured server (embedded by default), migrated to head."""
    server = _server()
    admin = await asyncpg.connect(**(libpq(server) | {"database": "postgres"}))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(migrate.upgrade, url)
    return url


async def copy_database(url: str, name: str) -> str:
    """A copy of the database at `url` named `name` (the original must have no connections), with statistics
    of its own: ANALYZE samples rows at random, so each copy gives the planner a fresh draw of estimates."""
    admin = await asyncpg.connect(**(libpq(url) | {"database": "postgres"}))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    finally:
        await admin.close()
    copy = make_url(url).set(database=name).render_as_string(hide_password=False)
    conn = await asyncpg.connect(**libpq(copy))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return copy


async def seed(url: str, *, projects: int, units: int = 20) -> None:
    """Organizations, one user per role used by the benchmarks, `projects` projects spread over units."""
    connection = await asyncpg.connect(**libpq(url))
    try:
        password = hash_password(PASSWORD)
        async with connection.transaction():
            await connection.execute("""
                INSERT INTO organizations (name, type)
                VALUES ('营口市大数据管理局', 'bdb'), ('营口市审计局', 'audit')""")
            await connection.execute(
                """
                INSERT INTO organizations (name, type)
                SELECT '营口市单位' || g, 'unit' FROM generate_series(1, $1) g""",
                units,
            )
            await connection.execute(
                """
                INSERT INTO users (username, display_name, password_hash, organization_id, is_admin)
                SELECT CASE type WHEN 'audit' THEN 'bench.audit' WHEN 'bdb' THEN 'bench.bdb'
                                 ELSE 'bench.' || id END, name, $1, id, false
                FROM organizations""",
                password,
            )
            await connection.execute(
                """
                INSERT INTO projects (code, year, name, description, kind, category, funding_source,
                    total_investment, lead_organization_id, deploys_on_government_cloud,
                    connects_resource_platform, status, created_at, updated_at, version, submitted_at)
                SELECT 'YK-2026-' || lpad(g::text, 6, '0'), 2026,
                       '营口市政务信息化项目' || g, '建设内容' || g,
                       'BUILD', 'BUSINESS_SYSTEM', 'FISCAL', 100000 + (g % 5000) * 1000,
                       (SELECT min(id) FROM organizations WHERE type = 'unit') + g % $2, true, true,
                       (ARRAY['DRAFT','RESERVE_REVIEW','IN_RESERVE'])[1 + g % 3],
                       now() - make_interval(mins => g), now() - make_interval(mins => g), 1, now()
                FROM generate_series(1, $1) g""",
                projects,
                units,
            )
            await connection.execute("ANALYZE")
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base: str  # e.g. http://127.0.0.1:8123
    pid: int


@contextlib.contextmanager
def server(args: list[str], url: str, port: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A live server process on `port` (with `env` added to its environment), yielded once /healthz answers."""
    env = (
        os.environ
        | {
            "DATABASE_URL": url,
            "YK_TOKEN_SECRET": SECRET,
            "YK_LOG_LEVEL": "WARNING",
            "YK_RATE_LIMIT_PER_MINUTE": "100000000",
            "YK_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "100000000",
        }
        | (env or {})
    )
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server {args} did not start")
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    latencies_ms: list[float]
    acts: int  # warm-up included
    client_cpu_ms: float  # the load generator's own CPU per `act`: it shares this machine's cores

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies_ms, n=20)[-1]

    def line(self, label: str) -> str:
        return (
            f"{label:<28} {self.throughput:8.1f} req/s   p50 {self.p50:7.1f} ms   p95 {self.p95:7.1f} ms"
            f"   (load generator {self.client_cpu_ms:.2f} ms CPU a request)"
        )


class LoadClient:
    """The load generator's HTTP client, on aiohttp: its C parser costs ~0.3 ms of CPU a request here, where
    httpx's connection pool cost ~2.3 ms at 16 concurrent clients — CPU taken from the server under test,
    since both share this machine's two cores."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def post_json(
        self, path: str, body: object, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"} | (headers or {})
        async with self._session.post(path, data=orjson.dumps(body), headers=headers) as response:
            return response.status, orjson.loads(await response.read())

    async def get_json(self, path: str) -> tuple[int, Any]:
        async with self._session.get(path) as response:
            return response.status, orjson.loads(await response.read())


async def closed_loop(
    act: Callable[[LoadClient, int], Awaitable[None]],
    *,
    base: str,
    clients: int,
    seconds: float,
    warmup: float = 1.0,
) -> Figures:
    """`clients` concurrent loops each calling `act` back to back, over `clients` kept-alive connections;
    latencies after the warm-up only."""
    latencies: list[float] = []
    acts = 0
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        http = LoadClient(session)
        start, cpu_start = time.perf_counter(), time.process_time()
        measure_from, stop_at = start + warmup, start + warmup + seconds

        async def loop(worker: int) -> None:
            nonlocal acts
            n = 0
            while (now := time.perf_counter()) < stop_at:
                await act(http, worker * 1_000_000 + n)
                n += 1
                acts += 1
                if now >= measure_from:
                    latencies.append((time.perf_counter() - now) * 1000)

        await asyncio.gather(*(loop(w) for w in range(clients)))
        client_cpu_ms = (time.process_time() - cpu_start) * 1000 / max(acts, 1)
    return Figures(len(latencies), seconds, latencies, acts, client_cpu_ms)


async def login(base: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        body = (
            await http.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"u": username, "p": PASSWORD},
                },
            )
        ).json()
    return str(body["data"]["login"]["token"])


@contextlib.asynccontextmanager
async def connection(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(**libpq(url))
    try:
        yield conn
    finally:
        await conn.close()
