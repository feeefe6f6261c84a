"""The GraphQL project list against a raw Starlette + asyncpg + orjson endpoint: same data, same JSON.

Targets (issue 8): throughput ≥ 0.5 × raw and p95 ≤ 2 × raw at 32 concurrent clients.
Both servers run BENCH_WORKERS processes (default: one per core).
Environment: BENCH_PROJECTS (default 1000), BENCH_SECONDS (default 5), BENCH_PAGE (default 50).
"""

from __future__ import annotations

import asyncio
import os

import httpx
import orjson

from bench.common import WORKERS, closed_loop, free_port, fresh_database, login, seed, server

QUERY = """query($n: Int) { projects(first: $n) { totalCount edges { node {
  id code name status totalInvestment version leadOrganization { id name } } } } }"""
CLIENTS = 32


async def run() -> None:
    projects = int(os.environ.get("BENCH_PROJECTS", "1000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    page = int(os.environ.get("BENCH_PAGE", "50"))
    url = await fresh_database("yk_bench_list")
    await seed(url, projects=projects)
    print(f"data: {projects} projects; page of {page}; {CLIENTS} concurrent clients; {seconds:.0f} s each; "
          f"{WORKERS} worker process(es) per server")

    graphql_port, raw_port = free_port(), free_port()
    api = ["-m", "api", "serve", "--no-demo", "--port", str(graphql_port), "--workers", str(WORKERS)]
    with server(api, url, graphql_port) as base:
        token = await login(base, "bench.audit")
        headers = {"Authorization": f"Bearer {token}"}
        payload = {"query": QUERY, "variables": {"n": page}}
        graphql_body = httpx.post(base + "/graphql", json=payload, headers=headers).json()  # noqa: ASYNC210

        async def ask_graphql(http: httpx.AsyncClient, n: int) -> None:
            response = await http.post("/graphql", json=payload, headers=headers)
            assert response.status_code == 200  # noqa: S101

        graphql = await closed_loop(ask_graphql, base=base, clients=CLIENTS, seconds=seconds)
    with server(
        [
            "-m",
            "uvicorn",
            "bench.raw_app:app",
            "--port",
            str(raw_port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(WORKERS),
        ],
        url,
        raw_port,
    ) as base:
        raw_body = httpx.get(base + f"/projects?first={page}").json()  # noqa: ASYNC210

        async def ask_raw(http: httpx.AsyncClient, n: int) -> None:
            response = await http.get(f"/projects?first={page}")
            assert response.status_code == 200  # noqa: S101

        raw = await closed_loop(ask_raw, base=base, clients=CLIENTS, seconds=seconds)

    same = orjson.dumps(graphql_body, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        raw_body, option=orjson.OPT_SORT_KEYS
    )
    print(f"same JSON from both: {same}")
    print(graphql.line("GraphQL projects(first)"))
    print(raw.line("raw Starlette+asyncpg"))
    print(f"throughput ratio GraphQL/raw: {graphql.throughput / raw.throughput:.2f}  (target ≥ 0.5)")
    print(f"p95 ratio GraphQL/raw:        {graphql.p95 / raw.p95:.2f}  (target ≤ 2)")


def main() -> None:
    asyncio.run(run())
