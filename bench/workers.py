"""How connections reach the workers: `api serve --workers N` (one SO_REUSEPORT socket per worker) against
uvicorn's own `--workers N` (one socket shared by all), serving the same project list, rounds taking turns.

With the shared socket the first worker to wake accepts a whole burst of kept-alive connections; each run
therefore opens its 32 connections afresh and prints how many each worker holds and how much CPU each spent. Environment: BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3).
"""

from __future__ import annotations

import asyncio
import os
import statistics

import psutil

from bench.common import (
    WORKERS,
    LoadClient,
    closed_loop,
    free_port,
    fresh_database,
    login,
    seed,
    server,
    summarize,
)
from bench.list_vs_raw import CLIENTS, QUERY


def _workers(parent: int) -> list[psutil.Process]:
    """uvicorn's worker processes (spawned; not multiprocessing's resource tracker)."""
    return [
        child
        for child in psutil.Process(parent).children()
        if any("spawn_main" in part for part in child.cmdline())
    ]


def _cpu(processes: list[psutil.Process]) -> list[float]:
    return [sum(p.cpu_times()[:2]) for p in processes]


def _connections(processes: list[psutil.Process], port: int) -> list[int]:
    """Established client connections each worker holds on `port`, from the kernel's socket table."""
    return [
        sum(
            1
            for c in p.net_connections(kind="tcp")
            if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
        )
        for p in processes
    ]


async def _split_during(processes: list[psutil.Process], port: int, after: float) -> list[int]:
    await asyncio.sleep(after)  # all clients have connected by the end of the warm-up
    return _connections(processes, port)


async def run() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    url = await fresh_database("yk_bench_workers")
    await seed(url, projects=1000)
    print(f"{CLIENTS} clients, page of 50, {WORKERS} workers each, {seconds:.0f} s a run, {rounds} rounds")
    own, shared = free_port(), free_port()
    serve = ["-m", "api", "serve", "--no-demo", "--port", str(own), "--workers", str(WORKERS)]
    uvicorn = [
        "-m",
        "uvicorn",
        "api.app:app_from_environment",
        "--factory",
        "--port",
        str(shared),
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    rates: dict[str, list[float]] = {"SO_REUSEPORT": [], "shared": []}
    with server(serve, url, own) as own_server, server(uvicorn, url, shared) as shared_server:
        headers = {"Authorization": f"Bearer {await login(own_server.base, 'bench.audit')}"}
        payload = {"query": QUERY, "variables": {"n": 50}}

        async def ask(http: LoadClient, n: int) -> None:
            status, _ = await http.post_json("/graphql", payload, headers)
            assert status == 200

        for n in range(1, rounds + 1):
            print(f"round {n}:")
            for label, running in (("SO_REUSEPORT", own_server), ("shared", shared_server)):
                workers = _workers(running.pid)
                port = int(running.base.rsplit(":", 1)[1])
                before = _cpu(workers)
                split_task = asyncio.create_task(_split_during(workers, port, 1.5))
                figures = await closed_loop(ask, base=running.base, clients=CLIENTS, seconds=seconds)
                spent = [after - start for after, start in zip(_cpu(workers), before, strict=True)]
                held = await split_task
                rates[label].append(figures.throughput)
                cpu = " / ".join(f"{s:.2f}" for s in spent)
                connections = " / ".join(str(n) for n in held)
                print(
                    f"  {figures.line(label + ' socket(s)')}   connections per worker {connections}, "
                    f"CPU {cpu} s"
                )
    own_median, shared_median = (statistics.median(rates[k]) for k in ("SO_REUSEPORT", "shared"))
    summarize(
        f"workers: the list at {own_median:.0f} req/s with a socket per worker against {shared_median:.0f} "
        f"with one shared socket ({own_median / shared_median:.2f} ×, medians of {rounds} rounds)"
    )


def main() -> None:
    asyncio.run(run())
