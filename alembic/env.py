"""Async Alembic environment. The URL comes from the caller (config attribute) or from the settings."""

from __future__ import annotations

import asyncio
from functools import cache
from logging.config import fileConfig

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from store import roles
from store.tables import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


@cache  # the embedded server is started (or adopted) once per run
def _urls() -> tuple[str, str | None]:
    """The owner's URL to migrate with, and the runtime role to grant (None: the same role, or unknown)."""
    url = config.attributes.get("url")
    if url:
        return str(url), config.attributes.get("runtime_role")
    from api.settings import database_urls, get_settings

    urls = database_urls(get_settings())
    return urls.owner, urls.runtime_role


def _grant_runtime(connection: Connection, runtime_role: str) -> None:
    """Re-grant the runtime role after every upgrade: what a migration added is covered, in its transaction."""
    existing = connection.exec_driver_sql(roles.EXISTING_TABLES).scalars().all()
    for statement in roles.grant_statements(runtime_role, existing_tables=existing):
        connection.exec_driver_sql(statement)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    runtime_role = _urls()[1]
    with context.begin_transaction():
        context.run_migrations()
        if runtime_role and not context.is_offline_mode():
            _grant_runtime(connection, runtime_role)


async def _run_async() -> None:
    engine = create_async_engine(_urls()[0])
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_urls()[0], target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
