"""Projects: the `project` and `projects` queries (scoped in SQL by the policy)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from sqlalchemy import BigInteger, ColumnElement, and_, bindparam, or_, select
from strawberry.types import Info

from api.context import Context
from api.errors import AppError
from api.graphql.common import CNY
from api.graphql.enums import (
    FundingSourceEnum,
    ProjectKindEnum,
    ProjectStatusEnum,
    to_domain,
)
from api.graphql.pagination import (
    TOTAL_LABEL,
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    PageRequest,
    asks_for,
    count_rows,
    counted,
    counter,
    keyset_page,
    total_column,
)
from api.graphql.projects.ordering import (
    OrderDirection,
    ProjectOrder,
    search_clause_for,
    search_pattern,
    sort_expression,
)
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from api.ranges import check_year
from authz.operations import Operation
from authz.sql import project_filter
from domain.clock import legal_date
from domain.lifecycle import Status
from store import tables

Ctx = Info[Context, None]


@strawberry.input(
    description="项目列表筛选：各条件同时满足，不填的条件不限 — filter for the project list: every given condition must hold; omitted ones do not restrict."
)
class ProjectFilter:
    status: list[ProjectStatusEnum] | None = strawberry.field(
        default=None,
        description="处于其中任一状态的项目 — projects in any of these lifecycle states, e.g. `[IN_RESERVE, PLANNED]`.",
    )
    year: int | None = strawberry.field(
        default=None,
        description="申报年度：首次提交入库的年份（1000–9999）；草稿没有年度 — the year the project was first submitted to the reserve, 1000–9999; drafts have none.",
    )
    kind: ProjectKindEnum | None = strawberry.field(
        default=None,
        description="只看这一项目类型 — only projects of this kind (build, O&M, upgrade, migration).",
    )
    funding_source: FundingSourceEnum | None = strawberry.field(
        default=None, description="只看这一资金来源 — only projects with this funding source (FISCAL or PPP)."
    )
    lead_organization_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="只看该牵头单位的项目（Organization.id） — only projects led by this organization, its global id.",
    )
    investment_min: CNY | None = strawberry.field(
        default=None,
        description='总投资下限（元，两位小数，含），如 "2000000.00" — only projects whose total investment is at least this, in CNY, e.g. "2000000.00".',
    )
    investment_max: CNY | None = strawberry.field(
        default=None,
        description="总投资上限（元，两位小数，含） — only projects whose total investment is at most this, in CNY.",
    )
    search: str | None = strawberry.field(
        default=None,
        description="按项目编号或名称模糊查找（两个汉字即可） — substring of code or name, e.g. `教育`.",
    )
    has_overdue_obligations: bool | None = strawberry.field(
        default=None,
        description="有逾期法定义务（以北京时间今日计；仅限可查看其义务的项目） — true: projects with an "
        "obligation overdue today (China time), as `obligations(state: OVERDUE)` derives it; false: "
        "those without. Either way only projects whose obligations the viewer may read.",
    )


ProjectConnection = Connection[Project]


@dataclass(frozen=True)
class FilterTerm:
    """One condition of a ProjectFilter: its `shape` (what its SQL text depends on) and its `values` (bound).

    `clause(values, organization)` writes the condition over either the values themselves (the generic path)
    or bind parameters named as `values` is (the compiled list keeps one statement per shape,
    api/graphql/projects/compiled.py); `organization` likewise is the actor's organization id or a parameter."""

    shape: Hashable
    values: Mapping[str, Any]
    clause: Callable[[Mapping[str, Any], Any], ColumnElement[bool]]


def filter_terms(ctx: Context, flt: ProjectFilter | None) -> list[FilterTerm]:
    """The filter's conditions, checked (raises as the list does on a bad year or organization id)."""
    if flt is None:
        return []
    p = tables.projects
    terms: list[FilterTerm] = []
    if flt.status:
        names = [f"f_status_{i}" for i in range(len(flt.status))]
        terms.append(
            FilterTerm(
                ("status", len(names)),
                {name: to_domain(Status, s) for name, s in zip(names, flt.status, strict=True)},
                lambda v, org: p.c.status.in_(list(v.values())),
            )
        )
    if flt.year is not None:
        check_year(flt.year, getattr(ctx, "lang", "zh"), "filter", "year")  # SMALLINT (issue 13.9)
        terms.append(FilterTerm("year", {"f_year": flt.year}, lambda v, org: p.c.year == v["f_year"]))
    if flt.kind is not None:
        terms.append(FilterTerm("kind", {"f_kind": flt.kind.value}, lambda v, org: p.c.kind == v["f_kind"]))
    if flt.funding_source is not None:
        terms.append(
            FilterTerm(
                "funding_source",
                {"f_funding": flt.funding_source.value},
                lambda v, org: p.c.funding_source == v["f_funding"],
            )
        )
    if flt.lead_organization_id is not None:
        terms.append(
            FilterTerm(
                "lead_organization",
                {"f_lead": ctx.pk(flt.lead_organization_id, "Organization")},
                lambda v, org: p.c.lead_organization_id == v["f_lead"],
            )
        )
    if flt.investment_min is not None:
        terms.append(
            FilterTerm(
                "investment_min",
                {"f_inv_min": flt.investment_min},
                lambda v, org: p.c.total_investment >= v["f_inv_min"],
            )
        )
    if flt.investment_max is not None:
        terms.append(
            FilterTerm(
                "investment_max",
                {"f_inv_max": flt.investment_max},
                lambda v, org: p.c.total_investment <= v["f_inv_max"],
            )
        )
    if flt.search is not None and (pattern := search_pattern(flt.search)) is not None:
        terms.append(
            FilterTerm("search", {"f_search": pattern}, lambda v, org: search_clause_for(v["f_search"]))
        )
    if flt.has_overdue_obligations is not None:
        overdue = flt.has_overdue_obligations
        actor = ctx.require_actor()
        readable = ctx.authorizer.scopes(actor, Operation.OBLIGATION_READ)
        terms.append(
            FilterTerm(
                ("overdue", overdue, readable),
                {"f_today": legal_date(ctx.clock())},
                lambda v, org: overdue_clause(ctx, overdue, today=v["f_today"], organization=org),
            )
        )
    return terms


def _filtered(ctx: Context, flt: ProjectFilter | None):  # type: ignore[no-untyped-def]
    actor = ctx.require_actor()
    p = tables.projects
    stmt = select(p).where(project_filter(ctx.authorizer, actor, Operation.PROJECT_READ))
    for term in filter_terms(ctx, flt):
        stmt = stmt.where(term.clause(term.values, actor.organization_id))
    return stmt


def list_statements(ctx: Context, flt: ProjectFilter | None) -> tuple[Any, Any]:
    """The list's rows the viewer may read (scoped by authz/sql.py, filtered), and the same with the lead
    unit's columns (`lead_*`): the generic path and the compiled list (projects/compiled.py) share both."""
    return _with_lead_unit(_filtered(ctx, flt))


def _with_lead_unit(stmt: Any) -> tuple[Any, Any]:
    o = tables.organizations
    page_stmt = stmt.join(o, o.c.id == tables.projects.c.lead_organization_id).add_columns(
        o.c.name.label("lead_name"), o.c.type.label("lead_type"), o.c.district.label("lead_district")
    )
    return stmt, page_stmt


def bound_list_statements(ctx: Context, terms: Sequence[FilterTerm]) -> tuple[Any, Any]:
    """`list_statements` with the actor's organization (`org`) and each term's values as bind parameters of
    their names: the same SQL for every request of the same shape (the compiled list caches it)."""
    organization = bindparam("org", type_=BigInteger)
    p = tables.projects
    stmt = select(p).where(
        project_filter(ctx.authorizer, ctx.require_actor(), Operation.PROJECT_READ, organization=organization)
    )
    for term in terms:
        stmt = stmt.where(term.clause({name: bindparam(name) for name in term.values}, organization))
    return _with_lead_unit(stmt)


def overdue_clause(
    ctx: Context, overdue: bool, *, today: Any = None, organization: Any = None
) -> ColumnElement[bool]:
    """Issue 15.4: an obligation is overdue from the day after its due date, so a project has one today
    exactly when its earliest unmet due date (store/obligation_dates.py) is before today."""
    p = tables.projects
    due = p.c.obligations_due_on
    if today is None:
        today = legal_date(ctx.clock())
    readable = project_filter(
        ctx.authorizer, ctx.require_actor(), Operation.OBLIGATION_READ, organization=organization
    )
    return and_(readable, due < today if overdue else or_(due.is_(None), due >= today))


@strawberry.input(
    one_of=True,
    description="找一个项目：全局标识或项目编号，只能给一个（@oneOf） — how to find one project: exactly one of "
    "its global id or its code (@oneOf).",
)
class ProjectLookup:
    id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="项目的全局标识（Project.id）；与 code 只能给一个 — the project's global id; give this or `code`, not both.",
    )
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="项目编号 — code given at submission, e.g. `YK-2026-0001`."
    )


def _given(value: Any) -> Any:
    """A @oneOf field not sent is UNSET: None for the checks that follow."""
    return None if value is strawberry.UNSET else value


@strawberry.type
class ProjectQueries:
    @strawberry.field(
        description="按全局标识或项目编号取一个项目：用 by（@oneOf，只能给 id 或 code 之一）；旧的 id、code "
        "参数仍可用，但三者只能给一个，否则 BAD_USER_INPUT；不存在或无权查看时 NOT_FOUND — one project, "
        "by global id or by code: pass `by` (@oneOf: exactly one of `id` and `code`); the older `id` and "
        "`code` arguments still work, but give exactly one of `by`, `id` and `code` (anything else is "
        "BAD_USER_INPUT); NOT_FOUND when it does not exist or the viewer may not read it."
    )
    async def project(
        self,
        info: Ctx,
        by: Annotated[
            ProjectLookup | None,
            strawberry.argument(
                description="按全局标识或项目编号取项目，两者只能给一个（@oneOf） — which project: exactly one of `id` (its global id) or `code` (e.g. `YK-2026-0001`)."
            ),
        ] = None,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="全局标识（不与 code、by 同用） — global id; not with `code` or `by`.",
                deprecation_reason="用 by: {id: …} — use `by: {id: …}`, which says exactly-one in its type.",
            ),
        ] = None,
        code: Annotated[
            str | None,
            strawberry.argument(
                description="项目编号（入库时分配，不与 id、by 同用） — code given at submission, e.g. "
                "`YK-2026-0001`; not with `id` or `by`.",
                deprecation_reason="用 by: {code: …} — use `by: {code: …}`, which says exactly-one in its type.",
            ),
        ] = None,
    ) -> Project:
        ctx = info.context
        if by is not None:
            if id is not None or code is not None:
                raise AppError("BAD_USER_INPUT", ctx.lang, field="by", reason="give by, id or code, only one")
            id, code = _given(by.id), _given(by.code)
        if (id is None) == (code is None):
            raise AppError("BAD_USER_INPUT", ctx.lang, field="id", reason="give exactly one of id or code")
        if id is not None:
            return Project.from_domain(await load_readable_project(ctx, pk=ctx.pk(id, "Project")))
        return Project.from_domain(await load_readable_project(ctx, code=code))

    @strawberry.field(
        description="项目列表，按查看者的权限范围过滤 — projects the viewer may read, newest first."
    )
    async def projects(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            ProjectFilter | None,
            strawberry.argument(
                description="项目筛选：状态、年度、类型、资金来源、牵头单位、投资区间、名称或编号；不填为全部可见项目 — filter by status, year, kind, funding source, lead unit, investment range or a name/code substring; omitted: every project you may read."
            ),
        ] = None,
        order_by: Annotated[
            ProjectOrder | None,
            strawberry.argument(description="排序（默认最新创建在前） — ordering; default newest first."),
        ] = None,
    ) -> ProjectConnection:
        ctx = info.context
        stmt, page_stmt = list_statements(ctx, filter)
        wants_total = asks_for(info, "totalCount")
        if wants_total:  # counted by the page's own statement: one round trip, not two
            page_stmt = page_stmt.add_columns(total_column(stmt))
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session,
                page_stmt,
                key=tables.projects.c.id,
                page=PageRequest(first, after, last, before),
                lang=ctx.lang,
                sort=sort_expression(order_by) if order_by else None,
                descending=order_by is None or order_by.direction == OrderDirection.DESC,
            )
            count = None
            if wants_total:
                count = counted(getattr(rows[0], TOTAL_LABEL) if rows else await count_rows(session, stmt))
        edges = [Edge(cursor=c, node=node) for node, c in zip(Project.from_rows(rows), cursors, strict=True)]
        return ProjectConnection(
            edges=edges, page_info=page_info, count=count or counter(ctx.read_session_factory, stmt)
        )
