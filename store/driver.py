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
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        try:
            yield driver
        except _LOST:
            await connection.invalidate()
            await engine.dispose(close=False)  # every pooled connection is as old as this one
            raise
