"""Who is asking: the Authorization header resolved once per request, shared by the rate limit, GraphQL,
export and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from api.auth import (
    API_TOKEN_PREFIX,
    LAST_USED_RESOLUTION,
    AuthError,
    api_token_entry,
    api_token_hash,
    bearer_credential,
    read_session_token,
    session_entry,
)
from api.credential_cache import CredentialCache, SessionEntry, TokenEntry
from api.settings import Settings
from domain.actors import Actor
from domain.clock import Clock
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
    return await authenticate(scope["app"].state, _header(scope, b"authorization"))


class Checker(Protocol):
    """What checking a credential needs: the app state and a request's context both have it."""

    engine: AsyncEngine
    settings: Settings
    clock: Clock
    credentials: CredentialCache | None


async def authenticate(deps: Checker, header: str | None) -> Principal:
    """The one credential check (HTTP requests, WebSocket connection_init, uploads, subscriptions' re-checks):
    the principal behind an Authorization value. Cached per process by session or token id
    (api/credential_cache.py); a miss costs one statement."""
    if not header:
        return Principal(None, None)
    try:
        return Principal(await _actor(deps, header), None)
    except AuthError as error:
        return Principal(None, error)  # its security event: api/ratelimit.py, within the limit
    except (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # The database is unreachable: UNAVAILABLE (503, Retry-After) rather than an HTTP 500; logged in one
        # line (a traceback a request would cost seconds of CPU each while the database is down).
        log.warning("could not check the credential", error=repr(error)[:200])
        return Principal(None, AuthError("unavailable"))


async def _actor(deps: Checker, header: str) -> Actor:
    credential = bearer_credential(header)
    now = deps.clock()
    cache = deps.credentials or _NO_CACHE
    if credential.startswith(API_TOKEN_PREFIX):
        digest = api_token_hash(credential)
        token = cache.token(digest)
        # A cached token whose use is due to be written again goes to the database, which writes it.
        if (
            token is not None
            and token.last_used_at is not None
            and now - token.last_used_at < LAST_USED_RESOLUTION
        ):
            if token.expires_at is not None and token.expires_at <= now:
                raise AuthError("expired")
            return token.actor
        generation = cache.generation
        async with driver_connection(deps.engine) as connection:
            actor, expires_at, last_used = await api_token_entry(connection, digest, now=now)
        cache.keep_token(digest, TokenEntry(actor, expires_at, last_used), generation)
        return actor
    secret = deps.settings.token_secret.get_secret_value()
    user_id, session_id = read_session_token(credential, secret=secret, now=now)
    entry = cache.session(session_id)
    if entry is not None and entry.actor.user_id == user_id:
        if entry.expires_at <= now:  # the request's clock decides, not the cache's
            raise AuthError("expired")
        return entry.actor
    generation = cache.generation
    async with driver_connection(deps.engine) as connection:
        actor, expires_at = await session_entry(connection, user_id, session_id, now=now)
    cache.keep_session(session_id, SessionEntry(actor, expires_at), generation)
    return actor


_NO_CACHE = CredentialCache(ttl_seconds=0)  # serves nothing: for callers without a process cache
