"""`serve --workers 2`: two API processes behind one port, each built by `app_from_environment`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from domain.actors import OrgType
from tests.live_server import free_port, live_server
from tests.utils import PASSWORD, make_org, make_user

LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
VIEWER = "{ viewer { user { username } } }"


def _worker_pids(parent: int) -> set[int]:
    """The worker processes uvicorn's supervisor spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return {pid for pid in pids if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()}


async def test_two_workers_serve_one_port_on_one_database(database_url, session_factory):
    # given a unit user in the test database and the API served by two worker processes
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "workers.unit")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YK_TOKEN_SECRET": "w" * 48,
        "YK_LOG_LEVEL": "WARNING",
        "YK_WEBHOOK_WORKER": "false",
        "YK_NOTIFICATION_WORKER": "false",
    }
    serve = ["-m", "api", "serve", "--no-demo", "--workers", "2", "--port", str(port)]
    async with live_server(serve, env, port) as server:
        # when a user signs in and asks who they are, many times over
        login = await server.http.post(
            "/graphql", json={"query": LOGIN, "variables": {"u": "workers.unit", "p": PASSWORD}}
        )
        token = login.json()["data"]["login"]["token"]
        answers = await asyncio.gather(
            *(
                server.http.post(
                    "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
                )
                for _ in range(20)
            )
        )
        workers = _worker_pids(server.process.pid)
    # then two worker processes ran, and every answer knew the user (a token from one works on the other)
    assert len(workers) == 2
    assert {a.json()["data"]["viewer"]["user"]["username"] for a in answers} == {"workers.unit"}
