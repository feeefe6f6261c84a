"""Per-process caches of the credential check (issue 17): a request with a valid access token or API token
does not ask PostgreSQL whether its session stands, nor who its actor is, while the answer is cached.

Entries are keyed by session id or API-token id, never by a token's bytes (a token finds its id through its
SHA-256 digest, which is what the database stores too). Every change that ends or alters a credential
(logout, logoutEverywhere, sessionRevoke, refresh-token reuse, userDisable/userEnable, passwordChange,
passwordReset, apiTokenRevoke) sends `NOTIFY yk_credentials, '<kind>:<id>'` in its own transaction, so the
notice goes out only on commit; every process's `CredentialListener` drops the entries it names, and the
process that made the change drops them at once after its commit (its own notice arrives a moment later).

Safety nets: entries live at most `credential_cache_seconds` (a lost notice costs that long at most); the
cache serves nothing while its LISTEN connection is down, and is cleared when it connects again (notices
sent meanwhile are gone); an answer read from the database is kept only if no notice arrived while it was
being read (`generation`), so a revocation racing a check is never undone by it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from cachetools import TTLCache

from authz.listener import Connect
from domain.actors import Actor
from store.credential_notices import ALL, CHANNEL, announce, session_notice, token_notice, user_notice

__all__ = ["ALL", "CHANNEL", "announce", "session_notice", "token_notice", "user_notice"]

log = structlog.get_logger("api.credentials")


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A session found live: its actor and when it ends (checked against the request's clock)."""

    actor: Actor
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """An API token found valid: its actor, its expiry and when its use was last written."""

    actor: Actor
    expires_at: datetime | None
    last_used_at: datetime | None


class CredentialCache:
    """Bounded TTL caches (cachetools) of live sessions and API tokens; serves only while `enabled`."""

    def __init__(self, *, max_entries: int = 10_000, ttl_seconds: float = 30.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._sessions: TTLCache[int, SessionEntry] = TTLCache(max(1, max_entries), max(ttl_seconds, 1e-3))
        self._tokens: TTLCache[int, TokenEntry] = TTLCache(max(1, max_entries), max(ttl_seconds, 1e-3))
        self._token_ids: TTLCache[str, int] = TTLCache(max(1, max_entries), max(ttl_seconds, 1e-3))
        self.generation = 0  # counts notices: an answer read across one is not kept
        self.enabled = False  # only while the LISTEN connection stands (CredentialListener)
        self.hits = 0
        self.misses = 0

    @property
    def serving(self) -> bool:
        return self.enabled and self.ttl_seconds > 0

    def session(self, session_id: int) -> SessionEntry | None:
        found = self._sessions.get(session_id) if self.serving else None
        self._count(found)
        return found

    def token(self, digest: str) -> TokenEntry | None:
        token_id = self._token_ids.get(digest) if self.serving else None
        found = None if token_id is None else self._tokens.get(token_id)
        self._count(found)
        return found

    def keep_session(self, session_id: int, entry: SessionEntry, generation: int) -> None:
        if self.serving and generation == self.generation:
            self._sessions[session_id] = entry

    def keep_token(self, digest: str, entry: TokenEntry, generation: int) -> None:
        token_id = entry.actor.token_id
        if self.serving and generation == self.generation and token_id is not None:
            self._tokens[token_id] = entry
            self._token_ids[digest] = token_id

    def drop(self, notices: Iterable[str]) -> None:
        """Forget what the notices name (`session:<id>`, `user:<id>`, `token:<id>`, `*`)."""
        self.generation += 1
        for notice in notices:
            kind, _, raw = notice.partition(":")
            if kind == "session" and raw.isdigit():
                self._sessions.pop(int(raw), None)
            elif kind == "token" and raw.isdigit():
                self._tokens.pop(int(raw), None)
            elif kind == "user" and raw.isdigit():
                user_id = int(raw)
                # Rare (a user's every session ends): a scan of a bounded cache.
                for session_id in [k for k, v in self._sessions.items() if v.actor.user_id == user_id]:
                    self._sessions.pop(session_id, None)
            else:
                self.clear()

    def clear(self) -> None:
        self.generation += 1
        self._sessions.clear()
        self._tokens.clear()
        self._token_ids.clear()

    def _count(self, found: object) -> None:
        if found is None:
            self.misses += 1
        else:
            self.hits += 1


def forget_here(deps: object, notices: Iterable[str]) -> None:
    """After the commit: this process drops the entries at once (its own notice arrives a moment later)."""
    cache = getattr(deps, "credentials", None)
    if isinstance(cache, CredentialCache):
        cache.drop(list(notices))


class CredentialListener:
    """LISTEN yk_credentials on a dedicated connection; the cache serves only while it is connected."""

    def __init__(
        self,
        cache: CredentialCache,
        connect: Connect,
        *,
        retry_seconds: float = 0.5,
        heartbeat_seconds: float = 5.0,
    ) -> None:
        self._cache = cache
        self._connect = connect
        self._retry = retry_seconds
        self._heartbeat = heartbeat_seconds
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self.listening = asyncio.Event()
        self.reconnects = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="credentials-listen")

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._cache.drop([payload])

    def _lost(self, *_: Any) -> None:
        self._cache.enabled = False
        self._cache.clear()

    async def _listen(self) -> None:
        while True:
            try:
                connection = await self._connect()
                self._connection = connection
                connection.add_termination_listener(self._lost)
                await connection.add_listener(CHANNEL, self._notified)
                # Notices sent while nobody listened are gone: start empty.
                self._cache.clear()
                self._cache.enabled = True
                self.listening.set()
                while not connection.is_closed():
                    await asyncio.sleep(self._heartbeat)
                    await connection.execute("SELECT 1", timeout=5)  # a half-open connection shows when used
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("credential listener connection failed", error=repr(error)[:200])
            finally:
                self._lost()
                self.listening.clear()
            await self._close()
            self.reconnects += 1
            await asyncio.sleep(self._retry)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=2)
