"""`rateLimit`: the caller's current rate-limit window, as GitHub's API shows it (read-only)."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from strawberry.types import Info

from api.context import Context
from api.principal import principal_of
from api.ratelimit import WINDOW_SECONDS, bucket, hits_so_far, window_of

Ctx = Info[Context, None]
REQUEST_COST = 1  # the limit counts requests: every request, whatever it asks, counts once


@strawberry.type(
    description=f"调用频率限额（固定 {WINDOW_SECONDS} 秒窗口，按身份令牌计，无令牌时按客户端地址计） — the "
    f"caller's rate limit: a fixed {WINDOW_SECONDS}-second window per bearer token (per client address "
    "without one); the same figures as the `RateLimit-*` response headers."
)
class RateLimit:
    limit: int = strawberry.field(
        description="每个窗口允许的请求数；0 表示不限 — requests allowed per window; 0 means no limit."
    )
    remaining: int = strawberry.field(
        description="本窗口剩余的请求数（已计入本请求） — requests left in this window, this one counted."
    )
    reset_at: datetime = strawberry.field(
        description="本窗口结束、计数清零的时间 — when this window ends and the count starts again, "
        'e.g. "2026-03-01T08:01:00+00:00".'
    )
    cost: int = strawberry.field(
        description="本请求计入限额的次数（每个请求计 1，与查询内容无关） — what this request counted "
        "against the limit: 1 per request, whatever it asks."
    )


@strawberry.type
class RateLimitQueries:
    @strawberry.field(
        description="当前调用方的频率限额（只读，不额外计数） — the caller's current rate-limit window; "
        "reading it counts as no extra request."
    )
    async def rate_limit(self, info: Ctx) -> RateLimit:
        ctx = info.context
        key, limit = bucket(
            await principal_of(ctx.request.scope),  # resolved once per request: no second credential check
            ctx.request.scope,
            per_principal=ctx.settings.rate_limit_per_minute,
            anonymous=ctx.settings.rate_limit_anonymous_per_minute,
        )
        window, _ = window_of(ctx.clock())
        # The middleware has already counted this request (POST /graphql), so this process's view holds it.
        used = await hits_so_far(ctx.request.app.state, key, window) if limit > 0 else 0
        return RateLimit(
            limit=max(limit, 0),
            remaining=max(0, limit - used) if limit > 0 else 0,
            reset_at=window + timedelta(seconds=WINDOW_SECONDS),
            cost=REQUEST_COST,
        )
