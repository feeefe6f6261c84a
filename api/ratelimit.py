"""Rate limiting per bearer token (per client address without one), shared by every API process.

A fixed one-minute window counted in PostgreSQL (an UNLOGGED table: counters need no crash safety), so
several API processes behind one load balancer enforce one limit. Answers carry the IETF draft
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers; over the limit, HTTP 429 with
`Retry-After` and a `RATE_LIMITED` error explaining when to retry.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.i18n import pick_language
from store.driver import driver_connection

log = structlog.get_logger("api.ratelimit")
WINDOW_SECONDS = 60

# One statement, one round trip, atomic on its own (autocommit, on the driver: store/driver.py): count the
# hit and, on the first hit of a window, forget the windows before the previous one.
_HIT = """
    WITH hit AS (
        INSERT INTO rate_limit_windows (key, window_start, hits) VALUES ($1, $2, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
        RETURNING hits
    ), forget AS (
        DELETE FROM rate_limit_windows WHERE window_start < $3 AND (SELECT hits FROM hit) = 1
    )
    SELECT hits FROM hit
"""


_READ = "SELECT hits FROM rate_limit_windows WHERE key = $1 AND window_start = $2"


def window_of(now: datetime) -> tuple[datetime, int]:
    """The fixed window `now` falls in, and the seconds until it resets."""
    start = math.floor(now.timestamp() / WINDOW_SECONDS) * WINDOW_SECONDS
    return datetime.fromtimestamp(start, UTC), max(1, math.ceil(start + WINDOW_SECONDS - now.timestamp()))


def bucket(scope: Scope, settings: Any) -> tuple[str, int]:
    """The counter a request is counted in and its limit a minute: the one place requests are keyed."""
    authorization = Headers(scope=scope).get("authorization")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[
            :40
        ], settings.rate_limit_per_minute
    return "address:" + (scope.get("client") or ("unknown",))[0], settings.rate_limit_anonymous_per_minute


async def hits_so_far(engine: AsyncEngine, key: str, window: datetime) -> int:
    """Read-only: the requests of `key` counted in `window` (the `rateLimit` query field)."""
    async with driver_connection(engine) as connection:
        return int(await connection.fetchval(_READ, key, window) or 0)


async def hit(engine: AsyncEngine, key: str, window: datetime) -> int:
    """Count one request of `key` in `window`."""
    async with driver_connection(engine) as connection:
        return int(await connection.fetchval(_HIT, key, window, window - timedelta(seconds=WINDOW_SECONDS)))


def _message(lang: str, limit: int, retry_after: int) -> str:
    if lang == "en":
        return f"Too many requests: at most {limit} per minute for this credential. Retry in {retry_after} s."
    return f"请求过于频繁：每个身份令牌每分钟最多 {limit} 次。请在 {retry_after} 秒后重试。"


class RateLimit:
    """ASGI middleware guarding POST /graphql; reads settings, clock and database from the app state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = Headers(scope=scope)
        key, limit = bucket(scope, state.settings)
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        window, reset = window_of(state.clock())
        try:
            hits = await hit(state.engine, key, window)
        except Exception:
            log.warning("rate limit counter unavailable", exc_info=True)
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(limit_headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

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
