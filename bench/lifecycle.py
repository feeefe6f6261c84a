"""Lifecycle mutations per second, each with its audit record, at 16 concurrent clients (target ≥ 300/s).

Each client creates a project and submits it to the reserve, back to back (two audited mutations).
The runs are repeated with the audit-chain trigger switched off, to show what the chain costs.

The target is an absolute rate, set on 2026-11-25, when the raw list endpoint (`bench/raw_app.py`, a page of 50,
32 clients, as `bench list_vs_raw` runs it) answered 3,000–3,970 req/s on this machine and the code of that day
made 322–413 mutations/s. This machine's speed has since changed by more than any code change (the same commit,
1c283b9, made 119–131 mutations/s on 2026-11-30, with the raw endpoint at ~1,000 req/s). So each round also runs
that raw endpoint for a few seconds as a yardstick, and the verdict is given both ways: against 300/s, and against
300/s scaled by the yardstick (the raw rate now over 3,485 req/s, the middle of that day's range).
Environment: BENCH_SECONDS (default 8), BENCH_ROUNDS (runs of each kind, median taken; default 3),
BENCH_WORKERS (API processes; default one per core).
"""

from __future__ import annotations

import asyncio
import os
import statistics

from bench.common import (
    WORKERS,
    LoadClient,
    closed_loop,
    connection,
    free_port,
    fresh_database,
    login,
    seed,
    server,
    summarize,
)
from bench.usage import observed
from store import audit_chain
from store.engine import make_engine, make_session_factory

CLIENTS = 16
TARGET = 300.0
# The yardstick as `bench list_vs_raw` runs it: a page of 50, 32 clients; 3,485 req/s is the middle of the
# 3,000–3,970 req/s it answered on 2026-11-25, the day the target was met with 322–413 mutations/s.
YARDSTICK_PAGE, YARDSTICK_CLIENTS, YARDSTICK_SECONDS = 50, 32, 4.0
YARDSTICK_WHEN_SET = 3485.0
CREATE = """mutation($input: ProjectCreateInput!) { projectCreate(input: $input)
  { project { id } userErrors { code } } }"""
SUBMIT = """mutation($input: ProjectSubmitToReserveInput!) { projectSubmitToReserve(input: $input)
  { project { status } userErrors { code } } }"""


def _draft(n: int) -> dict[str, object]:
    return {
        "name": f"营口市压测项目{n}",
        "kind": "BUILD",
        "category": "BUSINESS_SYSTEM",
        "fundingSource": "FISCAL",
        "totalInvestment": "1500000.00",
        "description": "压测",
        "contact": {"name": "王工", "phone": "0417-2800001", "email": "w@yk.gov.cn"},
    }


async def _measure(
    url: str, seconds: float, rounds: int, yardstick_url: str, yardstick: list[float] | None = None
) -> float:
    """The median of `rounds` runs on one server (this machine's speed drifts between runs). With `yardstick`,
    each round is followed by a run of the raw list endpoint on `yardstick_url`, whose throughput is appended
    to it."""
    port, raw_port = free_port(), free_port()
    api = ["-m", "api", "serve", "--no-demo", "--port", str(port), "--workers", str(WORKERS)]
    raw_app = ["-m", "api.serving", "bench.raw_app:app", "--port", str(raw_port), "--workers", str(WORKERS)]
    with server(api, url, port) as api_server, server(raw_app, yardstick_url, raw_port) as raw_server:
        base = api_server.base
        async with connection(url) as conn:
            unit = await conn.fetchval(
                "SELECT username FROM users WHERE username NOT IN ('bench.audit', 'bench.bdb') "
                "ORDER BY id LIMIT 1"
            )
        headers = {"Authorization": f"Bearer {await login(base, unit)}"}
        failures = 0

        async def lifecycle(http: LoadClient, n: int) -> None:
            nonlocal failures
            _, created = await http.post_json(
                "/graphql", {"query": CREATE, "variables": {"input": _draft(n)}}, headers
            )
            project = ((created.get("data") or {}).get("projectCreate") or {}).get("project")
            if project is None:
                failures += 1
                return
            _, submitted = await http.post_json(
                "/graphql", {"query": SUBMIT, "variables": {"input": {"projectId": project["id"]}}}, headers
            )
            if ((submitted.get("data") or {}).get("projectSubmitToReserve") or {}).get("userErrors") != []:
                failures += 1

        async def raw_page(http: LoadClient, n: int) -> None:
            status, _ = await http.get_json(f"/projects?first={YARDSTICK_PAGE}")
            assert status == 200

        rates = []
        for _ in range(rounds):
            failures = 0
            async with observed(url, api_server.pid) as usage:
                figures = await closed_loop(lifecycle, base=base, clients=CLIENTS, seconds=seconds)
            rates.append(2 * figures.requests / figures.seconds)
            print(
                f"  {rates[-1]:7.1f} mutations/s  (p95 of a create+submit pair {figures.p95:.1f} ms; "
                f"failures {failures}; load generator {figures.client_cpu_ms / 2:.2f} ms CPU a mutation)"
            )
            print(f"      {usage.line(2 * figures.acts, 'mutation')}")
            if yardstick is not None:
                raw = await closed_loop(
                    raw_page, base=raw_server.base, clients=YARDSTICK_CLIENTS, seconds=YARDSTICK_SECONDS
                )
                yardstick.append(raw.throughput)
                print(f"      yardstick: {raw.line('raw list endpoint')}")
    rate = statistics.median(rates)
    print(f"  median of {rounds}: {rate:.1f} mutations/s")
    return rate


async def run() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    url = await fresh_database("yk_bench_lifecycle")
    await seed(url, projects=1000)
    # The yardstick's own database, as `bench list_vs_raw` seeds it: the lifecycle's grows every round, and the
    # raw page counts every project (totalCount).
    yardstick_url = await fresh_database("yk_bench_yardstick")
    await seed(yardstick_url, projects=1000)
    print(
        f"{CLIENTS} concurrent clients, {seconds:.0f} s, {WORKERS} API worker process(es); "
        "audit chain sealed by the trigger:"
    )
    yardstick: list[float] = []
    chained = await _measure(url, seconds, rounds, yardstick_url, yardstick)
    engine = make_engine(url)
    try:
        verdict = await audit_chain.verify(make_session_factory(engine))
    finally:
        await engine.dispose()
    print(f"verify-audit after the run: {verdict.checked} records, intact: {verdict.intact}")
    # A throwaway database: the comparison run leaves unsealed records behind on purpose.
    async with connection(url) as conn:
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain")
        await conn.execute("ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL")
    print("the same without the chain (trigger off, for comparison only):")
    plain = await _measure(url, seconds, rounds, yardstick_url)
    print(f"chain cost: {100 * (1 - chained / plain):.0f} % of throughput")
    speed = statistics.median(yardstick) / YARDSTICK_WHEN_SET
    scaled = TARGET * speed
    summarize(
        f"lifecycle: {chained:.0f} mutations/s with the audit chain (median of {rounds} rounds; "
        f"target ≥ {TARGET:.0f}: {'met' if chained >= TARGET else 'NOT met'})"
    )
    summarize(
        f"lifecycle against the machine: the raw list yardstick ran at {speed:.2f} × its speed when the target "
        f"was set ({statistics.median(yardstick):.0f} against {YARDSTICK_WHEN_SET:.0f} req/s), so 300/s then is "
        f"{scaled:.0f}/s now: {chained / scaled:.2f} × that ({'met' if chained >= scaled else 'NOT met'})"
    )


def main() -> None:
    asyncio.run(run())
