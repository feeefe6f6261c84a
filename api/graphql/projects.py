"""Projects: the type, `project`, `projects` (scoped in SQL by the policy)."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context, current_context
from api.errors import AppError, not_found
from api.graphql.authz import ProjectPermissions, require_on_project
from api.graphql.common import CNY, Node, to_global_id
from api.graphql.enums import (
    FundingSourceEnum,
    OrganizationTypeEnum,
    ProjectCategoryEnum,
    ProjectKindEnum,
    ProjectStatusEnum,
    ReserveCheckEnum,
    ReserveOutcomeEnum,
    to_domain,
    to_gql,
)
from api.graphql.organizations import Organization
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
from api.graphql.project_list import OrderDirection, ProjectOrder, search_clause, sort_expression
from api.ranges import check_year
from authz.operations import Operation
from authz.sql import project_filter
from domain.actors import OrgType
from domain.lifecycle import STATUS_LABELS_ZH, Status
from domain.projects import Project as DomainProject
from domain.reserve import CHECK_LABELS_ZH
from domain.reserve import ReserveReview as DomainReview
from store import tables

if TYPE_CHECKING:  # the schema resolves these lazily; they import this module
    from api.graphql.approval_types import ApprovalDocument, ApprovalStep
    from api.graphql.construction import ProgressReport
    from api.graphql.obligations import Obligation
    from api.graphql.timeline import TimelineEvent

Ctx = Info[Context, None]


async def _organization(info: Ctx, pk: int) -> Organization:
    row = await info.context.loaders["organization"].load(pk)
    return Organization.from_row(row)


class LeadUnitOnDemand:
    """The lead unit of a project built from its aggregate: awaited (by graphql-core) only when a client
    selects `leadOrganization`, then loaded through the request's DataLoader."""

    __slots__ = ("pk",)

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def __await__(self) -> Generator[Any, None, Organization]:
        return self._load().__await__()

    async def _load(self) -> Organization:
        return Organization.from_row(await current_context.get().loaders["organization"].load(self.pk))


@strawberry.type(description="联系人 — the unit's contact person for this project.")
class ContactPerson:
    project: strawberry.Private[Project]
    name: str = strawberry.field(description="姓名 — name.")

    @strawberry.field(
        description="电话（仅牵头单位和市大数据局可见） — phone; the lead unit and bdb only, "
        "else null with a FORBIDDEN error."
    )
    async def phone(self, info: Ctx) -> str | None:
        model = await self.project.aggregate(info)
        require_on_project(info, Operation.PROJECT_CONTACT_READ, model)
        return model.contact_phone

    @strawberry.field(
        description="电子邮箱（仅牵头单位和市大数据局可见） — e-mail; the lead unit and bdb only, "
        "else null with a FORBIDDEN error."
    )
    async def email(self, info: Ctx) -> str | None:
        model = await self.project.aggregate(info)
        require_on_project(info, Operation.PROJECT_CONTACT_READ, model)
        return model.contact_email


@strawberry.type(description="参建单位 — a participating unit and its own part of a joint project (Art. 8).")
class Participant:
    organization_id: strawberry.Private[int]
    business_flow: str = strawberry.field(description="业务流 — business flow with the overall project.")
    data_flow: str = strawberry.field(description="数据流 — data flow with the overall project.")
    interfaces: str = strawberry.field(description="系统接口 — system interfaces with the overall project.")

    @strawberry.field(description="参建单位 — the participating organization.")
    async def organization(self, info: Ctx) -> Organization:
        return await _organization(info, self.organization_id)


@strawberry.type(description="数据目录条目 — an item of the project's initial data catalogue (Art. 8).")
class CatalogueItem:
    code: str = strawberry.field(description="目录编码 — catalogue code.")
    name: str = strawberry.field(description="名称 — name.")
    new_construction: bool = strawberry.field(
        description="是否新建 — claimed as new construction by this project."
    )


@strawberry.type(description="第七条审核项结果 — the result of one Article 7 check.")
class ReserveCheckResult:
    check: ReserveCheckEnum = strawberry.field(description="审核项 — which check.")
    label: str = strawberry.field(description="审核项名称 — the check as Art. 7 words it.")
    passed: bool = strawberry.field(description="是否通过 — whether it passed.")
    note: str = strawberry.field(description="审核意见 — the reviewer's note.")


@strawberry.type(description="入库审核 — a reserve-library review by the Big Data Bureau (Art. 7, R7).")
class ReserveReview:
    outcome: ReserveOutcomeEnum = strawberry.field(description="结论 — outcome.")
    comment: str = strawberry.field(description="总体意见 — overall comment.")
    reviewed_at: datetime = strawberry.field(description="审核时间 — when it was recorded.")
    checks: list[ReserveCheckResult] = strawberry.field(description="五项审核结果 — the five check results.")
    return_reasons: list[str] = strawberry.field(
        description="退回理由 — reasons for a return (empty when accepted)."
    )

    @classmethod
    def from_domain(cls, review: DomainReview) -> ReserveReview:
        return cls(
            outcome=to_gql(ReserveOutcomeEnum, review.outcome),
            comment=review.comment,
            reviewed_at=review.reviewed_at,
            checks=[
                ReserveCheckResult(
                    check=to_gql(ReserveCheckEnum, r.check),
                    label=CHECK_LABELS_ZH[r.check],
                    passed=r.passed,
                    note=r.note,
                )
                for r in review.results
            ],
            return_reasons=review.return_reasons,
        )


@strawberry.type(description="审批路径依据 — facts Art. 11 looks at.")
class ApprovalFacts:
    listed_plan_reference: str | None = strawberry.field(
        description="列入的市级及以上规划 — plan listing (R11.1)."
    )
    urgent_legal_basis: str | None = strawberry.field(
        description="紧急建设依据 — legal basis for urgency (R11.2)."
    )
    technically_simple: bool = strawberry.field(description="技术方案简单 — technically simple (R11.3).")
    single_content: bool = strawberry.field(description="建设内容单一 — single in content (R11.3).")


@strawberry.type(description="政务信息化项目 — a government IT project (Art. 2).")
class Project(Node, ProjectPermissions):
    """Plain columns are stored fields (strawberry's cheapest path: a list page resolves hundreds of them);
    fields that need the whole aggregate (participants, documents, permissions) load it through the
    request's `project` DataLoader, one batch per page, unless it came with the object."""

    pk: strawberry.Private[int]
    loaded: strawberry.Private[DomainProject | None]
    lead_organization_id: strawberry.Private[int]
    contact_name: strawberry.Private[str]
    facts: strawberry.Private[ApprovalFacts]

    code: str | None = strawberry.field(
        description="项目编号 — readable code given at first submission, e.g. `YK-2026-0001`."
    )
    name: str = strawberry.field(description="项目名称 — name.")
    description: str = strawberry.field(description="建设内容说明 — description of the scope.")
    kind: ProjectKindEnum = strawberry.field(description="项目类型 — kind.")
    category: ProjectCategoryEnum = strawberry.field(description="项目类别 — category under Art. 2.")
    funding_source: FundingSourceEnum = strawberry.field(description="资金来源 — funding source (R2, R25).")
    total_investment: CNY = strawberry.field(description="总投资 — total investment requested, exact CNY.")
    deploys_on_government_cloud: bool = strawberry.field(
        description="依托市级政务云部署 — deploys on the municipal government cloud (R6)."
    )
    connects_resource_platform: bool = strawberry.field(
        description="接入统一政务信息资源库平台 — connects to the unified resource platform (R6)."
    )
    platform_exemption_reason: str | None = strawberry.field(
        description="不上云或不接入的理由 — reason for an exemption from R6, if any."
    )

    @strawberry.field(description="联系人 — the unit's contact person.")
    def contact(self) -> ContactPerson:
        return ContactPerson(project=self, name=self.contact_name)

    status: ProjectStatusEnum = strawberry.field(description="状态 — lifecycle state.")
    status_label: str = strawberry.field(description="状态名称 — the state in Chinese, for display.")
    year: int | None = strawberry.field(
        description="申报年度 — year of first submission (the year in its code)."
    )
    version: int = strawberry.field(
        description="版本 — optimistic version; send it back as `expectedVersion`."
    )
    submitted_at: datetime | None = strawberry.field(
        description="最近提交入库时间 — when it was last submitted to the reserve."
    )
    created_at: datetime = strawberry.field(description="创建时间 — created at.")
    updated_at: datetime = strawberry.field(description="更新时间 — last changed at.")
    # A stored field, not a resolver (a list page resolves 50 of them): a list row brings the lead unit along;
    # a project built from its aggregate holds a LeadUnitOnDemand, which graphql-core awaits only if asked.
    lead_organization: Organization = strawberry.field(description="牵头单位 — the lead unit (Art. 8).")

    @classmethod
    def from_domain(cls, project: DomainProject) -> Project:
        """From a loaded aggregate (a single project, a mutation's result)."""
        return cls._build(project, loaded=project, lead=LeadUnitOnDemand(project.lead_organization_id))

    @classmethod
    def from_rows(cls, rows: Sequence[Any]) -> list[Project]:
        """From list rows: the `projects` columns plus the lead unit's, labelled `lead_*`."""
        if not rows:
            return []
        # Reading a Row by attribute name costs ~0.5 µs, 35 times per project: name the values once per page.
        names = rows[0]._fields
        return [cls._from_values(SimpleNamespace(**dict(zip(names, row, strict=True)))) for row in rows]

    @classmethod
    def _from_values(cls, m: Any) -> Project:
        lead = Organization(
            id=to_global_id("Organization", m.lead_organization_id),
            pk=m.lead_organization_id,
            name=m.lead_name,
            type=OrganizationTypeEnum[OrgType(m.lead_type).name],
            district=m.lead_district,
        )
        return cls._build(m, loaded=None, lead=lead)

    @classmethod
    def _build(
        cls, m: Any, *, loaded: DomainProject | None, lead: Organization | LeadUnitOnDemand
    ) -> Project:
        assert m.id is not None and m.created_at is not None and m.updated_at is not None
        return cls(
            id=to_global_id("Project", m.id),
            pk=m.id,
            loaded=loaded,
            lead_organization=lead,
            lead_organization_id=m.lead_organization_id,
            contact_name=m.contact_name,
            facts=ApprovalFacts(
                listed_plan_reference=m.listed_plan_reference,
                urgent_legal_basis=m.urgent_legal_basis,
                technically_simple=m.technically_simple,
                single_content=m.single_content,
            ),
            code=m.code,
            name=m.name,
            description=m.description,
            kind=ProjectKindEnum[m.kind.name],
            category=ProjectCategoryEnum[m.category.name],
            funding_source=FundingSourceEnum[m.funding_source.name],
            total_investment=m.total_investment,
            deploys_on_government_cloud=m.deploys_on_government_cloud,
            connects_resource_platform=m.connects_resource_platform,
            platform_exemption_reason=m.platform_exemption_reason,
            status=ProjectStatusEnum[m.status.name],
            status_label=STATUS_LABELS_ZH[m.status],
            year=m.year,
            version=m.version,
            submitted_at=m.submitted_at,
            created_at=m.created_at,
            updated_at=m.updated_at,
            plan_year=m.plan_year,
            approval_date=m.approval_date,
            approved_investment=m.approved_investment,
            classified=m.classified,
            operation_started_on=m.operation_started_on,
            plan_deferred=m.plan_deferred,
        )

    async def aggregate(self, info: Ctx) -> DomainProject:
        """The whole project with participants, catalogue and documents."""
        if self.loaded is None:
            loaded = await info.context.loaders["project"].load(self.pk)
            if loaded is None:  # projects are never deleted; a row read a moment ago is still there
                raise LookupError(f"project {self.pk} vanished")
            self.loaded = loaded
        return self.loaded

    @strawberry.field(description="参建单位 — participating units with their part (Art. 8).")
    async def participants(self, info: Ctx) -> list[Participant]:
        model = await self.aggregate(info)
        return [
            Participant(
                organization_id=p.organization_id,
                business_flow=p.business_flow,
                data_flow=p.data_flow,
                interfaces=p.interfaces,
            )
            for p in model.participants
        ]

    @strawberry.field(description="初步数据目录 — the initial data catalogue (Art. 8).")
    async def catalogue(self, info: Ctx) -> list[CatalogueItem]:
        model = await self.aggregate(info)
        return [
            CatalogueItem(code=c.code, name=c.name, new_construction=c.new_construction)
            for c in model.catalogue
        ]

    @strawberry.field(
        description="最近一期进度报告（第十八条），尚无则为空 — the latest quarterly progress report (R18), "
        "null before the first."
    )
    async def latest_progress_report(
        self, info: Ctx
    ) -> Annotated[ProgressReport, strawberry.lazy("api.graphql.construction")] | None:
        from api.graphql.construction import ProgressReport

        row = await info.context.loaders["latest_progress_report"].load(self.pk)
        return ProgressReport.from_row(row) if row is not None else None

    @strawberry.field(
        description="最近到期的未完成法定义务；查看者无权查看义务或没有义务时为空 — the earliest "
        "obligation not yet met (R18–R23); null when there is none or the viewer may "
        "not read this project's obligations."
    )
    async def next_obligation(
        self, info: Ctx
    ) -> Annotated[Obligation, strawberry.lazy("api.graphql.obligations")] | None:
        from api.graphql.obligations import Obligation

        found = await info.context.loaders["next_obligation"].load(self.pk)
        return Obligation.from_domain(found, self.loaded, info.context.lang) if found is not None else None

    @strawberry.field(description="入库审核记录 — reserve reviews, oldest first (Art. 7).")
    async def reserve_reviews(self, info: Ctx) -> list[ReserveReview]:
        reviews = await info.context.loaders["reserve_reviews"].load(self.pk)
        return [ReserveReview.from_domain(r) for r in reviews]

    # ---- Art. 9–13: plan and approval (api/graphql/approval_types.py) ----
    @strawberry.field(description="审批路径依据 — the Art. 11 facts recorded for this project.")
    def approval_facts(self) -> ApprovalFacts:
        return self.facts

    plan_year: int | None = strawberry.field(
        description="列入的年度投资计划年度 — year of the approved annual plan listing it (R10)."
    )
    approval_date: date | None = strawberry.field(
        description="项目批复日期（初步设计批复日期） — approval date: the preliminary design's (R13)."
    )
    approved_investment: CNY | None = strawberry.field(
        description="批复总投资 — approved total investment (R13)."
    )
    classified: bool = strawberry.field(
        description="是否涉密系统 — classified (涉密) system: its acceptance attaches a security-and-"
        "secrecy evaluation instead of the MLPS one (R19.2)."
    )
    operation_started_on: date | None = strawberry.field(
        description="投入运行日期（验收备案确认日） — in operation since: the day bdb acknowledged the "
        "acceptance filing (R21–R22); null before."
    )

    @strawberry.field(
        description="下一步可编报的审批文件及依据 — the most direct next approval document and the rule "
        "that allows it (R11); null outside the reserve, while a document is under "
        "review, and once the preliminary design is approved — `nextApprovalStepBlocked` says which."
    )
    async def next_approval_step(
        self, info: Ctx
    ) -> Annotated[ApprovalStep, strawberry.lazy("api.graphql.approval_types")] | None:
        from api.graphql.approval_types import ApprovalStep, approval_path_facts
        from domain.approval_path import next_step

        step = next_step(approval_path_facts(await self.aggregate(info)))
        return ApprovalStep.from_step(step, info.context.lang) if step else None

    @strawberry.field(
        description="现在可编报的全部审批文件 — every approval document allowed now, most direct first."
    )
    async def allowed_approval_steps(
        self, info: Ctx
    ) -> list[Annotated[ApprovalStep, strawberry.lazy("api.graphql.approval_types")]]:
        from api.graphql.approval_types import ApprovalStep, approval_path_facts
        from domain.approval_path import allowed_steps

        model = await self.aggregate(info)
        return [
            ApprovalStep.from_step(s, info.context.lang) for s in allowed_steps(approval_path_facts(model))
        ]

    @strawberry.field(
        description="审批文件（评估机构只看到受托的） — approval documents the viewer may read."
    )
    async def approval_documents(
        self, info: Ctx
    ) -> list[Annotated[ApprovalDocument, strawberry.lazy("api.graphql.approval_types")]]:
        from api.graphql.approval_types import readable_documents

        return readable_documents(info.context, await self.aggregate(info))

    @strawberry.field(
        description="可以开工建设 — whether construction may start: preliminary design approved and "
        "in an approved annual plan (R10, R13)."
    )
    async def may_start_construction(self, info: Ctx) -> bool:
        from domain.services.approvals import may_start_construction

        return not may_start_construction(await self.aggregate(info))

    plan_deferred: bool = strawberry.field(
        description="暂缓安排投资计划（第二十三条） — the investment plan arrangement is deferred (R23.2)."
    )

    @strawberry.field(
        description="项目大事记，按时间顺序（来自审计日志） — every event of the project in order, from "
        "the audit log."
    )
    async def timeline(
        self, info: Ctx
    ) -> list[Annotated[TimelineEvent, strawberry.lazy("api.graphql.timeline")]]:
        from api.graphql.timeline import timeline_of

        return await timeline_of(info.context, self.pk)


@strawberry.input(description="项目列表筛选 — filter for the project list.")
class ProjectFilter:
    status: list[ProjectStatusEnum] | None = strawberry.field(
        default=None, description="状态之一 — any of these states."
    )
    year: int | None = strawberry.field(default=None, description="申报年度 — year of first submission.")
    kind: ProjectKindEnum | None = strawberry.field(default=None, description="项目类型 — kind.")
    funding_source: FundingSourceEnum | None = strawberry.field(
        default=None, description="资金来源 — funding source."
    )
    lead_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="牵头单位 — global id of the lead unit."
    )
    investment_min: CNY | None = strawberry.field(
        default=None, description="总投资下限（含） — total investment ≥ this."
    )
    investment_max: CNY | None = strawberry.field(
        default=None, description="总投资上限（含） — total investment ≤ this."
    )
    search: str | None = strawberry.field(
        default=None,
        description="按项目编号或名称模糊查找（两个汉字即可） — substring of code or name, e.g. `教育`.",
    )
    # "has overdue obligations" arrives with issue 5 (obligations and deadlines): not faked here.


ProjectConnection = Connection[Project]


def _filtered(ctx: Context, flt: ProjectFilter | None):  # type: ignore[no-untyped-def]
    actor = ctx.require_actor()
    p = tables.projects
    stmt = select(p).where(project_filter(ctx.authorizer, actor, Operation.PROJECT_READ))
    if flt is None:
        return stmt
    if flt.status:
        stmt = stmt.where(p.c.status.in_([to_domain(Status, s) for s in flt.status]))
    if flt.year is not None:
        check_year(flt.year, getattr(ctx, "lang", "zh"), "filter", "year")  # SMALLINT (issue 13.9)
        stmt = stmt.where(p.c.year == flt.year)
    if flt.kind is not None:
        stmt = stmt.where(p.c.kind == flt.kind.value)
    if flt.funding_source is not None:
        stmt = stmt.where(p.c.funding_source == flt.funding_source.value)
    if flt.lead_organization_id is not None:
        stmt = stmt.where(p.c.lead_organization_id == ctx.pk(flt.lead_organization_id, "Organization"))
    if flt.investment_min is not None:
        stmt = stmt.where(p.c.total_investment >= flt.investment_min)
    if flt.investment_max is not None:
        stmt = stmt.where(p.c.total_investment <= flt.investment_max)
    if flt.search is not None and (matches := search_clause(flt.search)) is not None:
        stmt = stmt.where(matches)
    return stmt


def list_statements(ctx: Context, flt: ProjectFilter | None) -> tuple[Any, Any]:
    """The list's rows the viewer may read (scoped by authz/sql.py, filtered), and the same with the lead
    unit's columns (`lead_*`): the generic path and the compiled list (compiled_list.py) share both."""
    stmt = _filtered(ctx, flt)
    o = tables.organizations
    page_stmt = stmt.join(o, o.c.id == tables.projects.c.lead_organization_id).add_columns(
        o.c.name.label("lead_name"), o.c.type.label("lead_type"), o.c.district.label("lead_district")
    )
    return stmt, page_stmt


async def load_readable_project(
    ctx: Context, pk: int | None = None, code: str | None = None
) -> DomainProject:
    """A project the actor may read; anything else is NOT_FOUND, so existence does not leak."""
    actor = ctx.require_actor()
    stmt = select(DomainProject).where(
        tables.projects.c.id == pk if pk is not None else tables.projects.c.code == code
    )
    async with ctx.read_session_factory() as session:
        project = (await session.execute(stmt)).scalar_one_or_none()
    if project is None or not ctx.authorizer.can_read(actor, project):
        raise not_found(ctx.lang)
    return project


@strawberry.input(
    one_of=True,
    description="找一个项目：全局标识或项目编号，只能给一个（@oneOf） — how to find one project: exactly one of "
    "its global id or its code (@oneOf).",
)
class ProjectLookup:
    id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="全局标识 — global id.")
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
                description="按全局标识或项目编号（只给一个） — by id or by code, exactly one."
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
        filter: Annotated[ProjectFilter | None, strawberry.argument(description="筛选 — filter.")] = None,
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
