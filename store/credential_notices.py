"""The NOTIFY that tells every API process to drop a cached credential (api/credential_cache.py listens):
sent inside the changing transaction, so it is delivered only if that commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "yk_credentials"
ALL = "*"  # a notice dropping every entry


def session_notice(session_id: int) -> str:
    return f"session:{session_id}"


def user_notice(user_id: int) -> str:
    return f"user:{user_id}"


def token_notice(token_id: int) -> str:
    return f"token:{token_id}"


async def announce(session: AsyncSession, notices: Iterable[str]) -> None:
    """Inside the change's transaction: NOTIFY every process (delivered only if the transaction commits)."""
    listed = sorted(set(notices))
    if listed:
        await session.execute(
            text("SELECT pg_notify(:channel, notice) FROM unnest(CAST(:notices AS text[])) AS notice"),
            {"channel": CHANNEL, "notices": listed},
        )
