"""Projects: the Project type and its parts (reserve reviews, participants, catalogue); queries in queries.py."""

from __future__ import annotations

import importlib
from collections.abc import Generator, Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api.context import Context, current_context
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
    to_gql,
)
from api.graphql.organizations import Organization
from authz.operations import Operation
from domain.actors import OrgType
from domain.lifecycle import STATUS_LABELS_ZH
from domain.projects import Project as DomainProject
from domain.reserve import CHECK_LABELS_ZH
from domain.reserve import ReserveReview as DomainReview

if TYPE_CHECKING:  # type names only (never run): the schema resolves them through strawberry.lazy
    from api.graphql.approvals.types import ApprovalDocument, ApprovalStep
    from api.graphql.audit.timeline import TimelineEvent
    from api.graphql.construction.types import ProgressReport
    from api.graphql.obligations.resolvers import Obligation

Ctx = Info[Context, None]
APPROVALS = "api.graphql.approvals.types"


def _neighbour(module: str, name: str) -> Any:
    """A name of a feature package that imports this one, looked up when a field resolves."""
    # Every feature hangs off Project and imports it; Project names their types and helpers by module
    # path only (as strawberry.lazy does), so no feature package imports another in a circle
    # (tests/unit/test_layering.py).
    return getattr(importlib.import_module(module), name)


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
    name: str = strawberry.field(
        description="联系人姓名 — the contact person's full name, as the unit entered it."
    )

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

    @strawberry.field(
        description="参建单位（第八条），各自维护本单位部分 — the participating organization (Art. 8); it states its own part."
    )
    async def organization(self, info: Ctx) -> Organization:
        return await _organization(info, self.organization_id)


@strawberry.type(description="数据目录条目 — an item of the project's initial data catalogue (Art. 8).")
class CatalogueItem:
    code: str = strawberry.field(
        description="数据资源目录编码，如 JY-001 — the data resource's code in the catalogue, e.g. `JY-001`."
    )
    name: str = strawberry.field(
        description="数据资源名称，如「学籍信息」 — the data resource's name, e.g. `学籍信息`."
    )
    new_construction: bool = strawberry.field(
        description="是否新建 — claimed as new construction by this project."
    )


@strawberry.type(description="第七条审核项结果 — the result of one Article 7 check.")
class ReserveCheckResult:
    check: ReserveCheckEnum = strawberry.field(
        description="第七条的哪一项审核 — which of the five Art. 7 checks this result is for."
    )
    label: str = strawberry.field(
        description="审核项名称，即第七条的原文表述 — the check's name as Art. 7 words it, for display."
    )
    passed: bool = strawberry.field(
        description="该项是否通过；任一项不通过项目即退回 — whether the check passed; one failure returns the project."
    )
    note: str = strawberry.field(
        description="大数据局对该项的审核意见 — the Big Data Bureau reviewer's note on this check."
    )


@strawberry.type(description="入库审核 — a reserve-library review by the Big Data Bureau (Art. 7, R7).")
class ReserveReview:
    outcome: ReserveOutcomeEnum = strawberry.field(
        description="审核结论：ACCEPTED 入库，RETURNED 退回草稿 — ACCEPTED (the project enters the reserve library) or RETURNED (back to DRAFT for the unit to fix)."
    )
    comment: str = strawberry.field(
        description="大数据局的总体审核意见（可为空） — the Big Data Bureau's overall comment; may be empty."
    )
    reviewed_at: datetime = strawberry.field(
        description="审核登记时间（UTC） — when the review was recorded (UTC)."
    )
    checks: list[ReserveCheckResult] = strawberry.field(
        description="第七条五项审核的逐项结果 — the result of each of the five Art. 7 checks, with its note."
    )
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


@strawberry.type(
    description="决定审批路径的事实（第十一条），由单位在入库后登记 — the facts Art. 11 decides the approval path by, recorded by the unit once the project is in the reserve."
)
class ApprovalFacts:
    listed_plan_reference: str | None = strawberry.field(
        description="项目所列入的市级及以上规划名称；有则可从可研开始（R11.1） — the municipal-or-higher plan listing the project; with one it may start at feasibility (R11.1)."
    )
    urgent_legal_basis: str | None = strawberry.field(
        description="紧急建设依据 — legal basis for urgency (R11.2)."
    )
    technically_simple: bool = strawberry.field(
        description="技术方案是否简单；是则建议书后可免可研（R11.3） — whether the technical solution is simple; then feasibility may be skipped after the proposal (R11.3)."
    )
    single_content: bool = strawberry.field(
        description="建设内容是否单一；是则建议书后可免可研（R11.3） — whether the project has a single content; then feasibility may be skipped after the proposal (R11.3)."
    )


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
    name: str = strawberry.field(
        description="项目名称（1–200 字，单位自拟，可在草稿阶段修改） — the project's name as the unit drafted it, e.g. `营口市智慧教育云平台（二期）`; editable while a draft."
    )
    description: str = strawberry.field(
        description="建设内容说明：建设什么、为谁建（自由文本，可为空） — what the project builds and for whom, free text as the unit drafted it; may be empty."
    )
    kind: ProjectKindEnum = strawberry.field(
        description="项目类型：新建、运维、升级改造或迁移上云（第二、六条） — new build, operation and maintenance, upgrade or migration to the government cloud (Art. 2, 6)."
    )
    category: ProjectCategoryEnum = strawberry.field(
        description="项目类别：第二条所列的六类政务信息化项目之一（R2） — which of the six kinds of government IT project Art. 2 lists this is (R2)."
    )
    funding_source: FundingSourceEnum = strawberry.field(
        description="资金来源：市本级财政（R2）或政府主导、社会资本参与的 PPP（R25） — FISCAL (municipal fiscal money, R2) or PPP (government-led with social capital, R25)."
    )
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

    @strawberry.field(
        description="建设单位联系人（姓名、电话、邮箱）；仅有 project:contact:read 权限者可读，否则 FORBIDDEN — the unit's contact person (name, phone, e-mail); readable only with project:contact:read, FORBIDDEN otherwise."
    )
    def contact(self) -> ContactPerson:
        return ContactPerson(project=self, name=self.contact_name)

    status: ProjectStatusEnum = strawberry.field(
        description="生命周期状态，随各环节的变更推进（RULES.md Lifecycle） — where the project stands in its lifecycle, from DRAFT to FILED; moved only by the lifecycle mutations."
    )
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
    created_at: datetime = strawberry.field(
        description="草稿创建时间（UTC） — when the unit created the draft (UTC)."
    )
    updated_at: datetime = strawberry.field(
        description="最近一次被接受的修改时间（UTC），每次修改 version 加一 — when an accepted change last touched the project (UTC); every such change also increments `version`."
    )
    # A stored field, not a resolver (a list page resolves 50 of them): a list row brings the lead unit along;
    # a project built from its aggregate holds a LeadUnitOnDemand, which graphql-core awaits only if asked.
    lead_organization: Organization = strawberry.field(
        description="牵头单位：创建并负责项目的建设单位（第八条） — the lead unit: the organization that created the project and answers for it (Art. 8)."
    )

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
    ) -> Annotated[ProgressReport, strawberry.lazy("api.graphql.construction.types")] | None:
        ProgressReport = _neighbour("api.graphql.construction.types", "ProgressReport")

        row = await info.context.loaders["latest_progress_report"].load(self.pk)
        return ProgressReport.from_row(row) if row is not None else None

    @strawberry.field(
        description="最近到期的未完成法定义务；查看者无权查看义务或没有义务时为空 — the earliest "
        "obligation not yet met (R18–R23); null when there is none or the viewer may "
        "not read this project's obligations."
    )
    async def next_obligation(
        self, info: Ctx
    ) -> Annotated[Obligation, strawberry.lazy("api.graphql.obligations.resolvers")] | None:
        Obligation = _neighbour("api.graphql.obligations.resolvers", "Obligation")

        found = await info.context.loaders["next_obligation"].load(self.pk)
        return Obligation.from_domain(found, self.loaded, info.context.lang) if found is not None else None

    @strawberry.field(description="入库审核记录 — reserve reviews, oldest first (Art. 7).")
    async def reserve_reviews(self, info: Ctx) -> list[ReserveReview]:
        reviews = await info.context.loaders["reserve_reviews"].load(self.pk)
        return [ReserveReview.from_domain(r) for r in reviews]

    # ---- Art. 9–13: plan and approval (api/graphql/approvals/types.py) ----
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
    ) -> Annotated[ApprovalStep, strawberry.lazy(APPROVALS)] | None:
        ApprovalStep = _neighbour(APPROVALS, "ApprovalStep")
        approval_path_facts = _neighbour(APPROVALS, "approval_path_facts")
        from domain.approval_path import next_step

        step = next_step(approval_path_facts(await self.aggregate(info)))
        return ApprovalStep.from_step(step, info.context.lang) if step else None

    @strawberry.field(
        description="现在可编报的全部审批文件 — every approval document allowed now, most direct first."
    )
    async def allowed_approval_steps(
        self, info: Ctx
    ) -> list[Annotated[ApprovalStep, strawberry.lazy(APPROVALS)]]:
        ApprovalStep = _neighbour(APPROVALS, "ApprovalStep")
        approval_path_facts = _neighbour(APPROVALS, "approval_path_facts")
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
    ) -> list[Annotated[ApprovalDocument, strawberry.lazy(APPROVALS)]]:
        readable_documents = _neighbour(APPROVALS, "readable_documents")

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
    ) -> list[Annotated[TimelineEvent, strawberry.lazy("api.graphql.audit.timeline")]]:
        timeline_of = _neighbour("api.graphql.audit.timeline", "timeline_of")

        return await timeline_of(info.context, self.pk)
