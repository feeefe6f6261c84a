"""`Project.timeline`: every event of a project in order, from the audit log (Art. 23–24 supervision view).

Only who did what and when is shown, never the before/after bodies: those may hold fields (contact details)
readable by fewer roles than the project itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import Text, cast, literal_column, select, union
from strawberry.dataloader import DataLoader

from api.graphql.common import to_global_id
from authz.operations import DESCRIPTIONS_ZH, Operation
from store import approval_tables, tables

if TYPE_CHECKING:
    from api.context import Context


@strawberry.type(description="项目大事记 — one event in a project's life, from the audit log.")
class TimelineEvent:
    occurred_at: datetime = strawberry.field(
        description="发生时间（UTC），时间线按此排列 — when it happened (UTC); the timeline is ordered by it."
    )
    operation: str = strawberry.field(description="操作 — the operation, as the policy names it.")
    label: str = strawberry.field(
        description="操作的中文名称，如「提交入库申请」 — the operation's Chinese name for display, e.g. `提交入库申请`."
    )
    actor_role: str = strawberry.field(
        description="操作人当时的角色，如 unit、bdb — the actor's role at the time, e.g. `unit`, `bdb`."
    )
    actor_organization_id: strawberry.ID | None = strawberry.field(
        description="操作人所属单位的全局标识；系统任务为空 — the actor's organization's global id; null for a system job."
    )
    target_type: str = strawberry.field(
        description="被修改对象的类型，如 Project、Inspection — the changed object's type, e.g. `Project`, `Inspection`."
    )
    status: str | None = strawberry.field(
        description="变更后状态（如有） — the object's state after, if any."
    )

    @classmethod
    def from_row(cls, row: Any) -> TimelineEvent:
        try:
            label = DESCRIPTIONS_ZH[Operation(row.operation)]
        except ValueError:
            label = row.operation
        after = row.after if isinstance(row.after, dict) else {}
        return cls(
            occurred_at=row.occurred_at,
            operation=row.operation,
            label=label,
            actor_role=row.actor_role,
            actor_organization_id=to_global_id("Organization", row.actor_organization_id)
            if row.actor_organization_id
            else None,
            target_type=row.target_type,
            status=after.get("status"),
        )


def project_named_in(column: Any) -> Any:
    """`<column> ->> 'projectId'` with the key as a literal, exactly the expression migration 0011 indexes
    (with a bound key PostgreSQL's generic plan could not match the index)."""
    return column.op("->>", return_type=Text())(literal_column("'projectId'"))


def timeline_query(project_ids: Sequence[int]) -> Any:
    """Events on the projects themselves, on their approval documents, and on anything whose record names
    one of them, each with the project it belongs to (`project_key`, as text), in order per project.

    One arm per way an event belongs to a project, so each is an index scan (ix_audit_log_target and the
    `projectId` expression indexes of migration 0011) instead of one OR over the whole audit log."""
    a, docs = tables.audit_log, approval_tables.approval_documents
    keys = [str(pk) for pk in project_ids]
    on_project = select(cast(a.c.target_id, Text).label("project_key"), a.c.id.label("audit_id")).where(
        a.c.target_type == "Project", a.c.target_id.in_(project_ids)
    )
    on_document = (
        select(cast(docs.c.project_id, Text), a.c.id)
        .join(docs, docs.c.id == a.c.target_id)
        .where(a.c.target_type == "ApprovalDocument", docs.c.project_id.in_(project_ids))
    )
    naming = [
        select(named, a.c.id).where(a.c.target_type != "Project", named.in_(keys))
        for named in (project_named_in(a.c.after), project_named_in(a.c.before))
    ]
    owned = union(on_project, on_document, *naming).subquery()  # UNION: an event counts once per project
    return (
        select(
            owned.c.project_key,
            a.c.id,
            a.c.occurred_at,
            a.c.operation,
            a.c.actor_role,
            a.c.actor_organization_id,
            a.c.target_type,
            a.c.after,
        )
        .join(owned, owned.c.audit_id == a.c.id)
        .order_by(owned.c.project_key, a.c.occurred_at, a.c.id)
    )


async def load_timelines(ctx: Context, project_ids: Sequence[int]) -> list[list[TimelineEvent]]:
    """The timelines of several projects in one statement (the DataLoader's batch function)."""
    events: dict[str, list[TimelineEvent]] = defaultdict(list)
    async with ctx.read_session_factory() as session:
        for row in (await session.execute(timeline_query(project_ids))).all():
            events[row.project_key].append(TimelineEvent.from_row(row))
    return [events.get(str(pk), []) for pk in project_ids]


async def timeline_of(ctx: Context, project_id: int) -> list[TimelineEvent]:
    """One project's timeline, batched with every other project of the request that asks for its own."""
    loader = ctx.loaders.get("timeline")
    if loader is None:
        loader = ctx.loaders["timeline"] = DataLoader(load_fn=partial(load_timelines, ctx))
    return await loader.load(project_id)  # type: ignore[no-any-return]
