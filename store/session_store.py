"""Persistence of sessions, refresh tokens and sign-in throttle counters (issue 13)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.login_throttle import ThrottleState
from store import tables
from store.session_tables import refresh_tokens, user_sessions

s, r, u = user_sessions, refresh_tokens, tables.users


async def create_session(
    session: AsyncSession,
    *,
    user_id: int,
    now: datetime,
    expires_at: datetime,
    address: str | None,
    user_agent: str | None,
) -> int:
    return int(
        (
            await session.execute(
                insert(s)
                .values(
                    user_id=user_id,
                    created_at=now,
                    expires_at=expires_at,
                    address=address,
                    user_agent=(user_agent or "")[:200] or None,
                )
                .returning(s.c.id)
            )
        ).scalar_one()
    )


async def purge_ended_sessions(session: AsyncSession, *, user_id: int, ended_before: datetime) -> None:
    """Forget a user's sessions that expired or ended before `ended_before`, with their refresh tokens
    (a token of an ended session is refused whether or not its row exists)."""
    old = select(s.c.id).where(
        s.c.user_id == user_id,
        or_(s.c.expires_at < ended_before, s.c.revoked_at < ended_before),
    )
    await session.execute(delete(r).where(r.c.session_id.in_(old)))
    await session.execute(delete(s).where(s.c.id.in_(old)))


async def add_refresh_token(
    session: AsyncSession, *, session_id: int, token_hash: str, now: datetime
) -> None:
    await session.execute(insert(r).values(session_id=session_id, token_hash=token_hash, issued_at=now))


async def use_refresh_token(session: AsyncSession, *, token_hash: str, now: datetime) -> int | None:
    """Mark an unused refresh token used, atomically (two racing refreshes: one wins); its session id."""
    found = (
        await session.execute(
            update(r)
            .where(r.c.token_hash == token_hash, r.c.used_at.is_(None))
            .values(used_at=now)
            .returning(r.c.session_id)
        )
    ).scalar()
    return None if found is None else int(found)


async def session_of_used_token(session: AsyncSession, *, token_hash: str) -> int | None:
    found = (await session.execute(select(r.c.session_id).where(r.c.token_hash == token_hash))).scalar()
    return None if found is None else int(found)


async def live_session(session: AsyncSession, *, session_id: int, now: datetime) -> Any | None:
    """The session with its user, if it has not ended, not expired and its user is active (locked)."""
    return (
        await session.execute(
            select(s.c.id, s.c.user_id, s.c.expires_at, u.c.username)
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.id == session_id, s.c.revoked_at.is_(None), s.c.expires_at > now, u.c.active)
            .with_for_update(of=s)
        )
    ).first()


async def touch_session(session: AsyncSession, *, session_id: int, now: datetime) -> None:
    await session.execute(update(s).where(s.c.id == session_id).values(last_refreshed_at=now))


async def revoke_sessions(
    session: AsyncSession,
    *,
    now: datetime,
    reason: str,
    user_id: int | None = None,
    session_id: int | None = None,
    keep: int | None = None,
) -> list[int]:
    """End the open sessions of a user (all but `keep`), or one session; the ids ended."""
    where: list[ColumnElement[bool]] = [s.c.revoked_at.is_(None)]
    if user_id is not None:
        where.append(s.c.user_id == user_id)
    if session_id is not None:
        where.append(s.c.id == session_id)
    if keep is not None:
        where.append(s.c.id != keep)
    ended = await session.execute(
        update(s).where(and_(*where)).values(revoked_at=now, revoked_reason=reason).returning(s.c.id)
    )
    return sorted(int(pk) for pk in ended.scalars())


# Sign-in throttle counters: rows made if missing, then locked in key order (no deadlock between two
# sign-ins), so parallel attempts on one username or address are counted one after the other.
_ENSURE = """
    INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 0, $2)
    ON CONFLICT (key) DO NOTHING
"""
_LOCK = """
    SELECT key, failures, last_failure_at, locked_until FROM login_throttle
    WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE
"""
_WRITE = "UPDATE login_throttle SET failures = $2, last_failure_at = $3, locked_until = $4 WHERE key = $1"
_FORGET = "DELETE FROM login_throttle WHERE key = $1"
_EXPIRED = """
    DELETE FROM login_throttle
    WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2)
"""


async def lock_throttle(
    connection: asyncpg.Connection, keys: Sequence[str], now: datetime
) -> dict[str, ThrottleState | None]:
    """Inside a transaction: the counters of `keys`, locked until it ends."""
    ordered = sorted(set(keys))
    await connection.executemany(_ENSURE, [(key, now) for key in ordered])
    states: dict[str, ThrottleState | None] = dict.fromkeys(ordered)
    for row in await connection.fetch(_LOCK, ordered):
        if row["failures"] > 0:
            states[row["key"]] = ThrottleState(row["failures"], row["last_failure_at"], row["locked_until"])
    return states


async def write_throttle(connection: asyncpg.Connection, key: str, state: ThrottleState | None) -> None:
    if state is None:
        await connection.execute(_FORGET, key)
    else:
        await connection.execute(_WRITE, key, state.failures, state.last_failure_at, state.locked_until)


async def forget_stale_throttles(
    connection: asyncpg.Connection, *, older_than: datetime, now: datetime
) -> None:
    await connection.execute(_EXPIRED, older_than, now)
