"""Generates in-app notices from the obligations calendar: when an obligation opens, 30 and 7 days before it
is due, and when it becomes overdue.

Safe in any number of API processes: a round runs under a transaction-level PostgreSQL advisory lock (a
second process skips the round instead of repeating the work), and every notice is inserted with
ON CONFLICT DO NOTHING on (organization, obligation, kind) — so even two rounds racing send each notice once.
Nothing lives in memory: after a restart the next round catches up from the facts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from sqlalchemy import func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock, legal_date
from domain.services.obligations import notices
from store.supervision_repositories import obligation_facts
from store.supervision_tables import notifications

log = structlog.get_logger("api.notifications")
LOCK_KEY = 5_230_023  # advisory lock id of the notification round (Art. 23)
CHUNK = 1000


async def run_once(
    session_factory: async_sessionmaker[AsyncSession], clock: Clock, *, wait_for_lock: bool = False
) -> int:
    """One round; returns how many notices were new. Skips (0) while another process holds the round."""
    async with session_factory() as session, session.begin():
        if wait_for_lock:
            await session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        elif not (await session.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY)))).scalar_one():
            return 0
        today = legal_date(clock())
        earned = notices(await obligation_facts(session, true()), today)
        if not earned:
            return 0
        rows = [
            {
                "organization_id": o.organization_id,
                "project_id": o.project_id,
                "obligation_key": o.key,
                "kind": str(kind),
                "rule": o.rule,
                "opens_on": o.opens_on,
                "due_on": o.due_on,
            }
            for o, kind in earned
        ]
        created = 0
        for start in range(0, len(rows), CHUNK):  # asyncpg allows 32767 parameters per statement
            stmt = (
                insert(notifications)
                .values(rows[start : start + CHUNK])
                .on_conflict_do_nothing(index_elements=["organization_id", "obligation_key", "kind"])
                .returning(notifications.c.id)
            )
            created += len((await session.execute(stmt)).all())
        return created


async def run(
    session_factory: async_sessionmaker[AsyncSession], clock: Clock, interval_seconds: float
) -> None:
    while True:
        try:
            created = await run_once(session_factory, clock)
            if created:
                log.info("notices sent", count=created)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("notification round failed")
        await asyncio.sleep(interval_seconds)


def start(state: Any) -> asyncio.Task[None]:
    return asyncio.create_task(
        run(state.session_factory, state.clock, state.settings.notification_interval_seconds),
        name="notification-worker",
    )


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
