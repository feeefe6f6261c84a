"""The audit log, for the Big Data Bureau and the Audit Bureau (Art. 3, 24)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

from api.context import Context
from api.errors import not_found
from api.graphql.common import Node, from_global_id, to_global_id
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
from store import tables

Ctx = Info[Context, None]


@strawberry.type(
    description="审计记录 — one append-only audit record: who did what to which object, before and after."
)
class AuditRecord(Node):
    occurred_at: datetime = strawberry.field(
        description="提交时间（UTC），审计记录按此排列 — when the change committed (UTC); records are ordered by it."
    )
    request_id: str | None = strawberry.field(
        description="产生此记录的请求编号，即响应头 X-Request-ID — the request that made the change: its `X-Request-ID` header."
    )
    actor_username: str = strawberry.field(
        description="操作人的用户名；接口令牌为 token:<名称>，系统任务为其名称 — who acted: a username, `token:<name>` for an API token, or a system job's name."
    )
    actor_role: str = strawberry.field(
        description="操作时操作人的角色（单位类型或 admin） — the actor's role at the time: its organization type, or `admin`."
    )
    actor_organization_id: strawberry.ID | None = strawberry.field(
        description="操作人所属单位的全局标识；系统任务为空 — the actor's organization's global id; null for a system job."
    )
    operation: str = strawberry.field(description="操作 — the operation, as the policy names it.")
    target_type: str = strawberry.field(
        description="被修改对象的类型，如 Project、ApprovalDocument — the changed object's type, e.g. `Project`, `ApprovalDocument`."
    )
    target_id: strawberry.ID | None = strawberry.field(
        description="被修改对象的全局标识；无单一对象时为空 — the changed object's global id; null when the change has no single object."
    )
    before: JSON | None = strawberry.field(
        description="修改前的对象快照（JSON）；新建时为空 — the object's snapshot before the change, as JSON; null for a creation."
    )
    after: JSON | None = strawberry.field(
        description="修改后的对象快照（JSON），不含联系方式 — the object's snapshot after the change, as JSON, without contact details."
    )

    @classmethod
    def from_row(cls, row: Any) -> AuditRecord:
        return cls(
            id=to_global_id("AuditRecord", row.id),
            occurred_at=row.occurred_at,
            request_id=row.request_id,
            actor_username=row.actor_username,
            actor_role=row.actor_role,
            actor_organization_id=to_global_id("Organization", row.actor_organization_id)
            if row.actor_organization_id
            else None,
            operation=row.operation,
            target_type=row.target_type,
            target_id=to_global_id(row.target_type, row.target_id) if row.target_id is not None else None,
            before=row.before,
            after=row.after,
        )


@strawberry.input(
    description="审计日志筛选：各条件同时满足，不填不限 — which audit records: every given condition must hold; omitted: all."
)
class AuditLogFilter:
    target_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="只看这一对象的记录（任意类型的全局标识） — only the records of this one object, by its global id.",
    )
    target_type: str | None = strawberry.field(
        default=None,
        description="只看这一类对象的记录，如 Project — only records of objects of this type, e.g. `Project`.",
    )
    operation: str | None = strawberry.field(
        default=None,
        description="只看这一操作的记录，如 project:submit-to-reserve — only records of this operation, e.g. `project:submit-to-reserve`.",
    )
    actor_username: str | None = strawberry.field(
        default=None,
        description="只看该用户名（完全一致）的操作 — only what this username did (exact match).",
    )
    occurred_from: datetime | None = strawberry.field(
        default=None,
        description="起始时间（ISO 8601，含此刻） — only what happened at or after this time (ISO 8601, inclusive).",
    )
    occurred_to: datetime | None = strawberry.field(
        default=None,
        description="截止时间（ISO 8601，不含此刻） — only what happened before this time (ISO 8601, exclusive).",
    )


@strawberry.type
class AuditQueries:
    @strawberry.field(description="审计日志，新记录在前 — the audit log, newest first (bdb, audit).")
    async def audit_log(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            AuditLogFilter | None,
            strawberry.argument(
                description="审计记录筛选：各条件同时满足，不填不限 — which audit records: every given condition must hold; omitted: all."
            ),
        ] = None,
    ) -> Connection[AuditRecord]:
        ctx = info.context
        ctx.require(Operation.AUDIT_LOG_READ)
        a = tables.audit_log
        stmt = select(a)
        if filter is not None:
            if filter.target_id is not None:
                # Any type of object may be audited: the id's own type is the filter's.
                decoded = from_global_id(filter.target_id)
                if decoded is None:
                    raise not_found(ctx.lang)
                stmt = stmt.where(a.c.target_type == decoded[0], a.c.target_id == decoded[1])
            if filter.target_type:
                stmt = stmt.where(a.c.target_type == filter.target_type)
            if filter.operation:
                stmt = stmt.where(a.c.operation == filter.operation)
            if filter.actor_username:
                stmt = stmt.where(a.c.actor_username == filter.actor_username)
            if filter.occurred_from:
                stmt = stmt.where(a.c.occurred_at >= filter.occurred_from)
            if filter.occurred_to:
                stmt = stmt.where(a.c.occurred_at < filter.occurred_to)
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=a.c.id, page=PageRequest(first, after, last, before), lang=ctx.lang
            )
        return Connection[AuditRecord](
            edges=[Edge(cursor=c, node=AuditRecord.from_row(r)) for r, c in zip(rows, cursors, strict=True)],
            page_info=page_info,
            count=counter(ctx.read_session_factory, stmt),
        )
