"""The GraphQL project list against a raw Starlette + asyncpg + orjson endpoint: same data, same JSON.

Targets (issue 17): throughput ≥ 0.55 × raw and p95 ≤ 2 × raw at 32 concurrent clients.
Both servers run BENCH_WORKERS processes (default: one per core), each worker on its own SO_REUSEPORT socket
(api/serving.py). Each round runs the list (compiled, issue 17), the same list with the compiled path off (the
request header `X-Compiled-List: off`, honoured outside production: the generic strawberry path on the same
server, processes and pool), the raw list and the API's floor (an authenticated `{ __typename }`, which asks
for nothing) in turn; the verdicts are medians of the rounds.
Environment: BENCH_PROJECTS (default 1000), BENCH_SECONDS (default 5), BENCH_PAGE (default 50),
BENCH_ROUNDS (default 3).
"""

from __future__ import annotations

import asyncio
import os
import statistics

import httpx
import orjson

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
from bench.usage import observed

QUERY = """query($n: Int) { projects(first: $n) { totalCount edges { node {
  id code name status totalInvestment version leadOrganization { id name } } } } }"""
CLIENTS = 32


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


async def run() -> None:
    projects = int(os.environ.get("BENCH_PROJECTS", "1000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    page = int(os.environ.get("BENCH_PAGE", "50"))
    url = await fresh_database("yk_bench_list")
    await seed(url, projects=projects)
    print(
        f"data: {projects} projects; page of {page}; {CLIENTS} concurrent clients; {seconds:.0f} s a run; "
        f"{WORKERS} worker process(es) per server; {ROUNDS} rounds, GraphQL, raw and the floor taking turns"
    )

    graphql_port, raw_port = free_port(), free_port()
    api = ["-m", "api", "serve", "--no-demo", "--port", str(graphql_port), "--workers", str(WORKERS)]
    # The yardstick is served the way `api serve` serves the API: one SO_REUSEPORT socket per worker.
    raw_app = ["-m", "api.serving", "bench.raw_app:app", "--port", str(raw_port), "--workers", str(WORKERS)]
    # Both servers stay up and take turns under load: this machine's speed drifts by tens of percent over a
    # minute, so each round compares two runs made seconds apart, and the verdict is the median round.
    with (
        server(api, url, graphql_port, {"YK_COMPILED_LIST": "1"}) as graphql_server,
        server(raw_app, url, raw_port) as raw_server,
    ):
        graphql_base, raw_base = graphql_server.base, raw_server.base
        headers = {"Authorization": f"Bearer {await login(graphql_base, 'bench.audit')}"}
        payload = {"query": QUERY, "variables": {"n": page}}
        graphql_body = httpx.post(graphql_base + "/graphql", json=payload, headers=headers).json()  # noqa: ASYNC210
        raw_body = httpx.get(raw_base + f"/projects?first={page}").json()  # noqa: ASYNC210
        same = orjson.dumps(graphql_body, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            raw_body, option=orjson.OPT_SORT_KEYS
        )
        generic_headers = headers | {"X-Compiled-List": "off"}
        generic_body = httpx.post(graphql_base + "/graphql", json=payload, headers=generic_headers).content  # noqa: ASYNC210
        compiled_body = httpx.post(graphql_base + "/graphql", json=payload, headers=headers).content  # noqa: ASYNC210
        print(
            f"same JSON from both: {same}; compiled and generic paths byte-identical: {compiled_body == generic_body}"
        )

        async def ask_graphql(http: LoadClient, n: int) -> None:
            status, _ = await http.post_json("/graphql", payload, headers)
            assert status == 200

        async def ask_generic(http: LoadClient, n: int) -> None:
            status, _ = await http.post_json("/graphql", payload, generic_headers)
            assert status == 200

        async def ask_raw(http: LoadClient, n: int) -> None:
            status, _ = await http.get_json(f"/projects?first={page}")
            assert status == 200

        # The API's floor: what any authenticated request costs before it asks for anything.
        async def ask_nothing(http: LoadClient, n: int) -> None:
            status, _ = await http.post_json("/graphql", {"query": "{ __typename }"}, headers)
            assert status == 200

        throughput, p95, floor_ratio, off_throughput, off_p95 = [], [], [], [], []
        for n in range(1, ROUNDS + 1):
            async with observed(url, graphql_server.pid) as graphql_usage:
                graphql = await closed_loop(ask_graphql, base=graphql_base, clients=CLIENTS, seconds=seconds)
            async with observed(url, graphql_server.pid) as generic_usage:
                generic = await closed_loop(ask_generic, base=graphql_base, clients=CLIENTS, seconds=seconds)
            async with observed(url, raw_server.pid) as raw_usage:
                raw = await closed_loop(ask_raw, base=raw_base, clients=CLIENTS, seconds=seconds)
            async with observed(url, graphql_server.pid) as floor_usage:
                floor = await closed_loop(ask_nothing, base=graphql_base, clients=CLIENTS, seconds=seconds)
            throughput.append(graphql.throughput / raw.throughput)
            p95.append(graphql.p95 / raw.p95)
            floor_ratio.append(floor.throughput / raw.throughput)
            off_throughput.append(generic.throughput / raw.throughput)
            off_p95.append(generic.p95 / raw.p95)
            print(f"round {n}:")
            print("  " + graphql.line("GraphQL projects, compiled"))
            print("      " + graphql_usage.line(graphql.acts))
            print("  " + generic.line("GraphQL projects, generic"))
            print("      " + generic_usage.line(generic.acts))
            print("  " + raw.line("raw Starlette+asyncpg"))
            print("      " + raw_usage.line(raw.acts))
            print("  " + floor.line("floor: { __typename }+token"))
            print("      " + floor_usage.line(floor.acts))
            print(
                f"  ratios to raw: list throughput {throughput[-1]:.2f} (compiled path off: "
                f"{off_throughput[-1]:.2f}), list p95 {p95[-1]:.2f} (off: {off_p95[-1]:.2f}), "
                f"floor throughput {floor_ratio[-1]:.2f}"
            )
    median = statistics.median
    summarize(
        f"list: throughput {median(throughput):.2f} × raw (median of {ROUNDS} rounds; target ≥ 0.55; rounds "
        + ", ".join(f"{r:.2f}" for r in throughput)
        + ")"
    )
    summarize(
        f"list: p95 {median(p95):.2f} × raw (median of {ROUNDS} rounds; target ≤ 2; rounds "
        + ", ".join(f"{r:.2f}" for r in p95)
        + ")"
    )
    summarize(
        f"list, compiled path off (X-Compiled-List: off): throughput {median(off_throughput):.2f} × raw, p95 "
        f"{median(off_p95):.2f} × raw (medians of {ROUNDS} rounds); the compiled path's gain: "
        f"{median(throughput) / median(off_throughput):.2f} × throughput"
    )
    summarize(
        f"list: floor {{ __typename }} {median(floor_ratio):.2f} × the raw list's throughput (median of "
        f"{ROUNDS} rounds): no GraphQL list can go faster than this"
    )


def main() -> None:
    asyncio.run(run())
