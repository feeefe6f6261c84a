"""Real API processes for tests that need more than one (uvicorn workers, several processes on one database)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from api.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    http: httpx.AsyncClient


@contextlib.asynccontextmanager
async def live_server(args: list[str], env: dict[str, str], port: int) -> AsyncIterator[LiveServer]:
    """`python <args>` listening on `port`, once /readyz answers; terminated (killed if it must) afterwards."""
    process = subprocess.Popen(  # noqa: ASYNC220 — our own interpreter; Popen does not wait
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(300):
                assert process.poll() is None, f"{args} exited"
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            yield LiveServer(process, http)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.asynccontextmanager
async def api_processes(
    database_url: str, count: int = 2, settings: dict[str, str] | None = None
) -> AsyncIterator[list[LiveServer]]:
    """`count` uvicorn processes of the API (tests/authz/live_app.py) on free ports, all on one database;
    `settings` are extra environment variables (`YK_RATE_LIMIT_PER_MINUTE` …)."""
    from tests.authz.live_app import DATABASE_ENV

    env = {**os.environ, DATABASE_ENV: database_url, **(settings or {})}
    async with contextlib.AsyncExitStack() as stack:
        servers = []
        for _ in range(count):
            port = free_port()
            args = ["-m", "uvicorn", "tests.authz.live_app:app", "--factory", "--host", "127.0.0.1"]
            args += ["--port", str(port), "--log-level", "warning"]
            servers.append(await stack.enter_async_context(live_server(args, env, port)))
        yield servers
