"""Wake-ups for live subscriptions: one LISTEN connection per process on the `yk_changes` channel.

A trigger on the audit log and on notifications sends `NOTIFY yk_changes` when a writing transaction commits
(migration 0017), whichever API process wrote it. A notice carries no data: each subscription then reads
what it may see through the same scoped queries as `changes` and `notifications`, so a subscription can
never see more than a query would. Notices sent while the connection is away are lost; subscriptions also
look again every `poll_seconds`, so a lost notice delays a change but never drops it.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from authz.listener import Connect

log = structlog.get_logger("api.live")
CHANNEL = "yk_changes"


class ChangeSignal:
    """Started on the first subscription; `current()` is an event set at the next committed change."""

    def __init__(self, connect: Connect, *, retry_seconds: float = 0.5) -> None:
        self._connect = connect
        self._retry = retry_seconds
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self.listening = asyncio.Event()

    def current(self) -> asyncio.Event:
        """The event the next notice sets; take it *before* reading, so a change in between still wakes."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="live-listen")
        return self._event

    def _wake(self, *_: object) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def _listen(self) -> None:
        while True:
            try:
                connection = await self._connect()
                self._connection = connection
                await connection.add_listener(CHANNEL, self._wake)
                self.listening.set()
                self._wake()  # whatever committed while nobody listened
                while not connection.is_closed():
                    await asyncio.sleep(10)
                    await connection.execute("SELECT 1", timeout=5)  # a half-open connection shows when used
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("live listener connection failed", error=str(error))
            self.listening.clear()
            await self._close()
            await asyncio.sleep(self._retry)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=2)
