"""Dashboards: aggregates computed in SQL (GROUP BY) over the projects the viewer may read.

An aggregate is under the rule of the field it sums: `FIELD_OPERATIONS` names, for every field of the
dashboard, the operation that guards its source, and a sum over a field readable by fewer roles than the
project (disbursements) is shown only where the viewer may read that field of every project it sums."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, not_, select
from strawberry.types import Info

from api.context import Context
from api.errors import forbidden
from api.graphql.common import CNY, to_global_id
from api.graphql.enums import ProjectKindEnum, ProjectStatusEnum
from api.graphql.obligations.resolvers import scoped_obligations
from authz.operations import Operation
from authz.sql import project_filter
from domain.obligations import ObligationState
from domain.services.obligations import ObligationFilter
from store import construction_tables, tables

Ctx = Info[Context, None]

# Every field of the dashboard (`aggregate` or `aggregate.rowField`, the most specific wins) and the operation
# guarding the field it is computed from; tests/api/test_dashboards.py walks the schema against this map.
FIELD_OPERATIONS: dict[str, Operation] = {
    "projectsByStatus": Operation.PROJECT_READ,  # Project.status
    "projectsByYear": Operation.PROJECT_READ,  # Project.year
    "projectsByKind": Operation.PROJECT_READ,  # Project.kind
    "projectsByUnit": Operation.PROJECT_READ,  # Project.leadOrganization
    "investmentByYearAndUnit": Operation.PROJECT_READ,  # year, lead unit, total and approved investment
    "investmentByYearAndUnit.disbursed": Operation.DISBURSEMENT_READ,  # ProjectImplementation.disbursedTotal
    "overdueObligationsByAgency": Operation.OBLIGATION_READ,  # Query.obligations
}


@strawberry.type(
    description="分组计数：分组键、显示名称和数量 — one group of a dashboard count: its key, its label and how many."
)
class CountByKey:
    key: str = strawberry.field(
        description="分组值（状态、年度、类型或单位全局标识） — the group: a state, year, kind "
        "or organization id."
    )
    label: str = strawberry.field(
        description="分组的显示名称（按请求语言）：状态和类型的名称、年度、单位名称 — the group for display, in "
        "the request's language: the state's or kind's name (e.g. 已入储备库 / in reserve), the year "
        "(2026年 / 2026) or the organization's name."
    )
    count: int = strawberry.field(
        description="该组中查看者可见的项目数 — how many projects the viewer may read fall in this group."
    )


@strawberry.type(description="按年度和单位的投资 — investment per year and lead unit.")
class InvestmentByYearAndUnit:
    year: int | None = strawberry.field(
        description="申报年度 — year of first submission (null: never submitted)."
    )
    organization_id: strawberry.ID = strawberry.field(
        description="牵头单位的全局标识（Organization.id） — the lead unit's global id (`Organization.id`)."
    )
    organization_name: str = strawberry.field(
        description="牵头单位全称，如「营口市教育局」 — the lead unit's full name, e.g. `营口市教育局`."
    )
    requested: CNY = strawberry.field(
        description="该单位该年度项目的申报总投资之和（元） — the sum of the total investment its projects of the year request, in CNY."
    )
    approved: CNY = strawberry.field(
        description="该单位该年度项目的批复投资之和（元），未批复的不计 — the sum of the approved investment of its projects of the year, in CNY; unapproved ones count nothing."
    )
    disbursed_sum: strawberry.Private[Decimal | None]

    @strawberry.field(
        description="已拨付资金（同拨付明细的可见范围：不能查看其中任一项目拨付明细时为空并报 FORBIDDEN） — "
        "funds disbursed (Art. 21); readable like `disbursedTotal`: null with a FORBIDDEN error unless the "
        "viewer may read the disbursements of every project of the row."
    )
    def disbursed(self, info: Ctx) -> CNY | None:
        if self.disbursed_sum is None:
            raise forbidden(info.context.lang, FIELD_OPERATIONS["investmentByYearAndUnit.disbursed"].value)
        return CNY(self.disbursed_sum)


def _scope(ctx: Context, field: str = "projectsByStatus") -> ColumnElement[bool]:
    """The projects whose `field` source the viewer may read, as SQL."""
    return project_filter(ctx.authorizer, ctx.require_actor(), FIELD_OPERATIONS[field])


def enum_labels(mirror: Any, lang: str) -> dict[str, str]:
    """Each value of a schema enum → its display name, from the value's own "中文 — English" description."""
    labels = {}
    for value in mirror.__strawberry_definition__.values:
        zh, _, en = (value.description or value.name).partition(" — ")
        labels[str(value.value)] = (en or zh) if lang == "en" else zh
    return labels


def _year_label(year: str, lang: str) -> str:
    return year if lang == "en" else f"{year}年"


async def _counts(
    ctx: Context, column: Any, field: str = "projectsByStatus", label: Any = None
) -> list[CountByKey]:
    async with ctx.read_session_factory() as session:
        rows = (
            await session.execute(
                select(column, func.count()).where(_scope(ctx, field)).group_by(column).order_by(column)
            )
        ).all()
    return [  # drafts have no year
        CountByKey(key=str(k), label=label(str(k)), count=c) for k, c in rows if k is not None
    ]


@strawberry.type(description="驾驶舱 — aggregates over the projects the viewer may read.")
class Dashboard:
    @strawberry.field(
        description="按生命周期状态分组的项目数（查看者可见的） — the projects you may read, counted per lifecycle state."
    )
    async def projects_by_status(self, info: Ctx) -> list[CountByKey]:
        labels = enum_labels(ProjectStatusEnum, info.context.lang)
        return await _counts(info.context, tables.projects.c.status, label=lambda k: labels.get(k, k))

    @strawberry.field(description="按申报年度的项目数（草稿无年度） — projects by year of first submission.")
    async def projects_by_year(self, info: Ctx) -> list[CountByKey]:
        lang = info.context.lang
        return await _counts(
            info.context, tables.projects.c.year, "projectsByYear", label=lambda k: _year_label(k, lang)
        )

    @strawberry.field(
        description="按项目类型分组的项目数（查看者可见的） — the projects you may read, counted per kind."
    )
    async def projects_by_kind(self, info: Ctx) -> list[CountByKey]:
        labels = enum_labels(ProjectKindEnum, info.context.lang)
        return await _counts(
            info.context, tables.projects.c.kind, "projectsByKind", label=lambda k: labels.get(k, k)
        )

    @strawberry.field(
        description="按牵头单位分组的项目数（查看者可见的） — the projects you may read, counted per lead unit."
    )
    async def projects_by_unit(self, info: Ctx) -> list[CountByKey]:
        ctx = info.context
        p, o = tables.projects, tables.organizations
        async with ctx.read_session_factory() as session:
            rows = (
                await session.execute(
                    select(o.c.id, o.c.name, func.count())
                    .join(p, p.c.lead_organization_id == o.c.id)
                    .where(_scope(ctx, "projectsByUnit"))
                    .group_by(o.c.id, o.c.name)
                    .order_by(o.c.id)
                )
            ).all()
        return [CountByKey(key=to_global_id("Organization", pk), label=name, count=c) for pk, name, c in rows]

    @strawberry.field(
        description="按年度和单位的申报、批复、拨付投资 — investment requested, approved and disbursed "
        "by year and lead unit."
    )
    async def investment_by_year_and_unit(self, info: Ctx) -> list[InvestmentByYearAndUnit]:
        ctx = info.context
        p, o, d = tables.projects, tables.organizations, construction_tables.disbursements
        paid = (
            select(d.c.project_id, func.sum(d.c.amount).label("amount")).group_by(d.c.project_id).subquery()
        )
        # Disbursements count only where the viewer may read them; one hidden project hides the row's sum.
        disbursements_readable = _scope(ctx, "investmentByYearAndUnit.disbursed")
        async with ctx.read_session_factory() as session:
            rows = (
                await session.execute(
                    select(
                        p.c.year,
                        o.c.id,
                        o.c.name,
                        func.sum(p.c.total_investment),
                        func.coalesce(func.sum(p.c.approved_investment), 0),
                        func.coalesce(func.sum(paid.c.amount).filter(disbursements_readable), 0),
                        func.count().filter(not_(disbursements_readable)),
                    )
                    .join(o, o.c.id == p.c.lead_organization_id)
                    .outerjoin(paid, paid.c.project_id == p.c.id)
                    .where(_scope(ctx, "investmentByYearAndUnit"))
                    .group_by(p.c.year, o.c.id, o.c.name)
                    .order_by(p.c.year, o.c.id)
                )
            ).all()
        return [
            InvestmentByYearAndUnit(
                year=year,
                organization_id=to_global_id("Organization", pk),
                organization_name=name,
                requested=CNY(requested),
                approved=CNY(Decimal(approved)),
                disbursed_sum=None if hidden else Decimal(disbursed),
            )
            for year, pk, name, requested, approved, disbursed, hidden in rows
        ]

    @strawberry.field(description="按责任单位的逾期义务数 — overdue obligations by responsible organization.")
    async def overdue_obligations_by_agency(self, info: Ctx) -> list[CountByKey]:
        ctx = info.context
        overdue = await scoped_obligations(ctx, ObligationFilter(state=ObligationState.OVERDUE))
        counts = Counter(o.organization_id for o in overdue)
        names = {
            pk: row.name for pk in counts if (row := await ctx.loaders["organization"].load(pk)) is not None
        }
        return [
            CountByKey(key=to_global_id("Organization", pk), label=names.get(pk) or "", count=c)
            for pk, c in sorted(counts.items())
        ]


@strawberry.type
class DashboardQueries:
    @strawberry.field(
        description="驾驶舱汇总（按查看者权限范围） — dashboard aggregates within the viewer's scope."
    )
    def dashboard(self, info: Ctx) -> Dashboard:
        info.context.require_actor()
        return Dashboard()
