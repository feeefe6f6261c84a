"""`serve --workers 2`: two API processes behind one port, each built by `app_from_environment`."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
import pytest

from api.serving import reuseport_sockets
from domain.actors import OrgType
from tests.live_server import free_port, live_server
from tests.utils import PASSWORD, make_org, make_user

LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
VIEWER = "{ viewer { user { username } } }"
# The kernel hashes each new connection to one worker's socket: over 4 bursts of 32 a split beyond 2/3 of the
# 128 happens by chance about once in 8,000 runs. One shared socket let the first worker to wake take most of
# a burst (26 of 32 measured).
BURSTS, BURST = 4, 32


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


async def _open_kept_alive(port: int, count: int) -> list[asyncio.StreamWriter]:
    """`count` connections opened at once, each answered once (so a worker has accepted it) and kept open."""

    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        return writer

    return list(await asyncio.gather(*(one() for _ in range(count))))


def _accepted_by(workers: set[int], client_ports: set[int]) -> dict[int, int]:
    """How many of our client connections each worker process holds, read from the kernel's socket table."""
    return {
        pid: sum(
            1
            for c in psutil.Process(pid).net_connections(kind="tcp")
            if c.raddr and c.raddr.port in client_ports
        )
        for pid in workers
    }


def _listening_sockets(pid: int, port: int) -> set[str]:
    """The kernel's identities (`socket:[inode]`) of the sockets a process listens on at `port`."""
    return {
        os.readlink(f"/proc/{pid}/fd/{c.fd}")
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    }


async def test_each_worker_accepts_on_its_own_socket_so_bursts_spread_over_the_workers(database_url):
    # given the API served by two worker processes
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
        workers = _worker_pids(server.process.pid)
        listening = [_listening_sockets(pid, port) for pid in workers]
        # when bursts of kept-alive connections arrive, each burst opened at once
        connections: list[asyncio.StreamWriter] = []
        try:
            for _ in range(BURSTS):
                connections += await _open_kept_alive(port, BURST)
            held = _accepted_by(workers, {w.get_extra_info("sockname")[1] for w in connections})
        finally:
            for writer in connections:
                writer.close()
    # then each worker listens on one socket of its own (not one shared by both), every connection is held by
    # a worker, and neither holds more than two thirds of them
    assert len(workers) == 2
    assert [len(sockets) for sockets in listening] == [1, 1]
    assert listening[0] != listening[1]
    assert sum(held.values()) == BURSTS * BURST
    assert max(held.values()) <= BURSTS * BURST * 2 // 3, held


def _live_worker_pids(parent: int) -> set[int]:
    """Like `_worker_pids`, tolerating a worker that vanishes while we look (one is being replaced)."""
    pids = set()
    for child in psutil.Process(parent).children():
        try:
            if any("spawn_main" in part for part in child.cmdline()) and child.status() != "zombie":
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


async def test_a_worker_that_dies_is_replaced_on_its_own_socket_and_its_connections_wait_for_it(database_url):
    # given the API served by two worker processes
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
        workers = _worker_pids(server.process.pid)
        victim = min(workers)
        its_socket = _listening_sockets(victim, port)
        # when one worker is killed, and a burst of connections arrives as soon as its replacement exists
        os.kill(victim, signal.SIGKILL)
        replacement = None
        for _ in range(600):
            now = _live_worker_pids(server.process.pid)
            if len(now) == 2 and victim not in now:
                replacement = (now - workers).pop()
                break
            await asyncio.sleep(0.1)
        assert replacement is not None, "no replacement worker"
        connections = await _open_kept_alive(port, BURST)
        try:
            held = _accepted_by({replacement}, {w.get_extra_info("sockname")[1] for w in connections})
            replacement_socket = _listening_sockets(replacement, port)
        finally:
            for writer in connections:
                writer.close()
    # then every connection was answered, the replacement listens on the socket the dead worker had, and it
    # holds connections that waited in that socket's queue while it started (the others may have been closed
    # by then: uvicorn drops a kept-alive connection after 5 idle seconds)
    assert replacement_socket == its_socket
    assert held[replacement] > 0, held


def test_a_second_server_on_a_port_already_served_is_refused_rather_than_sharing_it():
    # given a group of SO_REUSEPORT sockets listening on a port
    port = free_port()
    group = reuseport_sockets("127.0.0.1", port, 2)
    try:
        # when another server asks for sockets on the same port
        # then it is refused, as a plain bind would be, instead of silently joining the group
        with pytest.raises(OSError):
            reuseport_sockets("127.0.0.1", port, 2)
    finally:
        for sock in group:
            sock.close()
    # and once the first server is gone the port is free again
    for sock in reuseport_sockets("127.0.0.1", port, 2):
        sock.close()
