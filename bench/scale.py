"""Scale: the same reads at 1,000 projects and at a large generated data set (default 100,000 projects and
1,000,000 audit records); each read's p50 should stay within 1.5 × its p50 at 1,000 (indexes, keyset pages).

The small and the large databases take turns request by request, so drift over the run cancels.
A plan can hinge on which rows ANALYZE happened to sample (issue 17: the text search walked the primary key in
about one ANALYZE in ten, ~100 × slower), so the large data set is measured in several copies, each with
statistics of its own, and each read is judged by its worst copy.

Environment: BENCH_SCALE_PROJECTS (default 100000), BENCH_SCALE_AUDIT (default 1000000),
BENCH_SCALE_REPEAT (default 30 requests per read), BENCH_SCALE_DRAWS (copies of the large data set, each
re-analyzed; default 3).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import AsyncIterator

import httpx
from sqlalchemy.engine import make_url

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings
from bench.common import LOGIN, PASSWORD, SECRET, connection, copy_database, fresh_database, seed, summarize
from store.engine import make_engine

READS = {
    "first page": ("{ projects(first: 20) { edges { node { id code name status } } } }", {}),
    # An exact totalCount visits every matching row (~7 ms per 100,000 in PostgreSQL): linear by nature, shown
    # for what it costs, not held to the 1.5 × bound.
    "+ totalCount": ("{ projects(first: 20) { totalCount edges { node { id code name status } } } }", {}),
    "project(code)": ("query($c: String) { project(code: $c) { id name status } }", {"c": "YK-2026-000777"}),
    "text search": (
        "query($s: String) { projects(first: 20, filter: {search: $s}) { edges { node { code } } } }",
        {"s": "项目777"},
    ),
    "audit log page": ("{ auditLog(first: 50) { edges { node { operation actorUsername } } } }", {}),
    "changes": ("{ changes(first: 100) { cursor hasMore changes { operation targetId } } }", {}),
}
LINEAR = {"+ totalCount"}


async def generate_audit(url: str, records: int) -> float:
    """Audit records in bulk SQL, sealed one by one by the chain trigger as in production."""
    started = time.perf_counter()
    async with connection(url) as conn:
        done = 0
        while done < records:
            batch = min(200_000, records - done)
            await conn.execute(
                """
                INSERT INTO audit_log (actor_username, actor_role, operation, target_type, target_id, after)
                SELECT 'bench.' || (g % 20), 'unit', 'project:update', 'Project', 1 + g % 1000,
                       jsonb_build_object('version', g) FROM generate_series(1, $1) g""",
                batch,
            )
            done += batch
        await conn.execute("ANALYZE audit_log")
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def signed_in(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The app in process on the database at `url`, with a client signed in as the auditor (sees every project)."""
    engine = make_engine(url)
    app = create_app(
        Settings(token_secret=SECRET, rate_limit_per_minute=0),
        engine=engine,
        policy_from_database=False,
    )
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            token = await login_in_process(http)
            yield http, {"Authorization": f"Bearer {token}"}
    finally:
        await engine.dispose()


async def timed(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, str]
) -> float:
    started = time.perf_counter()
    body = (
        await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    ).json()
    elapsed = (time.perf_counter() - started) * 1000
    assert "errors" not in body, body
    return elapsed


async def p50s(urls: list[str], repeat: int) -> list[dict[str, float]]:
    """Each read's p50 on each database. The databases take turns request by request (this machine's speed
    drifts by tens of percent over a minute: measured one after the other, a later database looks slower)."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(signed_in(url)) for url in urls]
        results: list[dict[str, float]] = [{} for _ in urls]
        for name, (query, variables) in READS.items():
            times: list[list[float]] = [[] for _ in urls]
            for i in range(repeat + 3):
                for n, (http, headers) in enumerate(clients):
                    elapsed = await timed(http, headers, query, variables)
                    if i >= 3:  # the first requests warm caches and prepared statements
                        times[n].append(elapsed)
            for n in range(len(urls)):
                results[n][name] = statistics.median(times[n])
    return results


async def login_in_process(http: httpx.AsyncClient) -> str:
    body = (
        await http.post(
            "/graphql",
            json={
                "query": LOGIN,
                "variables": {"u": "bench.audit", "p": PASSWORD},
            },
        )
    ).json()
    return str(body["data"]["login"]["token"])


async def run() -> None:
    projects = int(os.environ.get("BENCH_SCALE_PROJECTS", "100000"))
    audit = int(os.environ.get("BENCH_SCALE_AUDIT", "1000000"))
    repeat = int(os.environ.get("BENCH_SCALE_REPEAT", "30"))
    draws = max(1, int(os.environ.get("BENCH_SCALE_DRAWS", "3")))
    small_url = await fresh_database("yk_bench_small")
    await seed(small_url, projects=1000)
    await generate_audit(small_url, 10_000)
    large_url = await fresh_database("yk_bench_large")
    started = time.perf_counter()
    await seed(large_url, projects=projects)
    seeded = time.perf_counter() - started
    print(f"seeded {projects} projects in {seeded:.1f} s", flush=True)
    sealed = await generate_audit(large_url, audit)
    print(
        f"generated {projects} projects in {seeded:.1f} s and {audit} chained audit records "
        f"in {sealed:.1f} s "
        f"({audit / sealed:,.0f} records/s through the sealing trigger)",
        flush=True,
    )
    # Copies before any measurement (a template must have no connections); each copy re-samples its statistics.
    large_urls = [large_url] + [
        await copy_database(large_url, f"yk_bench_large_{n}") for n in range(2, draws + 1)
    ]
    small, *large = await p50s([small_url, *large_urls], repeat)
    for url in large_urls[1:]:
        await drop_database(url)
    print(f"{projects:,} projects measured in {draws} copies, each with its own ANALYZE (p50 per copy):")
    worst_ratio = 0.0
    for name in READS:
        p50_copies = [figures[name] for figures in large]
        ratio = max(p50_copies) / small[name]
        if name not in LINEAR:
            worst_ratio = max(worst_ratio, ratio)
        verdict = "linear: counts every row" if name in LINEAR else "ok" if ratio <= 1.5 else "ABOVE 1.5"
        spread = " / ".join(f"{p:.2f}" for p in p50_copies)
        flip = (
            "   copies differ > 2 ×: a statistics-dependent plan, or noise (EXPLAIN it)"
            if max(p50_copies) > 2 * min(p50_copies)
            else ""
        )
        print(
            f"{name:<16} p50 {small[name]:7.2f} ms at 1,000   {spread} ms at {projects:,}   "
            f"worst ratio {ratio:4.2f} ({verdict}){flip}"
        )
    summarize(
        f"scale: worst p50 ratio {projects:,} / 1,000 of the bounded reads {worst_ratio:.2f} over {draws} "
        f"statistics draws (target ≤ 1.5: {'met' if worst_ratio <= 1.5 else 'NOT met'})"
    )


async def drop_database(url: str) -> None:
    async with connection(
        make_url(url).set(database="postgres").render_as_string(hide_password=False)
    ) as admin:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def main() -> None:
    configure_logging("WARNING")  # a line per request would bury the figures
    asyncio.run(run())
