"""Rate-limit counts kept in process and merged into PostgreSQL in batches (issue 17).

Each API process counts its own requests in memory, exactly, and decides on its view of a key: the last
global count it merged plus what it counted since. A background task merges every half `interval` (so no
view is older than `interval`, 250 ms by default): one statement adds this process's increments to
`rate_limit_windows` (INSERT … ON CONFLICT DO UPDATE over unnest arrays) and reads back the global counts of
every key it is following, so the other processes' requests enter its view within an interval.

Exactness and overshoot. A process alone refuses exactly at the limit: nothing it counted is ever missing from
its view. With P processes, a process misses only what the others counted since their last merge that it
has read back: at most `interval` (+ two round trips) of their traffic. So the requests of one key admitted
in a window are at most

    limit + (P − 1) × rate × (interval + 2 × round trip)   ≤   limit + P × interval × rate

where `rate` is the key's requests per second at one process (the right-hand form holds while a round trip
stays under interval / (2 (P − 1)): 125 ms for two processes, 42 ms for four). For example 4 processes at
250 ms and a client sending 20 requests a second to each: at most 4 × 0.25 × 20 = 20 beyond the limit.
Rate limiting protects capacity; a few requests past the limit for a quarter second is the price of not
writing to PostgreSQL on every request.

A view older than `interval` (a key not seen for a while, or a process that was idle) is merged at once
before the request is decided, so a quiet process never decides on stale counts. The task stops when the
process has counted nothing for a while and starts again with the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from store.driver import driver_connection

log = structlog.get_logger("api.rate_counter")
WINDOW = timedelta(seconds=60)
IDLE_ROUNDS = 16  # merges with nothing new before the task stops (restarted by the next request)

# One statement a merge: this process's increments in, the global counts of the keys it follows out; on the
# first merge of a new window it also forgets the windows before the previous one. The read-back sees the
# table as it was before the insert (one snapshot), so keys being incremented are read from RETURNING only.
_MERGE = """
    WITH counted AS (
        INSERT INTO rate_limit_windows AS w (key, window_start, hits)
        SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
        ON CONFLICT (key, window_start) DO UPDATE SET hits = w.hits + excluded.hits
        RETURNING w.key, w.window_start, w.hits
    ), forget AS (
        DELETE FROM rate_limit_windows WHERE $6::boolean AND window_start < $7::timestamptz
    )
    SELECT key, window_start, hits FROM counted
    UNION ALL
    SELECT w.key, w.window_start, w.hits
    FROM rate_limit_windows w
    JOIN unnest($4::text[], $5::timestamptz[]) AS r(key, window_start) USING (key, window_start)
"""

Slot = tuple[str, datetime]  # (counter key, window start)


class RateCounter:
    """One per process (app.state.rate_counter): `hit` counts a request and returns the key's count."""

    def __init__(self, engine: AsyncEngine, *, interval: float = 0.25) -> None:
        self._engine = engine
        self.interval = max(0.01, interval)
        self._stale_after = self.interval
        self._pending: dict[Slot, int] = {}  # counted here, not yet sent
        self._sending: dict[Slot, int] = {}  # in the merge under way
        self._merged: dict[Slot, tuple[int, float]] = {}  # global count, and when it was read (monotonic)
        self._seen: dict[Slot, float] = {}  # when this process last counted the slot
        self._wanted: set[Slot] = set()  # slots requests are waiting to read (fresh)
        self._failed_at = -math.inf  # when a merge last failed (monotonic)
        self._window: datetime | None = None  # the newest window counted
        self._forget_due = False
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.merges = 0

    def count(self, slot: Slot) -> int:
        """This process's view of a slot: the last merged global count and what it counted since."""
        merged = self._merged.get(slot)
        return (merged[0] if merged else 0) + self._sending.get(slot, 0) + self._pending.get(slot, 0)

    async def hit(self, key: str, window: datetime) -> int:
        """Count one request of `key` in `window`; the count including it."""
        slot = (key, window)
        await self.fresh(slot)
        self._pending[slot] = self._pending.get(slot, 0) + 1
        self._seen[slot] = time.monotonic()
        self._start()
        return self.count(slot)

    async def fresh(self, slot: Slot) -> None:
        """Merge now if this process's view of the slot is older than an interval (or it has none)."""
        if self._is_fresh(slot) or time.monotonic() - self._failed_at < self.interval:
            return  # fresh; or the database just failed us: decide on the local view, not queue for it
        # Requests waiting for a merge share the next one (many users' first requests: one statement).
        self._wanted.add(slot)
        async with self._lock:
            if not self._is_fresh(slot):  # the merge this one waited for may have read it already
                self._wanted.add(slot)
                await self._merge_locked()

    def _is_fresh(self, slot: Slot) -> bool:
        merged = self._merged.get(slot)
        return merged is not None and time.monotonic() - merged[1] <= self._stale_after

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="rate-limit-merge")

    async def _run(self) -> None:
        idle = failures = 0
        while idle < IDLE_ROUNDS and failures < IDLE_ROUNDS:
            await asyncio.sleep(self.interval / 2)
            busy = bool(self._pending) or any(
                time.monotonic() - seen <= self._stale_after for seen in self._seen.values()
            )
            idle = 0 if busy else idle + 1
            if not busy:
                continue
            try:
                await self.merge()
                failures = 0
            except Exception as error:  # an outage: the counts stay pending, for a later merge
                if failures == 0:  # one line an outage, not one a merge
                    log.warning("rate limit merge failed", error=repr(error)[:200])
                failures += 1

    async def merge(self) -> None:
        """Send this process's increments and read back the global counts of the keys it follows."""
        async with self._lock:
            await self._merge_locked()

    async def _merge_locked(self) -> None:
        wanted, self._wanted = self._wanted, set()
        window = max((w for _, w in [*self._pending, *wanted]), default=self._window)
        if window is not None and (self._window is None or window > self._window):
            self._forget_due = True
            self._window = window
        oldest = None if self._window is None else self._window - WINDOW
        self._drop_before(oldest)
        self._sending, self._pending = self._pending, {}
        now = time.monotonic()
        follow = {s for s, seen in self._seen.items() if now - seen <= 2 * self._stale_after}
        follow |= wanted
        follow -= self._sending.keys()
        sending = list(self._sending.items())
        forget = self._forget_due and oldest is not None
        try:
            async with driver_connection(self._engine) as connection:
                rows = await connection.fetch(
                    _MERGE,
                    [k for (k, _), _ in sending],
                    [w for (_, w), _ in sending],
                    [n for _, n in sending],
                    [k for k, _ in follow],
                    [w for _, w in follow],
                    forget,
                    oldest,
                )
        except BaseException:
            for slot, n in self._sending.items():  # not sent: count them again with the next merge
                self._pending[slot] = self._pending.get(slot, 0) + n
            self._sending = {}
            self._wanted |= wanted
            self._failed_at = time.monotonic()
            raise
        read_at = time.monotonic()
        self._sending = {}
        self.merges += 1
        if forget:
            self._forget_due = False
        for slot in [*follow, *(s for s, _ in sending)]:
            self._merged[slot] = (0, read_at)  # no row: nobody counted it yet
        for row in rows:
            self._merged[(row["key"], row["window_start"])] = (int(row["hits"]), read_at)

    def _drop_before(self, oldest: datetime | None) -> None:
        """Forget windows before the previous one: their counts decide nothing any more."""
        if oldest is None:
            return
        for table in (self._pending, self._merged, self._seen):
            for slot in [s for s in table if s[1] < oldest]:
                del table[slot]

    async def stop(self) -> None:
        """At shutdown: stop the task and send what is still pending."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._pending:
            with contextlib.suppress(Exception):
                await self.merge()
