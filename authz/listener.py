"""Keeps one process's policy in step with the database: LISTEN on a dedicated asyncpg connection.

A change committed by any process arrives as `NOTIFY yk_policy, '<version>'`; this process then reloads
the rules and puts the new version in force. After a lost connection (database restart, network) it
reconnects, LISTENs again and reloads, because notifications sent while it was away are gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from authz import policy_store
from authz.enforcer import Authorizer
from authz.policy_admin import apply_database_policy

log = logging.getLogger("authz.listener")
Connect = Callable[[], Awaitable[asyncpg.Connection]]


def asyncpg_connector(url: str, *, application_name: str = "yingkou-policy-listener") -> Connect:
    """A connect function for an SQLAlchemy URL (TCP or `?host=/socket/dir`)."""
    parsed = make_url(url)
    query = {key: str(value) for key, value in parsed.query.items()}
    host = query.get("host", parsed.host)
    port = int(query.get("port", parsed.port or 5432))

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
            host=host,
            port=port,
            timeout=5,
            server_settings={"application_name": application_name},
        )

    return connect


class PolicyListener:
    """Started in the app's lifespan; `version_seen` tells tests and probes what it has applied."""

    def __init__(
        self,
        *,
        authorizer: Authorizer,
        session_factory: async_sessionmaker[AsyncSession],
        connect: Connect,
        retry_seconds: float = 0.5,
    ) -> None:
        self._authorizer = authorizer
        self._session_factory = session_factory
        self._connect = connect
        self._retry = retry_seconds
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._connection: asyncpg.Connection | None = None
        self.reconnects = 0

    async def start(self) -> None:
        """Load the policy once (failing loudly if the database is unreachable), then follow it."""
        await self.refresh()
        self._tasks = [
            asyncio.create_task(self._listen(), name="policy-listen"),
            asyncio.create_task(self._apply(), name="policy-apply"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._close()

    async def refresh(self) -> None:
        """Reload the rules if the database holds another version than the one in force."""
        before = self._authorizer.version
        await apply_database_policy(self._authorizer, self._session_factory)
        if self._authorizer.version != before:
            log.info("policy version %s in force", self._authorizer.version)

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._dirty.set()

    async def _apply(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self.refresh()
            except Exception:
                log.exception("policy reload failed")
                await asyncio.sleep(self._retry)
                self._dirty.set()

    async def _listen(self) -> None:
        while True:
            try:
                connection = await self._connect()
                self._connection = connection
                await connection.add_listener(policy_store.CHANNEL, self._notified)
                self._dirty.set()  # whatever changed while we were not listening
                await self._wait_until_lost(connection)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("policy listener connection failed: %s", error)
            await self._close()
            self.reconnects += 1
            await asyncio.sleep(self._retry)

    async def _wait_until_lost(self, connection: asyncpg.Connection) -> None:
        beats = 0
        while not connection.is_closed():
            await asyncio.sleep(self._retry)
            beats += 1
            if beats % 20 == 0:  # a half-open TCP connection only shows itself when used
                await connection.execute("SELECT 1", timeout=5)

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=2)


async def follow_database_policy(
    authorizer: Authorizer, session_factory: async_sessionmaker[AsyncSession], url: str
) -> PolicyListener:
    """At start-up: copy new policy.csv lines into the database, put its policy in force, follow changes."""
    from authz.enforcer import POLICY_PATH
    from authz.policy_lines import read_policy_file

    async with session_factory() as session, session.begin():
        await policy_store.seed_from_file(session, read_policy_file(POLICY_PATH))
    listener = PolicyListener(
        authorizer=authorizer, session_factory=session_factory, connect=asyncpg_connector(url)
    )
    await listener.start()
    return listener
