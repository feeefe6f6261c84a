"""Read replicas (issue 17): which streaming replica a read may use, how far behind each one is, and the wait
that gives a client its own writes back.

Each API process watches its replicas on its own (one small statement per replica every `check_seconds`):
a replica that does not answer, is no longer in recovery (promoted) or is further behind than the lag
bounds leaves the rotation until a later check finds it well again. Reads without a position to wait for
go round-robin over the replicas in rotation; a read that must see a write (its WAL position, see
`commit_position`) goes to a replica already past it, else waits up to `wait_seconds` for the most advanced
one to replay it (polling `pg_last_wal_replay_lsn()`), else to the primary (`route` returns None).

A read that loses its replica's connection (the connection drops, or a new one cannot be made) takes the
replica out at once and for at least one check interval, even if the next check finds it answering (a
replica that drops connections is not trusted again within the same breath); the exception is tagged with
the replica's name (`lost_on`), so the API can answer the read again elsewhere (api/read_replicas.py).

Lag is measured against the primary's WAL position, which each check reads first: bytes = the primary's
position minus the replica's replayed one; seconds = how long ago the primary had already written WAL the
replica has not replayed yet (from the positions the last checks saw, so the resolution is `check_seconds`).
Not `now() - pg_last_xact_replay_timestamp()` alone: after a quiet hour that reads one hour for a replica
one write behind, and would take every replica out at the first write; it only bounds a replica that is
behind every position this process has seen (just after start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from store.driver import driver_connection
from store.engine import make_engine, make_read_session_factory, make_session_factory

log = logging.getLogger(__name__)

State = Literal["ok", "lagging", "down", "not-in-recovery", "unknown"]
# Why a read went where it went (bounded: a metrics label).
Reason = Literal["rotation", "caught-up", "waited", "wait-timeout", "none-in-rotation"]
REASONS: tuple[Reason, ...] = ("rotation", "caught-up", "waited", "wait-timeout", "none-in-rotation")

_STATUS_SQL = """
SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
"""
POLL_SECONDS = 0.005  # between two looks at a replica's replay position while a read waits for it
_LOST_ON = "yk_lost_replica"  # attribute a lost connection's exceptions carry: the replica's name


def lost_on(error: BaseException | None) -> str | None:
    """The replica whose connection `error` (or an exception behind it) lost, if a replica's it was."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name = getattr(error, _LOST_ON, None)
        if isinstance(name, str):
            return name
        error = getattr(error, "original_error", None) or error.__cause__ or error.__context__
    return None


def parse_lsn(text: str | None) -> int | None:
    """`16/B374D848` → its byte position (pg_lsn's text form: two 32-bit hex halves)."""
    if not text:
        return None
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


@dataclass(slots=True)
class ReplicaStatus:
    """What the last check found (or what a failed read taught us since)."""

    state: State = "unknown"
    replay_lsn: int | None = None
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    checked_at: float = 0.0  # time.monotonic() of the last check
    error: str | None = None
    down_at: float = float("-inf")  # time.monotonic() when it was last taken out

    @property
    def in_rotation(self) -> bool:
        return self.state == "ok"


class Replica:
    """One replica: its own engine (pool) and session factories, and its last known status."""

    def __init__(self, name: str, engine: AsyncEngine) -> None:
        self.name = name
        self.engine = engine
        self.session_factory: async_sessionmaker[AsyncSession] = make_session_factory(engine)
        self.read_session_factory: async_sessionmaker[AsyncSession] = make_read_session_factory(engine)
        self.status = ReplicaStatus()
        # A read that loses its connection takes the replica out at once, not at the next check.
        event.listen(engine.sync_engine, "handle_error", self._on_error)
        event.listen(engine.sync_engine, "do_connect", self._connect)

    def _on_error(self, context: Any) -> None:
        """A dropped connection (not a statement's error, not a statement_timeout: those leave the
        connection usable) is the replica's failure; a cancelled read (the request's timeout) is not."""
        if context.is_disconnect and not isinstance(context.original_exception, asyncio.CancelledError):
            self._lost(context.original_exception, context.sqlalchemy_exception)

    def _connect(self, dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        """The dialect's own connect; a refusal is the replica's failure too (SQLAlchemy raises it bare, past
        `handle_error`)."""
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as error:
            self._lost(error)
            raise

    def _lost(self, *errors: BaseException | None) -> None:
        for error in errors:
            if error is not None:
                setattr(error, _LOST_ON, self.name)
        self.mark_down(repr(errors[0])[:200])

    def mark_down(self, error: str) -> None:
        if self.status.state != "down":
            log.warning("read replica %s out of rotation: %s", self.name, error)
        self.status.state, self.status.error = "down", error
        self.status.down_at = time.monotonic()

    def report(self) -> dict[str, Any]:
        """For /readyz: state and lag; no URL (it may carry a password) and no error text (addresses): the log
        has those."""
        s = self.status
        return {
            "name": self.name,
            "state": s.state,
            "lagBytes": s.lag_bytes,
            "lagSeconds": None if s.lag_seconds is None else round(s.lag_seconds, 3),
        }


class ReplicaSet:
    """The replicas one API process reads from, watched by a background task started on first use."""

    def __init__(
        self,
        primary: AsyncEngine,
        replicas: Sequence[Replica],
        *,
        max_lag_seconds: float = 5.0,
        max_lag_bytes: int = 64 * 1024 * 1024,
        wait_seconds: float = 0.2,
        check_seconds: float = 1.0,
        check_timeout_seconds: float = 1.0,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self.max_lag_seconds = max_lag_seconds
        self.max_lag_bytes = max_lag_bytes
        self.wait_seconds = wait_seconds
        self.check_seconds = check_seconds
        self.check_timeout_seconds = check_timeout_seconds
        self.routed: dict[tuple[str, Reason], int] = {}  # reads by (target, reason), for /metrics
        self.retried: dict[str, int] = {}  # reads answered again elsewhere, by the replica they lost
        self._turn = itertools.count()
        # The primary's WAL position at the last checks (time.monotonic(), position), oldest first.
        self._primary_positions: deque[tuple[float, int]] = deque(maxlen=4096)
        self._task: asyncio.Task[None] | None = None
        self._first_check: asyncio.Task[None] | None = None

    @classmethod
    def connect(
        cls,
        primary: AsyncEngine,
        urls: Sequence[str],
        *,
        pool_size: int,
        max_overflow: int,
        statement_timeout_ms: int,
        **bounds: Any,
    ) -> ReplicaSet:
        """One engine per replica URL (named replica1…N: bounded metric labels, no credentials shown)."""
        replicas = [
            Replica(
                f"replica{i}",
                make_engine(
                    url,
                    pool_size=pool_size,
                    max_overflow=max_overflow,
                    statement_timeout_ms=statement_timeout_ms,
                    application_name="yingkou-api-replica",
                ),
            )
            for i, url in enumerate(urls, start=1)
        ]
        return cls(primary, replicas, **bounds)

    # --- watching -------------------------------------------------------------------------------------

    async def check(self) -> None:
        """One look at every replica (concurrently), against the primary's current WAL position."""
        try:
            async with asyncio.timeout(self.check_timeout_seconds), driver_connection(self.primary) as conn:
                primary_lsn = parse_lsn(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))
        except Exception as error:  # the primary's own outage is /readyz's business; lag is unknown
            log.warning("could not read the primary's WAL position: %r", error)
            primary_lsn = None
        if primary_lsn is not None:
            self._remember(primary_lsn)
        await asyncio.gather(*(self._check_one(r, primary_lsn) for r in self.replicas))

    async def _check_one(self, replica: Replica, primary_lsn: int | None) -> None:
        status = replica.status
        try:
            async with asyncio.timeout(self.check_timeout_seconds), driver_connection(replica.engine) as conn:
                in_recovery, replayed, replay_age = await conn.fetchrow(_STATUS_SQL)
        except Exception as error:
            replica.mark_down(repr(error)[:200])
            status.checked_at = time.monotonic()
            return
        if status.state == "down" and time.monotonic() - status.down_at < self.check_seconds:
            return  # taken out by a lost read a moment ago: out for a whole interval (module docstring)
        status.checked_at, status.error = time.monotonic(), None
        if not in_recovery:
            status.state, status.lag_bytes, status.lag_seconds = "not-in-recovery", None, None
            return
        replay = parse_lsn(replayed) or 0
        status.replay_lsn = replay  # what it has now (a rebuilt replica may have less than before)
        if primary_lsn is None:
            status.lag_bytes = status.lag_seconds = None
        else:
            status.lag_bytes = max(primary_lsn - replay, 0)
            status.lag_seconds = self._seconds_behind(replay, replay_age)
        lagging = (status.lag_seconds or 0.0) > self.max_lag_seconds or (
            status.lag_bytes or 0
        ) > self.max_lag_bytes
        state: State = "lagging" if lagging else "ok"
        if state != status.state:
            log.info("read replica %s: %s → %s", replica.name, status.state, state)
        status.state = state

    def _remember(self, primary_lsn: int) -> None:
        """Keep the positions of the last `max_lag_seconds` (plus two checks), and one older than that."""
        now = time.monotonic()
        self._primary_positions.append((now, primary_lsn))
        horizon = now - self.max_lag_seconds - 2 * self.check_seconds
        while len(self._primary_positions) > 1 and self._primary_positions[1][0] < horizon:
            self._primary_positions.popleft()

    def _seconds_behind(self, replayed: int, replay_age: float | None) -> float:
        """Since when the primary has had WAL beyond `replayed` (0: the replica has all it had at the check).

        Behind even the oldest position remembered (a process that just started has one), how long is
        unknown: then the age of the last replayed transaction, an upper bound, counts."""
        now = time.monotonic()
        for i, (at, position) in enumerate(self._primary_positions):  # oldest first
            if position > replayed:
                return max(now - at, replay_age or 0.0) if i == 0 else now - at
        return 0.0

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.check()
            except Exception:  # never let the watcher die: a replica it cannot judge stays as it was
                log.exception("read replica check failed")

    async def start(self) -> None:
        """The first check (so the first reads know the replicas), then the watcher in the background."""
        if self._first_check is None:
            self._first_check = asyncio.ensure_future(self.check())
        await asyncio.shield(self._first_check)
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="replica-watch")

    async def watch_every(self, seconds: float) -> None:
        """A new check interval, in force at once (the watcher sleeps before each look: it starts over)."""
        self.check_seconds = seconds
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.start()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for replica in self.replicas:
            await replica.engine.dispose()

    # --- routing --------------------------------------------------------------------------------------

    async def route(self, at_least: int | None = None) -> Replica | None:
        """A replica for one read that must see WAL position `at_least` (None: any), or None for the primary."""
        if self._task is None:
            await self.start()
        healthy = [r for r in self.replicas if r.status.in_rotation]
        if not healthy:
            return self._count(None, "none-in-rotation")
        if at_least is None:
            return self._count(self._next(healthy), "rotation")
        caught_up = [r for r in healthy if (r.status.replay_lsn or 0) >= at_least]
        if caught_up:
            return self._count(self._next(caught_up), "caught-up")
        best = max(healthy, key=lambda r: r.status.replay_lsn or 0)
        if await self._wait_for(best, at_least):
            return self._count(best, "waited")
        return self._count(None, "wait-timeout")

    async def reroute(self, lost: str, at_least: int | None = None) -> Replica | None:
        """Where a read that lost replica `lost` (now out of rotation) goes again: the next replica in rotation
        that has its writes, else the primary (None) — counted in `routed` like any read."""
        self.retried[lost] = self.retried.get(lost, 0) + 1
        return await self.route(at_least)

    def _next(self, candidates: list[Replica]) -> Replica:
        return candidates[next(self._turn) % len(candidates)]

    def _count(self, replica: Replica | None, reason: Reason) -> Replica | None:
        key = (replica.name if replica else "primary", reason)
        self.routed[key] = self.routed.get(key, 0) + 1
        return replica

    async def _wait_for(self, replica: Replica, position: int) -> bool:
        """Whether `replica` replays `position` within the wait bound (looking every few milliseconds)."""
        deadline = time.monotonic() + self.wait_seconds
        try:
            async with driver_connection(replica.engine) as conn:
                while True:
                    replayed = parse_lsn(await conn.fetchval("SELECT pg_last_wal_replay_lsn()::text")) or 0
                    replica.status.replay_lsn = max(replica.status.replay_lsn or 0, replayed)
                    if replayed >= position:
                        return True
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    await asyncio.sleep(min(POLL_SECONDS, left))
        except Exception as error:
            replica.mark_down(repr(error)[:200])
            return False

    async def commit_position(self) -> int | None:
        """The primary's WAL insert position now: past the commit records of every write that has returned."""
        if self._task is None:
            await self.start()
        async with driver_connection(self.primary) as conn:
            return parse_lsn(await conn.fetchval("SELECT pg_current_wal_insert_lsn()::text"))

    def report(self) -> list[dict[str, Any]]:
        return [r.report() for r in self.replicas]
