"""`Project.timeline`: every event of a project in order, from the audit log (Art. 23–24 supervision view).

Only who did what and when is shown, never the before/after bodies: those may hold fields (contact details)
readable by fewer roles than the project itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import and_, or_, select

from api.graphql.common import to_global_id
from authz.operations import DESCRIPTIONS_ZH, Operation
from store import approval_tables, tables


@strawberry.type(description="项目大事记 — one event in a project's life, from the audit log.")
class TimelineEvent:
    occurred_at: datetime = strawberry.field(description="发生时间 — when.")
    operation: str = strawberry.field(description="操作 — the operation, as the policy names it.")
    label: str = strawberry.field(description="操作名称 — the operation in Chinese.")
    actor_role: str = strawberry.field(description="操作人角色 — the actor's role.")
    actor_organization_id: strawberry.ID | None = strawberry.field(description="操作单位 — organization id.")
    target_type: str = strawberry.field(description="对象类型 — e.g. `Project`, `Inspection`.")
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


def timeline_query(project_id: int) -> Any:
    """Events on the project itself, on its approval documents, and on anything whose record names it."""
    a, docs = tables.audit_log, approval_tables.approval_documents
    names_it = or_(
        a.c.after["projectId"].astext == str(project_id), a.c.before["projectId"].astext == str(project_id)
    )
    return (
        select(
            a.c.id,
            a.c.occurred_at,
            a.c.operation,
            a.c.actor_role,
            a.c.actor_organization_id,
            a.c.target_type,
            a.c.after,
        )
        .where(
            or_(
                and_(a.c.target_type == "Project", a.c.target_id == project_id),
                and_(
                    a.c.target_type == "ApprovalDocument",
                    a.c.target_id.in_(select(docs.c.id).where(docs.c.project_id == project_id)),
                ),
                and_(a.c.target_type != "Project", names_it),
            )
        )
        .order_by(a.c.occurred_at, a.c.id)
    )
