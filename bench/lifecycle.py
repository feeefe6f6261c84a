"""Lifecycle mutations per second, each with its audit record, at 16 concurrent clients (target ≥ 300/s).

Each client creates a project and submits it to the reserve, back to back (two audited mutations).
The runs are repeated with the audit-chain trigger switched off, to show what the chain costs.
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


async def _measure(url: str, seconds: float, rounds: int) -> float:
    """The median of `rounds` runs on one server (this machine's speed drifts between runs)."""
    port = free_port()
    api = ["-m", "api", "serve", "--no-demo", "--port", str(port), "--workers", str(WORKERS)]
    with server(api, url, port) as api_server:
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
    rate = statistics.median(rates)
    print(f"  median of {rounds}: {rate:.1f} mutations/s")
    return rate


async def run() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    url = await fresh_database("yk_bench_lifecycle")
    await seed(url, projects=1000)
    print(
        f"{CLIENTS} concurrent clients, {seconds:.0f} s, {WORKERS} API worker process(es); "
        "audit chain sealed by the trigger:"
    )
    chained = await _measure(url, seconds, rounds)
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
    plain = await _measure(url, seconds, rounds)
    print(f"chain cost: {100 * (1 - chained / plain):.0f} % of throughput")
    summarize(
        f"lifecycle: {chained:.0f} mutations/s with the audit chain (median of {rounds} rounds; "
        f"target ≥ 300: {'met' if chained >= 300 else 'NOT met'})"
    )


def main() -> None:
    asyncio.run(run())
