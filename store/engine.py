"""Engine and session factory. statement_timeout keeps one bad query from holding a connection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from store.mapping import map_domain


def make_engine(url: str, *, pool_size: int = 10, statement_timeout_ms: int = 15_000) -> AsyncEngine:
    map_domain()
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # survives a PostgreSQL restart without restarting the API
        connect_args={"server_settings": {"statement_timeout": str(statement_timeout_ms),
                                          "application_name": "yingkou-api"}},
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
