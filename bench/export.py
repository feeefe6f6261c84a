"""Bulk export in constant memory: peak RSS of a real API process streaming 10,000 and 100,000 projects.

A throw-away database on the embedded PostgreSQL (or DATABASE_URL) gets the projects by one INSERT …
generate_series; `python -m api serve` runs in a child process; the client streams the export and
discards it while psutil samples the server's RSS. Flat peak RSS between the two sizes = constant memory.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

from api.settings import PROJECT_ROOT
from domain.actors import OrgType
from store import migrate
from store.engine import make_engine, make_session_factory
from tests.api.list_helpers import bulk_projects
from tests.browser.live import free_port
from tests.utils import PASSWORD, make_org, make_user

DATABASE = "yk_bench_export"
SIZES = (10_000, 100_000)


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


async def _seed(url: str, count: int, org: int | None, start: int) -> int:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        if org is None:
            org = await make_org(factory, OrgType.UNIT, name="基准测试单位")
            await make_user(factory, org, "bench.export")
        await bulk_projects(factory, org, count, start=start)
        return org
    finally:
        await engine.dispose()


def _export(base: str, token: str, fmt: str, server: psutil.Process) -> tuple[int, int, float, float]:
    """(rows, bytes, seconds, peak RSS MiB during the export)."""
    peak, done = [server.memory_info().rss], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(server.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    rows = size = 0
    started = time.perf_counter()
    with httpx.stream(
        "GET", f"{base}/export/projects.{fmt}", headers={"Authorization": f"Bearer {token}"}, timeout=600
    ) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return rows - (1 if fmt == "csv" else 0), size, elapsed, max(peak) / 2**20


def main() -> None:
    server_url = _server_url()
    url = make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)

    async def create() -> None:
        admin = await _admin(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        await admin.close()

    async def drop() -> None:
        admin = await _admin(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.close()

    asyncio.run(create())
    migrate.upgrade(url)
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "YK_LOG_LEVEL": "WARNING",
        "YK_WEBHOOK_WORKER": "false",
        "YK_RATE_LIMIT_PER_MINUTE": "0",
    }
    child = None
    try:
        org, seeded = None, 0
        for count in SIZES:
            org = asyncio.run(_seed(url, count - seeded, org, start=seeded + 1))
            seeded = count
            if child is None:
                child = subprocess.Popen(
                    [sys.executable, "-m", "api", "serve", "--no-demo", "--port", str(port)],
                    env=env,
                    cwd=PROJECT_ROOT,
                    stdout=subprocess.DEVNULL,
                )
                base = f"http://127.0.0.1:{port}"
                for _ in range(200):
                    try:
                        if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                server = psutil.Process(child.pid)
                token = httpx.post(
                    f"{base}/graphql",
                    json={
                        "query": 'mutation($p: String!) { login(input: {username: "bench.export", password: $p}) '
                        "{ token } }",
                        "variables": {"p": PASSWORD},
                    },
                ).json()["data"]["login"]["token"]
                idle = server.memory_info().rss / 2**20
                print(f"server RSS before any export: {idle:.1f} MiB")
            for fmt in ("ndjson", "csv"):
                rows, size, seconds, peak = _export(base, token, fmt, server)
                print(
                    f"{fmt:6} {rows:>7} projects  {size / 2**20:6.1f} MiB  {seconds:5.1f} s  "
                    f"{rows / seconds:8.0f} rows/s  peak server RSS {peak:6.1f} MiB"
                )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=30)
        asyncio.run(drop())
