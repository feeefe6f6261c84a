"""Lifecycle mutations per second, each with its audit record, at 16 concurrent clients (target ≥ 300/s).

Each client creates a project and submits it to the reserve, back to back (two audited mutations).
The run is repeated with the audit-chain trigger switched off, to show what the chain costs.
Environment: BENCH_SECONDS (default 8), BENCH_WORKERS (API processes; default one per core).
"""

from __future__ import annotations

import asyncio
import os

import httpx

from bench.common import WORKERS, closed_loop, connection, free_port, fresh_database, login, seed, server
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


async def _measure(url: str, seconds: float) -> float:
    port = free_port()
    api = ["-m", "api", "serve", "--no-demo", "--port", str(port), "--workers", str(WORKERS)]
    with server(api, url, port) as base:
        async with connection(url) as conn:
            unit = await conn.fetchval(
                "SELECT username FROM users WHERE username NOT IN ('bench.audit', 'bench.bdb') "
                "ORDER BY id LIMIT 1"
            )
        headers = {"Authorization": f"Bearer {await login(base, unit)}"}
        failures = 0

        async def lifecycle(http: httpx.AsyncClient, n: int) -> None:
            nonlocal failures
            created = (
                await http.post(
                    "/graphql", json={"query": CREATE, "variables": {"input": _draft(n)}}, headers=headers
                )
            ).json()
            project = ((created.get("data") or {}).get("projectCreate") or {}).get("project")
            if project is None:
                failures += 1
                return
            submitted = (
                await http.post(
                    "/graphql",
                    json={"query": SUBMIT, "variables": {"input": {"projectId": project["id"]}}},
                    headers=headers,
                )
            ).json()
            if (submitted.get("data") or {}).get("projectSubmitToReserve", {}).get("userErrors") != []:
                failures += 1

        figures = await closed_loop(lifecycle, base=base, clients=CLIENTS, seconds=seconds)
    rate = 2 * figures.requests / figures.seconds
    print(
        f"  {rate:7.1f} mutations/s  (p95 of a create+submit pair {figures.p95:.1f} ms; failures {failures})"
    )
    return rate


async def run() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    url = await fresh_database("yk_bench_lifecycle")
    await seed(url, projects=1000)
    print(f"{CLIENTS} concurrent clients, {seconds:.0f} s, {WORKERS} API worker process(es); "
          "audit chain sealed by the trigger:")
    chained = await _measure(url, seconds)
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
    plain = await _measure(url, seconds)
    print(
        f"chain cost: {100 * (1 - chained / plain):.0f} % of throughput; target ≥ 300 mutations/s: "
        f"{'met' if chained >= 300 else 'NOT met'}"
    )


def main() -> None:
    asyncio.run(run())
