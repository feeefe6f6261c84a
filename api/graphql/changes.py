"""Incremental sync: `changes(after:, first:)` — every change to what the viewer may read, in commit order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from strawberry.types import Info

from api.context import Context
from api.errors import AppError
from api.graphql.common import Node, to_global_id
from api.graphql.organizations import Organization
from api.graphql.pagination import MAX_PAGE, decode_cursor, encode_cursor
from api.graphql.projects import Project
from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.sql import project_filter
from domain.actors import Actor
from domain.projects import Project as DomainProject
from store import tables
from store.changes import change_feed

Ctx = Info[Context, None]
a = tables.audit_log


def _projects(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    p = tables.projects
    return exists(select(p.c.id).where(p.c.id == a.c.target_id,
                                       project_filter(authorizer, actor, Operation.PROJECT_READ)))


def _organizations(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    return true() if authorizer.allowed(actor, Operation.ORGANIZATION_READ) else false()


# Who may see a change, per target type: the same policy as reading the object now. A feature adds its
# target type here; until then its changes reach only those who may read the audit log.
READABLE: dict[str, Callable[[Authorizer, Actor], ColumnElement[bool]]] = {
    "Project": _projects,
    "Organization": _organizations,
}


def readable_changes(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    clauses = [and_(a.c.target_type == kind, predicate(authorizer, actor)) for kind, predicate in READABLE.items()]
    if authorizer.allowed(actor, Operation.AUDIT_LOG_READ):
        clauses.append(a.c.target_type.not_in(list(READABLE)))
    return or_(*clauses)


@strawberry.type(description="一次变更 — one change, as recorded in the audit log.")
class Change:
    cursor: str = strawberry.field(description="此变更之后的游标 — cursor to resume after this change.")
    occurred_at: datetime = strawberry.field(description="发生时间 — when.")
    operation: str = strawberry.field(description="操作 — the operation, e.g. `project:submit-to-reserve`.")
    target_type: str = strawberry.field(description="对象类型 — e.g. `Project`.")
    target_id: strawberry.ID | None = strawberry.field(description="对象全局标识 — the object's global id.")
    node: Node | None = strawberry.field(
        description="对象的当前状态（查看者可见的字段） — the object as it is now, as the viewer may read it; "
                    "null for types without a node or objects no longer readable.")


@strawberry.type(description="变更批次 — a batch of changes and the cursor to ask for the next one.")
class ChangeBatch:
    changes: list[Change] = strawberry.field(description="按提交顺序的变更 — changes in commit order.")
    cursor: str | None = strawberry.field(
        description="下次请求的 after 参数（无新变更时不变） — pass as `after` next time; unchanged when empty.")
    has_more: bool = strawberry.field(description="是否还有已提交的变更 — whether more settled changes wait.")


def _position(after: str | None, lang: str) -> tuple[int, int] | None:
    if after is None:
        return None
    values = decode_cursor(after, lang)
    if len(values) != 2 or not all(isinstance(v, int) for v in values):
        raise AppError("BAD_USER_INPUT", lang, field="after", reason="not a changes cursor")
    return int(values[0]), int(values[1])


async def _nodes(ctx: Context, rows: list[Any]) -> dict[tuple[str, int], Node]:
    """Current objects of a batch in one query per type (no N+1)."""
    found: dict[tuple[str, int], Node] = {}
    project_ids = {r.target_id for r in rows if r.target_type == "Project" and r.target_id is not None}
    org_ids = {r.target_id for r in rows if r.target_type == "Organization" and r.target_id is not None}
    async with ctx.session_factory() as session:
        if project_ids:
            for project in (await session.execute(select(DomainProject).where(
                    tables.projects.c.id.in_(project_ids)))).scalars():
                if ctx.authorizer.can_read(ctx.require_actor(), project):
                    found[("Project", project.id)] = Project.from_domain(project)
        if org_ids:
            orgs = tables.organizations
            for row in (await session.execute(select(orgs).where(orgs.c.id.in_(org_ids)))).all():
                found[("Organization", row.id)] = Organization.from_row(row)
    return found


@strawberry.type
class ChangeQueries:
    @strawberry.field(description="增量同步：查看者可见对象的全部变更，按提交顺序，游标不会漏掉晚提交的事务 — "
                                  "every change to what the viewer may read, in commit order; the cursor never "
                                  "skips a transaction that commits late.")
    async def changes(
        self, info: Ctx,
        first: Annotated[int, strawberry.argument(description="最多返回条数（1–100） — batch size.")],
        after: Annotated[str | None, strawberry.argument(
            description="上次返回的 cursor；不填从头开始 — the last batch's cursor; omit to start at the beginning.")]
        = None,
    ) -> ChangeBatch:
        ctx = info.context
        actor = ctx.require_actor()
        if not 1 <= first <= MAX_PAGE:
            raise AppError("BAD_USER_INPUT", ctx.lang, field="first", reason=f"between 1 and {MAX_PAGE}")
        position = _position(after, ctx.lang)
        async with ctx.session_factory() as session:
            rows = list((await session.execute(
                change_feed(readable_changes(ctx.authorizer, actor), position, first + 1))).all())
        more, rows = len(rows) > first, rows[:first]
        nodes = await _nodes(ctx, rows)
        changes = [
            Change(cursor=encode_cursor([r.xact_id, r.id]), occurred_at=r.occurred_at, operation=r.operation,
                   target_type=r.target_type,
                   target_id=to_global_id(r.target_type, r.target_id) if r.target_id is not None else None,
                   node=nodes.get((r.target_type, r.target_id)))
            for r in rows
        ]
        return ChangeBatch(changes=changes, cursor=changes[-1].cursor if changes else after, has_more=more)
