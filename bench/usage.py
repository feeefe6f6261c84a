"""Where a benchmark run's time went: CPU per request of the server under test and of PostgreSQL, how busy
the machine was, and what the database's backends were doing (sampled from `pg_stat_activity`).

CPU that is spent shows up in the first figures; time spent waiting does not, and shows up in the samples —
that is how the per-year code counter (a row lock held until commit; gone with migration 0008) was found
to idle the machine, and how the audit chain's lock shows as today's ceiling of the lifecycle benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

from bench.common import libpq

SAMPLE_EVERY = 0.05  # seconds; one small query, so sampling barely loads the server it watches

_ACTIVITY = """
    SELECT state, wait_event_type, wait_event, left(query, 60) AS query FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
      AND state <> 'idle'
"""


# Sessions established so far (PostgreSQL 14+): the difference over a run counts the connections opened.
_SESSIONS = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"


def _activity(state: str, wait_type: str | None, wait: str | None, query: str) -> str:
    if state.startswith("idle in transaction"):
        return "idle in transaction (waiting for the API)"
    if wait_type == "Lock":
        return f"waiting for a {wait} lock: {' '.join(query.split())[:40]}…"
    if wait_type in (None, "Client"):
        return "running"
    return f"{wait_type}:{wait}"


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
    return seconds


def _postgres_processes(postmaster: int | None, sampler: int) -> list[psutil.Process]:
    """The server's processes: its postmaster and the backends it forked, but our sampler's (other clusters on
    this machine, such as a test run's, are not counted); without a known postmaster, any postgres process."""
    found = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres")]
    if postmaster is not None:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(postmaster)
            found = [root, *root.children()]
    return [p for p in found if p.pid != sampler]


async def _postmaster_pid(connection: asyncpg.Connection) -> int | None:
    """From the data directory's postmaster.pid, when the server runs here and lets us read its settings."""
    try:
        directory = await connection.fetchval("SHOW data_directory")
        return int((Path(directory) / "postmaster.pid").read_text().split()[0])
    except (asyncpg.PostgresError, OSError, ValueError, IndexError):
        return None


def _server_processes(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def _busy_seconds(times: object) -> float:
    """CPU time spent working, all cores together (not idle, not waiting for I/O, not stolen)."""
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


@dataclass
class Usage:
    seconds: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float | None = None  # None: PostgreSQL runs elsewhere (DATABASE_URL)
    busy_cores: float = 0.0
    new_connections: int = 0  # opened to the database during the run: each costs both sides ~1–2 ms of CPU
    activity: Counter[str] = field(default_factory=Counter)

    def line(self, requests: int, unit: str = "request") -> str:
        """One line: CPU per `unit`, the machine's load, the backends' most frequent activities."""
        per = 1000 / max(requests, 1)
        postgres = "—" if self.postgres_cpu is None else f"{self.postgres_cpu * per:.2f} ms"
        total = sum(self.activity.values()) or 1
        doing = ", ".join(f"{n * 100 / total:.0f} % {what}" for what, n in self.activity.most_common(3))
        return (
            f"CPU a {unit}: server {self.server_cpu * per:.2f} ms, PostgreSQL {postgres}; "
            f"{self.busy_cores:.1f} of {psutil.cpu_count()} cores busy; {self.new_connections} new "
            f"connections; busy backends: {doing or '—'}"
        )


@contextlib.asynccontextmanager
async def observed(url: str, server_pid: int) -> AsyncIterator[Usage]:
    """`async with observed(url, pid) as usage:` — `usage` is filled in when the block ends."""
    usage = Usage()
    connection = await asyncpg.connect(**libpq(url))
    postmaster, sampler = await _postmaster_pid(connection), connection.get_server_pid()
    sessions_before = await connection.fetchval(_SESSIONS)
    server = _server_processes(server_pid)
    server_before = _cpu_seconds(server)
    postgres_before = _cpu_seconds(_postgres_processes(postmaster, sampler))
    machine_before, started = psutil.cpu_times(), time.monotonic()
    stop = asyncio.Event()

    async def sample() -> None:
        try:
            while not stop.is_set():
                for row in await connection.fetch(_ACTIVITY):
                    usage.activity[
                        _activity(row["state"], row["wait_event_type"], row["wait_event"], row["query"] or "")
                    ] += 1
                await asyncio.sleep(SAMPLE_EVERY)
            usage.new_connections = await connection.fetchval(_SESSIONS) - sessions_before
        finally:
            await connection.close()

    sampler = asyncio.create_task(sample())
    try:
        yield usage
    finally:
        stop.set()
        await sampler
        usage.seconds = time.monotonic() - started
        usage.busy_cores = (_busy_seconds(psutil.cpu_times()) - _busy_seconds(machine_before)) / usage.seconds
        server_after = _cpu_seconds(server)
        usage.server_cpu = sum(seconds - server_before.get(pid, 0.0) for pid, seconds in server_after.items())
        postgres_after = _cpu_seconds(_postgres_processes(postmaster, sampler))
        if postgres_after:
            usage.postgres_cpu = sum(
                seconds - postgres_before.get(pid, 0.0) for pid, seconds in postgres_after.items()
            )
