"""Rate limiting per verified principal (user or API token), shared by every API process.

The key is who the credential proved to be, never the header's bytes: a request whose credential cannot be
verified (none, random, expired, revoked) counts against the client address, under the lower anonymous
limit, so inventing bearers buys no fresh bucket. The address is the peer's, or a trusted proxy's
forwarded client (settings.trusted_proxies; nobody else's X-Forwarded-For counts). Every endpoint counts
(GraphQL, export, downloads, GraphiQL) but the probes, /metrics and GraphiQL's static files.

A fixed one-minute window. Each process counts in memory and merges its counts into PostgreSQL (an UNLOGGED
table: counters need no crash safety) every `rate_limit_merge_ms` (api/rate_counter.py), so several API
processes behind one load balancer enforce one limit: a process alone refuses exactly at it, and P processes
together admit at most processes × interval × rate beyond it (the bound is derived there). Answers carry the IETF draft
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers; over the limit, HTTP 429 with
`Retry-After` and a `RATE_LIMITED` error explaining when to retry.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import security_events
from api.errors import is_outage
from api.i18n import pick_language
from api.principal import Principal, client_address, principal_of
from api.rate_counter import RateCounter
from api.security_events import SecurityEventKind

log = structlog.get_logger("api.ratelimit")
WINDOW_SECONDS = 60
UNCOUNTED = ("/healthz", "/readyz", "/metrics", "/graphiql/static/")


def window_of(now: datetime) -> tuple[datetime, int]:
    """The fixed window `now` falls in, and the seconds until it resets."""
    start = math.floor(now.timestamp() / WINDOW_SECONDS) * WINDOW_SECONDS
    return datetime.fromtimestamp(start, UTC), max(1, math.ceil(start + WINDOW_SECONDS - now.timestamp()))


async def hits_so_far(state: Any, key: str, window: datetime) -> int:
    """Read-only: the requests of `key` counted in `window`, as this process sees them (the `rateLimit`
    query field)."""
    counter: RateCounter = state.rate_counter
    await counter.fresh((key, window))
    return counter.count((key, window))


def _message(lang: str, limit: int, retry_after: int) -> str:
    if lang == "en":
        return (
            f"Too many requests: at most {limit} per minute for this user, token or address. "
            f"Retry in {retry_after} s."
        )
    return f"请求过于频繁：每个用户、令牌或地址每分钟最多 {limit} 次。请在 {retry_after} 秒后重试。"


def bucket(principal: Principal, scope: Scope, *, per_principal: int, anonymous: int) -> tuple[str, int]:
    """(counter key, limit) of a request."""
    actor = principal.actor
    if actor is not None and actor.token_id is not None:
        return f"token:{actor.token_id}", per_principal
    if actor is not None:
        return f"user:{actor.user_id}", per_principal
    return "address:" + client_address(scope)[:64], anonymous


def _uncounted(path: str) -> bool:
    return path in UNCOUNTED or path.startswith(UNCOUNTED[-1])


class RateLimit:
    """ASGI middleware guarding every endpoint but UNCOUNTED; reads settings, clock and database from the
    app state. It also writes the security event of a refused credential."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _uncounted(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = Headers(scope=scope)
        principal = await principal_of(scope)
        key, limit = bucket(
            principal,
            scope,
            per_principal=state.settings.rate_limit_per_minute,
            anonymous=state.settings.rate_limit_anonymous_per_minute,
        )
        if limit <= 0:
            await self._note_refused_credential(state, scope, principal)
            await self.app(scope, receive, send)
            return
        window, reset = window_of(state.clock())
        try:
            hits = await state.rate_counter.hit(key, window)  # counted here, merged in batches
        except Exception as error:
            # An outage in one line: a traceback a request, rendered while the database is down, costs
            # seconds of CPU each; anything else is a bug and keeps its stack.
            log.warning(
                "rate limit counter unavailable", error=repr(error)[:200], exc_info=not is_outage(error)
            )
            await self.app(scope, receive, send)
            return
        limit_headers = {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(max(0, limit - hits)),
            "RateLimit-Reset": str(reset),
        }
        if hits > limit:
            await self._refuse(
                send, limit_headers, pick_language(headers.get("accept-language")), limit, reset
            )
            return
        await self._note_refused_credential(state, scope, principal)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(limit_headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _note_refused_credential(state: object, scope: Scope, principal: Principal) -> None:
        """A security event for an invalid or revoked credential; only within the limit, so a flood of
        invented bearers costs one counter statement each, not a write per request."""
        error = principal.error
        if error is None or error.reason in ("expired", "unavailable"):
            return  # expiry is routine with short-lived access tokens: the client refreshes
        await security_events.record(
            state.engine,  # type: ignore[attr-defined]
            SecurityEventKind.TOKEN_REFUSED,
            now=state.clock(),  # type: ignore[attr-defined]
            address=client_address(scope),
            request_id=scope.get("state", {}).get("request_id"),
            detail={"reason": error.reason, "path": scope.get("path")},
        )

    @staticmethod
    async def _refuse(send: Send, limit_headers: dict[str, str], lang: str, limit: int, reset: int) -> None:
        body = orjson.dumps(
            {
                "data": None,
                "errors": [
                    {
                        "message": _message(lang, limit, reset),
                        "extensions": {
                            "code": "RATE_LIMITED",
                            "limit": limit,
                            "windowSeconds": WINDOW_SECONDS,
                            "retryAfterSeconds": reset,
                        },
                    }
                ],
            }
        )
        raw = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(reset).encode()),
        ]
        raw += [(name.lower().encode(), value.encode()) for name, value in limit_headers.items()]
        await send({"type": "http.response.start", "status": 429, "headers": raw})
        await send({"type": "http.response.body", "body": body})
