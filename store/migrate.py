"""Run Alembic migrations programmatically (the CLI, the tests): Alembic is the only schema creator."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str, *, runtime_role: str | None = None) -> Config:
    """`url` connects as the owner role; `runtime_role` (if any) is granted its privileges after upgrading."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    config.attributes["runtime_role"] = runtime_role
    config.attributes["configure_logging"] = False
    return config


async def refresh_derived_facts(url: str) -> None:
    """Facts the app derives with domain code a migration must not copy (issue 15.4: each project's
    earliest unmet obligation due date), recomputed for every project once the schema is at head."""
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from store.obligation_dates import refresh_obligation_dates

    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            await refresh_obligation_dates(session)
    finally:
        await engine.dispose()


def upgrade(url: str, revision: str = "head", *, runtime_role: str | None = None) -> None:
    """alembic upgrade as the owner (`url`), then the runtime role's grants (store/roles.py); in its own
    thread: the async env runs its own event loop."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            command.upgrade(alembic_config(url, runtime_role=runtime_role), revision)
            if revision == "head":
                asyncio.run(refresh_derived_facts(url))
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run, name="alembic-upgrade")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
