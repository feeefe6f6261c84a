"""Engine and session factories. statement_timeout keeps one bad query from holding a connection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from store.mapping import map_domain


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    statement_timeout_ms: int = 15_000,
    pre_ping: bool = False,
    application_name: str = "yingkou-api",
) -> AsyncEngine:
    """`pool_size` connections are kept; up to `max_overflow` (default: as many again) more are opened when
    needed and closed when given back.

    Without pre-ping a checkout costs no round trip; after a PostgreSQL restart the first statement on a dead
    connection fails, and SQLAlchemy then discards every pooled connection of that age (one failed request
    instead of a ping on every checkout; tests/store/test_faults.py restarts the server under load)."""
    map_domain()
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping,
        connect_args={
            "server_settings": {
                "statement_timeout": str(statement_timeout_ms),
                "application_name": application_name,
            }
        },
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading only, in autocommit: no BEGIN and ROLLBACK round trips around each query (under
    READ COMMITTED every statement takes its own snapshot anyway). Never for a use case's writes."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False
    )
