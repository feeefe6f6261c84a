"""Incremental sync: `changes(after:, first:)` — every change to what the viewer may read, in commit order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from strawberry.types import Info

from api.context import Context
from api.errors import AppError
from api.graphql.common import Node, to_global_id
from api.graphql.organizations import Organization
from api.graphql.pagination import MAX_PAGE, decode_cursor, encode_cursor
from api.graphql.projects.types import Project
from api.ranges import BIGINT, in_range
from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.scopes import NARROW_SCOPES
from authz.sql import project_filter
from domain.actors import Actor
from store import tables
from store.changes import change_feed

Ctx = Info[Context, None]
a = tables.audit_log


def _projects(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    p = tables.projects
    readable = select(p.c.id).where(
        p.c.id == a.c.target_id, project_filter(authorizer, actor, Operation.PROJECT_READ)
    )
    if not authorizer.scopes(actor, Operation.PROJECT_READ) <= NARROW_SCOPES:
        # For a reader of most projects PostgreSQL would otherwise hash every readable project id before the
        # first change (~40 ms at 100,000 projects); one index probe per change is cheaper, as a batch stops
        # after `first` rows. OFFSET 0 keeps the planner from turning the EXISTS into that hashed scan. A
        # reader of a few projects keeps the hash: it is small, and their changes are sparse in the log.
        readable = readable.offset(0)
    return exists(readable)


def _organizations(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    return true() if authorizer.allowed(actor, Operation.ORGANIZATION_READ) else false()


# Who may see a change, per target type: the same policy as reading the object now. A feature adds its
# target type here; until then its changes reach only those who may read the audit log.
READABLE: dict[str, Callable[[Authorizer, Actor], ColumnElement[bool]]] = {
    "Project": _projects,
    "Organization": _organizations,
}


def readable_changes(authorizer: Authorizer, actor: Actor) -> ColumnElement[bool]:
    clauses = [
        and_(a.c.target_type == kind, predicate(authorizer, actor)) for kind, predicate in READABLE.items()
    ]
    if authorizer.allowed(actor, Operation.AUDIT_LOG_READ):
        clauses.append(a.c.target_type.not_in(list(READABLE)))
    return or_(*clauses)


@strawberry.type(description="一次变更 — one change, as recorded in the audit log.")
class Change:
    cursor: str = strawberry.field(description="此变更之后的游标 — cursor to resume after this change.")
    occurred_at: datetime = strawberry.field(
        description="变更的提交时间（UTC） — when the change committed (UTC); the feed's order is the commit order."
    )
    operation: str = strawberry.field(description="操作 — the operation, e.g. `project:submit-to-reserve`.")
    target_type: str = strawberry.field(
        description="被修改对象的类型，如 Project、Organization — the changed object's type, e.g. `Project`, `Organization`."
    )
    target_id: strawberry.ID | None = strawberry.field(
        description="被修改对象的全局标识，可传给 node(id:)；无单一对象时为空 — the changed object's global id, for `node(id:)`; null when the change has no single object."
    )
    target: strawberry.Private[tuple[str, int | None]]

    @strawberry.field(
        description="对象的当前状态（查看者可见的字段） — the object as it is now, as the viewer may "
        "read it; null for types without a node or objects no longer readable."
    )
    async def node(self, info: Ctx) -> Node | None:
        # Loaded only when asked for, a batch at a time (the request's DataLoaders).
        kind, pk = self.target
        ctx = info.context
        if pk is None:
            return None
        if kind == "Project":
            project = await ctx.loaders["project"].load(pk)
            readable = project is not None and ctx.authorizer.can_read(ctx.require_actor(), project)
            return Project.from_domain(project) if readable else None
        if kind == "Organization":
            row = await ctx.loaders["organization"].load(pk)
            return Organization.from_row(row) if row is not None else None
        return None


@strawberry.type(description="变更批次 — a batch of changes and the cursor to ask for the next one.")
class ChangeBatch:
    changes: list[Change] = strawberry.field(
        description="本批变更，按提交顺序，最多 first 条 — the changes of this batch in commit order, at most `first`."
    )
    cursor: str | None = strawberry.field(
        description="下次请求的 after 参数（无新变更时不变） — pass as `after` next time; unchanged when empty."
    )
    has_more: bool = strawberry.field(description="是否还有已提交的变更 — whether more settled changes wait.")


def _position(after: str | None, lang: str) -> tuple[int, int] | None:
    if after is None:
        return None
    values = decode_cursor(after, lang)
    if len(values) != 2 or not all(in_range(v, BIGINT) for v in values):  # forged: issue 13.9
        raise AppError("BAD_USER_INPUT", lang, field="after", reason="not a changes cursor")
    return int(values[0]), int(values[1])


@strawberry.type
class ChangeQueries:
    @strawberry.field(
        description="增量同步：查看者可见对象的全部变更，按提交顺序，游标不会漏掉晚提交的事务 — "
        "every change to what the viewer may read, in commit order; the cursor never "
        "skips a transaction that commits late."
    )
    async def changes(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description="本批最多返回的变更条数（1–100）；hasMore 为 true 时立即再取 — at most this many changes in the batch, 1–100; when `hasMore` is true, ask again at once."
            ),
        ],
        after: Annotated[
            str | None,
            strawberry.argument(
                description="上次返回的 cursor；不填从头开始 — the last batch's cursor; omit to start at the beginning."
            ),
        ] = None,
    ) -> ChangeBatch:
        ctx = info.context
        actor = ctx.require_actor()
        if not 1 <= first <= MAX_PAGE:
            raise AppError("BAD_USER_INPUT", ctx.lang, field="first", reason=f"between 1 and {MAX_PAGE}")
        position = _position(after, ctx.lang)
        async with ctx.read_session_factory() as session:
            rows = list(
                (
                    await session.execute(
                        change_feed(readable_changes(ctx.authorizer, actor), position, first + 1)
                    )
                ).all()
            )
        more, rows = len(rows) > first, rows[:first]
        changes = [
            Change(
                cursor=encode_cursor([r.xact_id, r.id]),
                occurred_at=r.occurred_at,
                operation=r.operation,
                target_type=r.target_type,
                target_id=to_global_id(r.target_type, r.target_id) if r.target_id is not None else None,
                target=(r.target_type, r.target_id),
            )
            for r in rows
        ]
        return ChangeBatch(changes=changes, cursor=changes[-1].cursor if changes else after, has_more=more)
