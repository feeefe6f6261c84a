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
from api.graphql.common import Node, Payload, to_global_id
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
from api.graphql.webhooks import events as webhook_events_enum
from api.graphql.webhooks.events import WebhookEventTypeEnum
from api.webhook_deliveries import public_error, recent_deliveries
from authz.operations import Operation
from store.sync_tables import webhook_subscriptions

Ctx = Info[Context, None]


@strawberry.type(
    description="推送记录：一个事件发给一个订阅的一次投递及其重试 — one webhook delivery: one event for one "
    "subscription, with its retries and the outcome of its last attempt."
)
class WebhookDelivery:
    event_id: str = strawberry.field(
        description="事件标识（UUID，重试不变，即请求头 X-Yingkou-Event-Id；接收方据此去重） — the event's UUID, "
        "the same on every retry and sent as `X-Yingkou-Event-Id`: receivers deduplicate on it."
    )
    event_type: WebhookEventTypeEnum = strawberry.field(  # type: ignore[valid-type]
        description="事件类型，即执行的写操作 — the writing operation that caused the event, e.g. "
        "`PROJECT_SUBMIT_TO_RESERVE` (`project:submit-to-reserve`)."
    )
    status: str = strawberry.field(
        description="投递状态：`pending` 待发送或待重试、`delivered` 已收到 2xx、`failed` 重试用尽 — `pending` (not "
        "sent yet, or waiting for a retry), `delivered` (a 2xx was received) or `failed` (attempts used up)."
    )
    attempts: int = strawberry.field(
        description="已尝试次数（0 表示尚未发送；达到上限即为 failed） — POSTs tried so far: 0 before the first; "
        "the delivery is `failed` when it reaches the limit (docs/webhooks.md)."
    )
    next_attempt_at: datetime = strawberry.field(
        description="下次尝试时间（pending 时有效；失败后按指数退避推迟） — when the next POST is due while `pending`; "
        "pushed back by exponential backoff after each failure."
    )
    delivered_at: datetime | None = strawberry.field(
        description="送达时间：收到 2xx 的时刻，未送达为空 — when the receiver answered 2xx; null until then."
    )
    last_attempt_at: datetime | None = strawberry.field(
        description="最近一次尝试时间，未尝试为空 — when the last POST was tried; null before the first."
    )
    last_http_status: int | None = strawberry.field(
        description="最近一次尝试的 HTTP 状态码；连接失败、超时或地址被拒时为空 — the HTTP status of the last "
        "attempt's answer, e.g. 500; null when there was no answer (connection refused, timeout, refused "
        "address) or no attempt yet."
    )
    last_error: str | None = strawberry.field(
        description="最近一次尝试未得到应答的原因（单行，≤200 字符，不含密钥和网址查询串） — why the last attempt "
        "got no answer, e.g. `ConnectError: [Errno 111] Connection refused`: one line, at most 200 "
        "characters, URLs without query strings or credentials, never the secret; null when it got an "
        "answer (see lastHttpStatus)."
    )


@strawberry.type(
    description="事件订阅：本单位对接系统接收推送的地址和事件类型 — a webhook subscription: where an "
    "organization's system receives the events it asked for, signed with its secret."
)
class WebhookSubscription(Node):
    name: str = strawberry.field(
        description="订阅名称（便于识别接收系统） — a name for the receiving system, e.g. `数据共享平台`."
    )
    url: str = strawberry.field(
        description="推送地址：每个事件以 POST 发往此处 — the URL every event is POSTed to."
    )
    event_types: list[WebhookEventTypeEnum] = strawberry.field(  # type: ignore[valid-type]
        description="订阅的事件类型；`ALL` 为全部 — the event types it receives; `ALL` for every one."
    )
    active: bool = strawberry.field(
        description="是否启用：停用后不再产生新的推送 — whether it receives events; false once deactivated."
    )
    created_at: datetime = strawberry.field(
        description="订阅创建时间（UTC）；此后的事件才会推送 — when the subscription was created (UTC); only later events are sent."
    )
    organization_id: strawberry.ID = strawberry.field(
        description="订阅单位的全局标识：推送内容按该单位的查看权限删减 — the subscribing organization's global "
        "id; deliveries carry only what it may read."
    )

    @strawberry.field(
        description="最近的推送记录，新的在前，含最近一次尝试的状态码和错误 — recent deliveries, newest first, "
        "each with its last attempt's HTTP status and error."
    )
    async def deliveries(
        self,
        info: Ctx,
        first: Annotated[
            int, strawberry.argument(description="返回条数（1–100，默认 20） — how many, 1–100 (default 20).")
        ] = 20,
    ) -> list[WebhookDelivery]:
        pk = info.context.pk(self.id, "WebhookSubscription")
        async with info.context.read_session_factory() as session:
            rows = (await session.execute(recent_deliveries(pk, max(1, min(first, 100))))).all()
        return [
            WebhookDelivery(
                event_id=r.event_id,
                event_type=webhook_events_enum.to_gql(r.event_type),
                status=r.status,
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                delivered_at=r.delivered_at,
                last_attempt_at=r.last_attempt_at,
                last_http_status=r.last_status_code,
                last_error=public_error(r.last_error),
            )
            for r in rows
        ]

    @classmethod
    def from_row(cls, row: Any) -> WebhookSubscription:
        return cls(
            id=to_global_id("WebhookSubscription", row.id),
            name=row.name,
            url=row.url,
            event_types=[webhook_events_enum.to_gql(t) for t in row.event_types],
            active=row.active,
            created_at=row.created_at,
            organization_id=to_global_id("Organization", row.organization_id),
        )


@strawberry.input(description="新建事件订阅 — subscribe an organization's system to events.")
class WebhookSubscriptionCreateInput:
    organization_id: strawberry.ID = strawberry.field(
        description="订阅单位（须为本单位） — the organization: your own; deliveries show only what it may read."
    )
    name: str = strawberry.field(
        description="订阅名称（必填），用于识别接收系统，如「数据共享平台」 — a name for the receiving system, required, e.g. `数据共享平台`."
    )
    url: str = strawberry.field(
        description="推送地址（生产环境须 https；不得指向本机、链路本地或内网地址） — the receiver's URL: https in "
        "production, never a loopback, link-local or private address."
    )
    event_types: list[WebhookEventTypeEnum] = strawberry.field(  # type: ignore[valid-type]
        description="要接收的事件类型（至少一个）；`ALL` 为全部，包括以后新增的 — the event types to receive, at "
        "least one, e.g. `[PROJECT_SUBMIT_TO_RESERVE]`; `ALL` for every one, including types added later."
    )


@strawberry.type(description="新建结果：密钥只显示这一次 — the signing secret is shown this once.")
class WebhookSubscriptionCreatePayload(Payload):
    subscription: WebhookSubscription | None = strawberry.field(
        description="处理后的事件订阅；被拒绝时为空 — the webhook subscription after the mutation; null when refused."
    )
    secret: str | None = strawberry.field(
        description="签名密钥（HMAC-SHA256） — the signing secret; shown once."
    )


@strawberry.input(
    description="停用事件订阅：不再产生新推送，待发送的推送被丢弃 — stop a subscription: no new deliveries, pending ones are dropped."
)
class WebhookSubscriptionDeactivateInput:
    subscription_id: strawberry.ID = strawberry.field(
        description="要停用的订阅的全局标识（WebhookSubscription.id），须为本单位的 — the subscription's global id; it must be your organization's."
    )


@strawberry.type(description="停用结果 — result of webhookSubscriptionDeactivate.")
class WebhookSubscriptionDeactivatePayload(Payload):
    subscription: WebhookSubscription | None = strawberry.field(
        description="处理后的事件订阅；被拒绝时为空 — the webhook subscription after the mutation; null when refused."
    )


async def _load(ctx: Context, pk: int) -> WebhookSubscription:
    async with ctx.read_session_factory() as session:
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
        async with ctx.read_session_factory() as session:
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
            count=counter(ctx.read_session_factory, stmt),
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
            event_types=[webhook_events_enum.to_stored(t) for t in input.event_types],
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
