"""Where a lifecycle mutation's time goes (issue 17): the bench's create+submit pairs, in process, profiled.

Seeds the bench data (`bench.common.fresh_database` + `seed`), builds the ASGI app in this process with its
lifespan (policy, credential cache, rate counter, workers, as `api serve` runs them) and drives
`bench.lifecycle`'s CREATE and SUBMIT through httpx's ASGI transport, a few clients at a time. Prints:
- the SQL statements each mutation runs (SQLAlchemy `before_cursor_execute`), one mutation at a time (a
  background worker's poll landing in the window shows as one more);
- the process CPU per mutation with no profiler on, in batches (the API's share and httpx's in-process
  client together: compare runs of this script, e.g. two versions back to back, not `bench lifecycle`);
- cProfile's own time summed by package and by function, then, when pyinstrument is installed (`pip install
  pyinstrument`; not a dependency), its call tree of a second run.
Run: `BENCH_PGDATA=/tmp/lifecycle-pg python -m bench.profile_lifecycle`. Environment: PROFILE_PAIRS (default
300), PROFILE_CLIENTS (default 4), PROFILE_TOP (cProfile rows, default 40), PROFILE_DUMP (a file for
cProfile's stats), PROFILE_TREE_FILE (a file for pyinstrument's whole tree), PROFILE_ONLY_CPU=1 (the
statements and the CPU figure only).
"""

from __future__ import annotations

import asyncio
import cProfile
import importlib.util
import io
import itertools
import os
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings
from bench.common import LOGIN, PASSWORD, SECRET, connection, fresh_database, seed
from bench.lifecycle import CREATE, SUBMIT, _draft
from store.engine import make_engine


class Statements:
    """Every SQL statement the engine sends, per mutation (the request in flight, one at a time here)."""

    def __init__(self) -> None:
        self.current: list[str] = []
        self.per_mutation: dict[str, list[list[str]]] = {"create": [], "submit": []}

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.current.append(" ".join(statement.split()))

    def take(self, kind: str) -> None:
        self.per_mutation[kind].append(self.current)
        self.current = []


async def _pairs(http: httpx.AsyncClient, headers: dict[str, str], start: int, count: int) -> None:
    for n in range(start, start + count):
        created = (
            await http.post(
                "/graphql", json={"query": CREATE, "variables": {"input": _draft(n)}}, headers=headers
            )
        ).json()
        project = created["data"]["projectCreate"]["project"]
        submitted = (
            await http.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"input": {"projectId": project["id"]}}},
                headers=headers,
            )
        ).json()
        assert submitted["data"]["projectSubmitToReserve"]["userErrors"] == [], submitted


async def run() -> None:
    pairs = int(os.environ.get("PROFILE_PAIRS", "300"))
    clients = int(os.environ.get("PROFILE_CLIENTS", "4"))
    top = int(os.environ.get("PROFILE_TOP", "40"))
    url = await fresh_database("yk_profile_lifecycle")
    await seed(url, projects=1000)
    async with connection(url) as conn:
        unit = await conn.fetchval(
            "SELECT username FROM users WHERE username NOT IN ('bench.audit', 'bench.bdb') ORDER BY id LIMIT 1"
        )
    configure_logging("WARNING", json=False)  # as the bench's server (YK_LOG_LEVEL=WARNING)
    engine = make_engine(url)
    # As the bench's server: rate limiting on (a limit it never reaches), its in-process counter merging.
    settings = Settings(
        token_secret=SECRET,
        log_level="WARNING",
        rate_limit_per_minute=100_000_000,
        rate_limit_anonymous_per_minute=100_000_000,
    )
    app = create_app(settings, engine=engine)
    statements = Statements()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            login = await http.post(
                "/graphql", json={"query": LOGIN, "variables": {"u": unit, "p": PASSWORD}}
            )
            headers = {"Authorization": f"Bearer {login.json()['data']['login']['token']}"}
            await _pairs(http, headers, 0, 20)  # warm-up: caches, prepared statements, the pool

            # One pair at a time first: each mutation's statements, unmixed.
            event.listen(engine.sync_engine, "before_cursor_execute", statements)
            try:
                for n in range(20, 30):
                    statements.current = []
                    created = (
                        await http.post(
                            "/graphql",
                            json={"query": CREATE, "variables": {"input": _draft(n)}},
                            headers=headers,
                        )
                    ).json()
                    statements.take("create")
                    pid = created["data"]["projectCreate"]["project"]["id"]
                    await http.post(
                        "/graphql",
                        json={"query": SUBMIT, "variables": {"input": {"projectId": pid}}},
                        headers=headers,
                    )
                    statements.take("submit")
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", statements)

            per_client = max(1, pairs // clients)
            # CPU per mutation with no profiler on, in batches: on a shared machine the least disturbed batch
            # (the minimum) is the steadiest figure for comparing two versions.
            batches, batch = [], max(1, per_client // 5)
            cpu, wall = time.process_time(), time.perf_counter()
            for b in range(0, per_client, batch):
                started = time.process_time()
                await asyncio.gather(
                    *(_pairs(http, headers, 1000 * (c + 1) + b, batch) for c in range(clients))
                )
                batches.append(1000 * (time.process_time() - started) / (2 * batch * clients))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            offsets = itertools.count(100_000, 100_000)  # fresh draft numbers for each profiled run

            def loops() -> list[Any]:
                offset = next(offsets)
                return [_pairs(http, headers, offset + 1000 * c, per_client) for c in range(clients)]

            profile = await _profiled(loops) if os.environ.get("PROFILE_ONLY_CPU") != "1" else None
    await engine.dispose()

    mutations = 2 * batch * clients * len(batches)
    print(
        f"{mutations} mutations ({clients} clients) in {wall:.2f} s: {1000 * cpu / mutations:.2f} ms CPU a "
        f"mutation, least disturbed batch {min(batches):.2f} ms, median batch {statistics.median(batches):.2f} ms "
        "(this process: the API and httpx's in-process client together)"
    )
    for kind, runs in statements.per_mutation.items():
        counts = Counter(len(r) for r in runs)
        print(f"\n{kind}: statements per mutation {dict(counts)}; the last one's:")
        for sql in runs[-1]:
            print(f"  {sql[:160]}")
    if profile is not None:
        print(profile(top))


async def _profiled(loops: Callable[[], list[Any]]) -> Callable[[int], str]:
    """Run the loops under cProfile (own time, summed by package) and then again, when it is installed, under
    pyinstrument (the call tree; the two cannot watch the same run); return the report's printer."""
    profiler = cProfile.Profile()
    profiler.enable()
    await asyncio.gather(*loops())
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])  # for pstats / snakeviz
    sampler = None
    if importlib.util.find_spec("pyinstrument") is not None:
        from pyinstrument import Profiler

        # Stacks sampled on the thread, not per coroutine: a coroutine's wall time would hide its CPU among
        # its waits (the loop's idle wait shows as its own frame, SQLAlchemy's greenlets as their own roots).
        sampler = Profiler(interval=0.001, async_mode="disabled")
        with sampler:
            await asyncio.gather(*loops())
        if os.environ.get("PROFILE_TREE_FILE"):  # every frame, libraries' too
            tree = sampler.output_text(unicode=True, show_all=True)
            await asyncio.to_thread(Path(os.environ["PROFILE_TREE_FILE"]).write_text, tree)

    def report(top: int) -> str:
        stats = pstats.Stats(profiler)
        by_package: Counter[str] = Counter()
        for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
            by_package[_package(filename)] += own
        total = sum(by_package.values())
        lines = [f"\n== own time by package (cProfile, {total:.2f} s) =="]
        lines += [f"  {100 * t / total:5.1f} %  {name}" for name, t in by_package.most_common(25)]
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(top)
        lines += ["\n== own time by function (cProfile) ==", out.getvalue()]
        if sampler:
            lines += ["== call tree (pyinstrument) ==", sampler.output_text(unicode=True, show_all=False)]
        return "\n".join(lines)

    return report


def _package(filename: str) -> str:
    """`sqlalchemy`, `strawberry`, … for a library; the module path for ours; `builtins` for C functions."""
    if filename == "~":
        return "builtins (C)"
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/lib/python3" in filename:
        return "stdlib: " + filename.rsplit("/lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return os.path.relpath(filename).removesuffix(".py")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
