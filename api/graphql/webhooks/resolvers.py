"""Webhook subscriptions for integrating systems: each belongs to the organization that receives it and is
managed by that organization's own users (never by an administrator for someone else: the URL decides where
government data goes). Its API tokens only read, so they cannot subscribe. The URL is checked where it points
(`api.webhooks.TargetPolicy`). Deliveries are redacted to what the subscribing organization may read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api import webhooks
from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import Node, UserError, to_global_id
from api.graphql.pagination import (
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    PageRequest,
    counter,
    keyset_page,
)
from authz.operations import Operation
from store.sync_tables import webhook_deliveries, webhook_events, webhook_subscriptions

Ctx = Info[Context, None]


@strawberry.type(
    description="推送记录 — one webhook delivery: an event for one subscriber, with its attempts."
)
class WebhookDelivery:
    event_id: str = strawberry.field(description="事件标识（重试不变） — event id, the same on every retry.")
    event_type: str = strawberry.field(
        description="事件类型 — the operation, e.g. `project:submit-to-reserve`."
    )
    status: str = strawberry.field(description="状态 — `pending`, `delivered` or `failed`.")
    attempts: int = strawberry.field(description="已尝试次数 — attempts so far.")
    next_attempt_at: datetime = strawberry.field(description="下次尝试时间 — when the next attempt is due.")
    delivered_at: datetime | None = strawberry.field(description="送达时间 — when a 2xx was received.")


@strawberry.type(description="事件订阅 — a webhook subscription of an organization.")
class WebhookSubscription(Node):
    name: str = strawberry.field(description="名称 — name.")
    url: str = strawberry.field(description="推送地址 — the URL events are POSTed to.")
    event_types: list[str] = strawberry.field(description="事件类型，`*` 为全部 — event types; `*` for all.")
    active: bool = strawberry.field(description="是否启用 — whether it receives events.")
    created_at: datetime = strawberry.field(description="创建时间 — created at.")
    organization_id: strawberry.ID = strawberry.field(
        description="订阅单位 — the subscribing organization's global id."
    )

    @strawberry.field(description="最近的推送记录，新的在前 — recent deliveries, newest first.")
    async def deliveries(
        self,
        info: Ctx,
        first: Annotated[int, strawberry.argument(description="条数（≤100） — how many.")] = 20,
    ) -> list[WebhookDelivery]:
        pk = info.context.pk(self.id, "WebhookSubscription")
        d, e = webhook_deliveries, webhook_events
        async with info.context.session_factory() as session:
            rows = (
                await session.execute(
                    select(
                        e.c.event_id,
                        e.c.event_type,
                        d.c.status,
                        d.c.attempts,
                        d.c.next_attempt_at,
                        d.c.delivered_at,
                    )
                    .join(e, e.c.id == d.c.event_id)
                    .where(d.c.subscription_id == pk)
                    .order_by(d.c.id.desc())
                    .limit(max(1, min(first, 100)))
                )
            ).all()
        return [
            WebhookDelivery(
                event_id=r.event_id,
                event_type=r.event_type,
                status=r.status,
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                delivered_at=r.delivered_at,
            )
            for r in rows
        ]

    @classmethod
    def from_row(cls, row: Any) -> WebhookSubscription:
        return cls(
            id=to_global_id("WebhookSubscription", row.id),
            name=row.name,
            url=row.url,
            event_types=list(row.event_types),
            active=row.active,
            created_at=row.created_at,
            organization_id=to_global_id("Organization", row.organization_id),
        )


@strawberry.input(description="新建事件订阅 — subscribe an organization's system to events.")
class WebhookSubscriptionCreateInput:
    organization_id: strawberry.ID = strawberry.field(
        description="订阅单位（须为本单位） — the organization: your own; deliveries show only what it may read."
    )
    name: str = strawberry.field(description="名称 — name.")
    url: str = strawberry.field(
        description="推送地址（生产环境须 https；不得指向本机、链路本地或内网地址） — the receiver's URL: https in "
        "production, never a loopback, link-local or private address."
    )
    event_types: list[str] = strawberry.field(
        description="事件类型：写操作名称，或 `*` 表示全部 — operation names such as `project:submit-to-reserve`, or `*`."
    )


@strawberry.type(description="新建结果：密钥只显示这一次 — the signing secret is shown this once.")
class WebhookSubscriptionCreatePayload:
    subscription: WebhookSubscription | None = strawberry.field(description="订阅 — the subscription.")
    secret: str | None = strawberry.field(
        description="签名密钥（HMAC-SHA256） — the signing secret; shown once."
    )
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


@strawberry.input(description="停用事件订阅 — stop a subscription.")
class WebhookSubscriptionDeactivateInput:
    subscription_id: strawberry.ID = strawberry.field(
        description="订阅全局标识 — the subscription's global id."
    )


@strawberry.type(description="停用结果 — result of webhookSubscriptionDeactivate.")
class WebhookSubscriptionDeactivatePayload:
    subscription: WebhookSubscription | None = strawberry.field(description="订阅 — the subscription.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由 — refusals; empty on success.")


async def _load(ctx: Context, pk: int) -> WebhookSubscription:
    async with ctx.session_factory() as session:
        row = (
            await session.execute(select(webhook_subscriptions).where(webhook_subscriptions.c.id == pk))
        ).one()
    return WebhookSubscription.from_row(row)


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="事件订阅（本单位的；管理员可见全部） — webhook subscriptions: your organization's; all for the administrator."
    )
    async def webhook_subscriptions(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookSubscription]:
        ctx = info.context
        ctx.gate(Operation.WEBHOOK_SUBSCRIPTION_READ)  # a role with no grant at all: FORBIDDEN
        stmt = select(webhook_subscriptions).where(
            webhooks.visible_subscriptions(ctx.authorizer, ctx.require_actor())
        )
        async with ctx.session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session,
                stmt,
                key=webhook_subscriptions.c.id,
                page=PageRequest(first, after, last, before),
                lang=ctx.lang,
            )
        return Connection[WebhookSubscription](
            edges=[
                Edge(cursor=c, node=WebhookSubscription.from_row(r))
                for r, c in zip(rows, cursors, strict=True)
            ],
            page_info=page_info,
            count=counter(ctx.session_factory, stmt),
        )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="新建本单位的事件订阅 — subscribe your own organization's system to events; the secret is shown once.",
        extensions=[Performs(Operation.WEBHOOK_SUBSCRIPTION_MANAGE, on="WebhookSubscription")],
    )
    async def webhook_subscription_create(
        self, info: Ctx, input: WebhookSubscriptionCreateInput
    ) -> WebhookSubscriptionCreatePayload:
        ctx = info.context
        created = await webhooks.create_subscription(
            ctx.uow(),
            organization_id=ctx.pk(input.organization_id, "Organization"),
            name=input.name,
            url=input.url,
            event_types=input.event_types,
            operation=ctx.gate_in_force.operation,
            authorizer=ctx.authorizer,  # which organization: webhooks.require_own
            targets=webhooks.TargetPolicy.from_settings(ctx.settings),
        )
        return WebhookSubscriptionCreatePayload(
            subscription=await _load(ctx, created.id), secret=created.secret, user_errors=[]
        )

    @strawberry.mutation(
        description="停用本单位的事件订阅 — stop one of your organization's subscriptions; pending deliveries are dropped.",
        extensions=[Performs(Operation.WEBHOOK_SUBSCRIPTION_MANAGE, on="WebhookSubscription")],
    )
    async def webhook_subscription_deactivate(
        self, info: Ctx, input: WebhookSubscriptionDeactivateInput
    ) -> WebhookSubscriptionDeactivatePayload:
        ctx = info.context
        subscription_id = ctx.pk(input.subscription_id, "WebhookSubscription")
        await webhooks.deactivate_subscription(
            ctx.uow(),
            subscription_id=subscription_id,
            operation=ctx.gate_in_force.operation,
            authorizer=ctx.authorizer,
        )
        return WebhookSubscriptionDeactivatePayload(
            subscription=await _load(ctx, subscription_id), user_errors=[]
        )
