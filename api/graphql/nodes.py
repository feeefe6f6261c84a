"""`node(id:)` and `nodes(ids:)`: any object by its global id, scoped like the query that lists it."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.errors import AppError, not_found
from api.graphql.common import Node, from_global_id
from api.graphql.obligations.resolvers import notification_by_pk, obligation_by_id
from api.graphql.organizations import Organization
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from authz.operations import Operation
from store import tables

Ctx = Info[Context, None]
MAX_NODES = 100  # as a page: `nodes(ids:)` is a page the client chose


async def resolve_node(ctx: Context, global_id: str) -> Node:
    """The object behind `global_id`; NOT_FOUND when there is none or the viewer may not see it."""
    decoded = from_global_id(global_id)
    found: Node | None = None
    if decoded is not None and decoded[0] == "Project":
        return Project.from_domain(await load_readable_project(ctx, pk=decoded[1]))
    if decoded is not None and decoded[0] == "Organization":
        ctx.require(Operation.ORGANIZATION_READ)
        async with ctx.read_session_factory() as session:
            row = (
                await session.execute(
                    select(tables.organizations).where(tables.organizations.c.id == decoded[1])
                )
            ).first()
        found = Organization.from_row(row) if row is not None else None
    elif decoded is not None and decoded[0] == "Notification":
        found = await notification_by_pk(ctx, decoded[1])
    elif decoded is None:  # obligations are derived: their ids carry a key, not a row number
        found = await obligation_by_id(ctx, global_id)
    if found is None:
        ctx.require_actor()  # an anonymous caller learns UNAUTHENTICATED, not NOT_FOUND
        raise not_found(ctx.lang)
    return found


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="按全局标识取任一对象；不存在或无权查看时为空并附 NOT_FOUND 错误（不影响同级字段） — any "
        "object by its global id (Project, Organization, Obligation, Notification); null with a NOT_FOUND "
        "error when it does not exist or the viewer may not see it, leaving sibling fields intact."
    )
    async def node(
        self,
        info: Ctx,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="任意类型对象的全局标识；不存在或不可见时 node 为 null 并附 NOT_FOUND 错误 — the global id of an object of any type; `node` is null with a NOT_FOUND error when it does not exist or you may not read it."
            ),
        ],
    ) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(
        description=f"按全局标识批量取对象（最多 {MAX_NODES} 个），结果与 ids 一一对应；某个不存在或无权查看时"
        f"该位置为空并附带该位置的 NOT_FOUND 错误 — several objects by global id (at most {MAX_NODES}), in "
        "the order of `ids`; an id that does not exist or that the viewer may not see gives null in its place "
        "and a NOT_FOUND error with that path, the others are still returned."
    )
    def nodes(
        self,
        info: Ctx,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"要取的对象全局标识（1–{MAX_NODES} 个，任意类型），结果按此顺序 — the global ids to "
                f"fetch, 1–{MAX_NODES}, of any type; the answer keeps their order."
            ),
        ],
    ) -> list[Node | None]:
        ctx = info.context
        ctx.require_actor()  # unauthenticated is one error for the whole field, not one per id
        if len(ids) > MAX_NODES:
            raise AppError("BAD_USER_INPUT", ctx.lang, field="ids", reason=f"at most {MAX_NODES} ids")
        # Awaitables, one per id: graphql-core completes each item and turns a refusal into null plus an
        # error at that item's path, so one missing id does not take the others with it.
        items: list[Awaitable[Node]] = [resolve_node(ctx, i) for i in ids]
        return items  # type: ignore[return-value]
