"""Security events (issue 13): failed and throttled sign-ins, lockouts, refused credentials, FORBIDDEN
refusals, sign-outs, password changes, sessions ended by an administrator.

Each is written at once on its own autocommit connection (store/driver.py), never inside the request's
transaction: a refused request rolls back, and its event must stay. They are kept apart from the project
audit log (which records what changed) and read by the audit role (`securityEvents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from store.driver import driver_connection

log = structlog.get_logger("api.security")


class SecurityEventKind(StrEnum):
    """Kinds of event (names, not secrets: hence the S105 exemptions)."""

    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGIN_THROTTLED = "LOGIN_THROTTLED"  # refused unchecked: too soon after failures, or locked
    LOGIN_LOCKED = "LOGIN_LOCKED"  # a username or address reached its failure limit
    TOKEN_REFUSED = "TOKEN_REFUSED"  # noqa: S105  # an invalid or revoked credential (expiry alone is not an event)
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"  # noqa: S105  # a used refresh token again: its session is revoked
    FORBIDDEN = "FORBIDDEN"
    LOGOUT = "LOGOUT"
    LOGOUT_EVERYWHERE = "LOGOUT_EVERYWHERE"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"  # noqa: S105
    PASSWORD_CHANGE_FAILED = "PASSWORD_CHANGE_FAILED"  # noqa: S105  # a wrong current password
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105  # an activation token was issued instead
    ACTIVATION_SUCCEEDED = "ACTIVATION_SUCCEEDED"  # a user set their password with an activation token
    ACTIVATION_FAILED = "ACTIVATION_FAILED"  # an unknown, used, replaced or expired activation token
    SESSION_REVOKED = "SESSION_REVOKED"
    USER_DISABLED = "USER_DISABLED"
    USER_ENABLED = "USER_ENABLED"


_INSERT = """
    INSERT INTO security_events
        (occurred_at, kind, username, user_id, api_token_id, session_id, address, request_id, detail)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
"""


async def record(
    engine: AsyncEngine,
    kind: SecurityEventKind,
    *,
    now: Any,
    username: str | None = None,
    user_id: int | None = None,
    api_token_id: int | None = None,
    session_id: int | None = None,
    address: str | None = None,
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one event, committed at once. A failure to write is logged, never turned into a refusal."""
    try:
        async with driver_connection(engine) as connection:
            await connection.execute(
                _INSERT,
                now,
                kind.value,
                username[:160] if username else None,
                user_id,
                api_token_id,
                session_id,
                address,
                request_id,
                orjson.dumps(detail).decode() if detail is not None else None,
            )
    except Exception:
        log.warning("security event not written", kind=kind.value, exc_info=True)
    log.info("security event", kind=kind.value, username=username, address=address, request_id=request_id)


_record = record  # the writer above, under a name SecurityEventLog.record does not seem to shadow


@dataclass(frozen=True)
class SecurityEventLog:
    """domain.ports.SecurityLog for one client: the use case says what happened, this adds where from."""

    engine: AsyncEngine
    address: str | None = None
    request_id: str | None = None

    async def record(
        self, kind: str, *, at: Any, username: str, user_id: int | None, detail: dict[str, Any]
    ) -> None:
        await _record(
            self.engine,
            SecurityEventKind(kind),
            now=at,
            username=username,
            user_id=user_id,
            address=self.address,
            request_id=self.request_id,
            detail=detail,
        )
