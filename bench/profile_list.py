"""Where a project-list request spends the API's CPU (issue 17): cProfile over in-process requests.

Seeds the bench data, builds the ASGI app in this process (as bench/scale.py does, its lifespan run so the
credential cache and the rate counter work as in `api serve`), then sends `bench.list_vs_raw`'s QUERY
(page 50, as bench.audit) through httpx's ASGI transport and prints the top functions by cumulative and by
own time, and the CPU a request (httpx's client side included: compare the floor, `{ __typename }`).

    BENCH_PGDATA=/tmp/compiled-pg python -m bench profile_list

Environment: BENCH_PROFILE_REQUESTS (default 2000), BENCH_PROFILE_WHAT (`list`, the default: the compiled
list; `generic`: the same list with `X-Compiled-List: off`; `floor`: `{ __typename }`), BENCH_PROFILE_TOP
(default 40 rows per table), BENCH_PROFILE_SORT (default "cumulative,tottime"), BENCH_PROFILE_CALLEES (a regular expression of functions whose callees to print, e.g. "_answer"),
BENCH_PROFILE_OUT (a file to dump the raw profile to).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import time

import httpx

from api.app import create_app
from api.logs import configure_logging
from api.settings import Settings
from bench.common import fresh_database, seed
from bench.list_vs_raw import QUERY
from bench.scale import login_in_process
from store.engine import make_engine

PAGE = 50


async def run(requests: int, what: str) -> None:
    url = await fresh_database("yk_bench_profile")
    await seed(url, projects=1000)
    engine = make_engine(url)
    settings = Settings(
        token_secret="bench-secret-" + "x" * 40,
        rate_limit_per_minute=100_000_000,
        rate_limit_anonymous_per_minute=100_000_000,
        log_level="WARNING",
    )
    configure_logging(settings.log_level)  # as `api serve` does: a request line below WARNING costs nothing
    app = create_app(settings, engine=engine)
    query = "{ __typename }" if what == "floor" else QUERY
    payload = {"query": query, "variables": {"n": PAGE}} if what != "floor" else {"query": query}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            headers = {"Authorization": f"Bearer {await login_in_process(http)}"}
            if what == "generic":
                headers["X-Compiled-List"] = "off"

            async def ask() -> None:
                response = await http.post("/graphql", json=payload, headers=headers)
                assert response.status_code == 200 and b'"errors"' not in response.content, response.text

            for _ in range(200):  # warm: plans, statement caches, pool
                await ask()
            plain = time.process_time()
            for _ in range(requests):
                await ask()
            plain = time.process_time() - plain
            # CPU time, not wall time: on a shared machine waits (epoll, the socket) would swamp the figures
            profiler = cProfile.Profile(time.process_time)
            cpu, wall = time.process_time(), time.perf_counter()
            profiler.enable()
            for _ in range(requests):
                await ask()
            profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await engine.dispose()
    top = int(os.environ.get("BENCH_PROFILE_TOP", "40"))
    for order in os.environ.get("BENCH_PROFILE_SORT", "cumulative,tottime").split(","):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"== by {order} ==")
        print(out.getvalue())
    if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats / snakeviz, or to compare two runs
        profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    callees = os.environ.get("BENCH_PROFILE_CALLEES")  # e.g. "_answer|_arguments": what those call
    if callees:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_callees(callees)
        print(out.getvalue())
    print(
        f"{what}: {requests} requests; this process's CPU a request (API + httpx client, PostgreSQL not "
        f"included): {plain * 1000 / requests:.2f} ms without the profiler, {cpu * 1000 / requests:.2f} ms "
        f"under it (wall {wall * 1000 / requests:.2f} ms)"
    )


def main() -> None:
    what = os.environ.get("BENCH_PROFILE_WHAT", "list")
    if what not in ("list", "generic", "floor"):
        raise SystemExit(f"BENCH_PROFILE_WHAT={what}: list, generic or floor")
    asyncio.run(run(int(os.environ.get("BENCH_PROFILE_REQUESTS", "2000")), what))


if __name__ == "__main__":
    main()
