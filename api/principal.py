"""Who is asking: the Authorization header resolved once per request, shared by the rate limit, GraphQL,
export and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import Scope

from api.auth import AuthError, resolve_bearer
from domain.actors import Actor
from store.driver import driver_connection

log = structlog.get_logger("api.principal")
_KEY = "principal"


@dataclass(frozen=True, slots=True)
class Principal:
    actor: Actor | None
    error: AuthError | None  # `expired`, `invalid`, `revoked`, or `unavailable` (database unreachable)

    @property
    def verified(self) -> bool:
        return self.actor is not None


def client_address(scope: Scope) -> str:
    """The peer's address; behind a trusted proxy the server (uvicorn's proxy headers) already put the
    forwarded client there, and nobody else's X-Forwarded-For is believed (settings.trusted_proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def principal_of(scope: Scope) -> Principal:
    """The request's principal, resolved on first use and kept in the scope for the rest of the request."""
    state: dict[str, Any] = scope.setdefault("state", {})
    found = state.get(_KEY)
    if found is None:
        found = await _resolve(scope)
        state[_KEY] = found
    return found  # type: ignore[no-any-return]


async def _resolve(scope: Scope) -> Principal:
    header = _header(scope, b"authorization")
    if not header:
        return Principal(None, None)
    app_state = scope["app"].state
    try:
        async with driver_connection(app_state.engine) as connection:
            actor = await resolve_bearer(
                connection,
                header,
                secret=app_state.settings.token_secret.get_secret_value(),
                now=app_state.clock(),
            )
        return Principal(actor, None)
    except AuthError as error:
        return Principal(None, error)  # its security event: api/ratelimit.py, within the limit
    except (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # The database is unreachable: UNAVAILABLE (503, Retry-After) rather than an HTTP 500; logged in one
        # line (a traceback a request would cost seconds of CPU each while the database is down).
        log.warning("could not check the credential", error=repr(error)[:200])
        return Principal(None, AuthError("unavailable"))
