"""Straight to the driver for the few fixed statements every request runs (the credential check and the
rate-limit count): SQLAlchemy's work around one execute (~0.5 ms of CPU) costs more than the query itself.

The connection still comes from the engine's pool and goes back to it; statements run in autocommit. When the
connection turns out to be lost (PostgreSQL restarted), the pool is refreshed as SQLAlchemy would do it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
    OSError,
)


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    # The pool's checkout alone (no SQLAlchemy Connection, no transaction state, no isolation level set and
    # reset): the statements here run in the driver's autocommit, so giving it back needs no round trip.
    pooled = await engine.raw_connection()
    try:
        driver: asyncpg.Connection = pooled.driver_connection
        yield driver
    except _LOST:
        pooled.invalidate()
        await engine.dispose(close=False)  # every pooled connection is as old as this one
        raise
    finally:
        pooled.close()  # back to the pool (nothing to roll back: no transaction was begun)
