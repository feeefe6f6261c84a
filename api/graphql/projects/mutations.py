"""Mutations of the first lifecycle slice: draft, edit, participation, submit, reserve review (Art. 6–8)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import CNY, UserError
from api.graphql.enums import (
    FundingSourceEnum,
    ProjectCategoryEnum,
    ProjectKindEnum,
    ReserveCheckEnum,
    to_domain,
)
from api.graphql.projects.types import Project, ReserveReview
from authz.operations import Operation
from domain.projects import CatalogueItem, FundingSource, Participant, ProjectCategory, ProjectKind
from domain.projects import Project as DomainProject
from domain.reserve import CheckResult, ReserveCheck
from domain.services import projects as use_cases

Ctx = Info[Context, None]


@strawberry.input(description="联系人 — contact person.")
class ContactInput:
    name: str = strawberry.field(description="姓名 — name.")
    phone: str = strawberry.field(default="", description="电话 — phone.")
    email: str = strawberry.field(default="", description="电子邮箱 — e-mail.")


@strawberry.input(description="参建单位 — a participating unit and its part (Art. 8).")
class ParticipantInput:
    organization_id: strawberry.ID = strawberry.field(description="参建单位全局标识 — the unit's global id.")
    business_flow: str = strawberry.field(default="", description="业务流 — business flow.")
    data_flow: str = strawberry.field(default="", description="数据流 — data flow.")
    interfaces: str = strawberry.field(default="", description="系统接口 — system interfaces.")


@strawberry.input(description="数据目录条目 — a data catalogue item (Art. 8).")
class CatalogueItemInput:
    code: str = strawberry.field(description="目录编码 — catalogue code.")
    name: str = strawberry.field(description="名称 — name.")
    new_construction: bool = strawberry.field(
        default=True, description="是否新建 — claimed as new construction."
    )


@strawberry.input(description="新建项目草稿 — a new project draft, led by the viewer's unit.")
class ProjectCreateInput:
    name: str = strawberry.field(description="项目名称 — name.")
    kind: ProjectKindEnum = strawberry.field(description="项目类型 — kind.")
    category: ProjectCategoryEnum = strawberry.field(description="项目类别 — category under Art. 2.")
    funding_source: FundingSourceEnum = strawberry.field(description="资金来源 — funding source (R2, R25).")
    total_investment: CNY = strawberry.field(description="总投资 — total investment, exact CNY.")
    description: str = strawberry.field(default="", description="建设内容说明 — description of the scope.")
    deploys_on_government_cloud: bool = strawberry.field(
        default=True, description="依托政务云部署 — on the government cloud (R6)."
    )
    connects_resource_platform: bool = strawberry.field(
        default=True, description="接入资源库平台 — connects to the platform (R6)."
    )
    platform_exemption_reason: str | None = strawberry.field(
        default=None, description="豁免理由 — reason for an R6 exemption."
    )
    contact: ContactInput | None = strawberry.field(default=None, description="联系人 — contact person.")
    participants: list[ParticipantInput] = strawberry.field(
        default_factory=list, description="参建单位 — participating units."
    )
    catalogue: list[CatalogueItemInput] = strawberry.field(
        default_factory=list, description="初步数据目录 — initial data catalogue."
    )


@strawberry.input(description="修改项目草稿 — edit a draft; omitted fields stay as they are.")
class ProjectUpdateInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — the project's global id.")
    expected_version: int | None = strawberry.field(
        default=None, description="期望版本 — refuse if the project changed since."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="项目名称 — name.")
    kind: ProjectKindEnum | None = strawberry.field(default=strawberry.UNSET, description="项目类型 — kind.")
    category: ProjectCategoryEnum | None = strawberry.field(
        default=strawberry.UNSET, description="项目类别 — category."
    )
    funding_source: FundingSourceEnum | None = strawberry.field(
        default=strawberry.UNSET, description="资金来源 — funding source."
    )
    total_investment: CNY | None = strawberry.field(
        default=strawberry.UNSET, description="总投资 — total investment."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="建设内容说明 — description."
    )
    deploys_on_government_cloud: bool | None = strawberry.field(
        default=strawberry.UNSET, description="依托政务云部署 — on the cloud."
    )
    connects_resource_platform: bool | None = strawberry.field(
        default=strawberry.UNSET, description="接入资源库平台 — connects."
    )
    platform_exemption_reason: str | None = strawberry.field(
        default=strawberry.UNSET, description="豁免理由 — exemption reason."
    )
    contact: ContactInput | None = strawberry.field(
        default=strawberry.UNSET, description="联系人 — contact person."
    )
    participants: list[ParticipantInput] | None = strawberry.field(
        default=strawberry.UNSET, description="参建单位 — replaces the list."
    )
    catalogue: list[CatalogueItemInput] | None = strawberry.field(
        default=strawberry.UNSET, description="数据目录 — replaces the list."
    )


@strawberry.input(description="参建单位维护本单位部分 — a participant states its own part (Art. 8).")
class ProjectParticipationUpdateInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — the project's global id.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")
    business_flow: str = strawberry.field(description="业务流 — business flow.")
    data_flow: str = strawberry.field(description="数据流 — data flow.")
    interfaces: str = strawberry.field(description="系统接口 — system interfaces.")


@strawberry.input(description="提交入库 — submit a draft to the reserve library (Art. 7).")
class ProjectSubmitToReserveInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — the project's global id.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")


@strawberry.input(description="一项第七条审核 — one Article 7 check.")
class ReserveCheckInput:
    check: ReserveCheckEnum = strawberry.field(description="审核项 — which check.")
    passed: bool = strawberry.field(description="是否通过 — passed.")
    note: str = strawberry.field(description="审核意见（必填） — the reviewer's note (required).")


@strawberry.input(description="入库审核 — record the five Article 7 checks (R7).")
class ReserveReviewRecordInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — the project's global id.")
    checks: list[ReserveCheckInput] = strawberry.field(
        description="五项审核 — all five checks, each with a note."
    )
    comment: str = strawberry.field(default="", description="总体意见 — overall comment.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")


@strawberry.type(description="项目变更结果 — result of a project mutation.")
class ProjectPayload:
    project: Project | None = strawberry.field(description="变更后的项目 — the project after the change.")
    user_errors: list[UserError] = strawberry.field(
        description="拒绝理由；成功时为空 — refusals; empty on success."
    )


@strawberry.type(description="入库审核结果 — result of a reserve review.")
class ReserveReviewPayload:
    project: Project | None = strawberry.field(description="审核后的项目 — the project after the review.")
    review: ReserveReview | None = strawberry.field(description="本次审核 — the review recorded.")
    user_errors: list[UserError] = strawberry.field(
        description="拒绝理由；成功时为空 — refusals; empty on success."
    )


def _participants(ctx: Context, items: list[ParticipantInput]) -> list[Participant]:
    return [
        Participant(
            organization_id=ctx.pk(p.organization_id, "Organization"),
            business_flow=p.business_flow,
            data_flow=p.data_flow,
            interfaces=p.interfaces,
        )
        for p in items
    ]


def _catalogue(items: list[CatalogueItemInput]) -> list[CatalogueItem]:
    return [
        CatalogueItem(code=c.code.strip(), name=c.name.strip(), new_construction=c.new_construction)
        for c in items
    ]


def _changes(ctx: Context, data: ProjectUpdateInput) -> use_cases.ProjectChanges:
    values: dict[str, Any] = {}
    plain = (
        "name",
        "description",
        "total_investment",
        "deploys_on_government_cloud",
        "connects_resource_platform",
        "platform_exemption_reason",
    )
    for name in plain:
        value = getattr(data, name)
        if value is not strawberry.UNSET and (value is not None or name == "platform_exemption_reason"):
            values[name] = value
    for name, domain in (
        ("kind", ProjectKind),
        ("category", ProjectCategory),
        ("funding_source", FundingSource),
    ):
        value = getattr(data, name)
        if value not in (strawberry.UNSET, None):
            values[name] = to_domain(domain, value)
    if data.contact not in (strawberry.UNSET, None):
        values |= {
            "contact_name": data.contact.name,
            "contact_phone": data.contact.phone,
            "contact_email": data.contact.email,
        }
    participants = (
        None if data.participants in (strawberry.UNSET, None) else _participants(ctx, data.participants)
    )
    catalogue = None if data.catalogue in (strawberry.UNSET, None) else _catalogue(data.catalogue)
    return use_cases.ProjectChanges(values=values, participants=participants, catalogue=catalogue)


@strawberry.type
class ProjectMutations:
    @strawberry.mutation(
        description="新建项目草稿（项目单位） — a unit drafts a project it leads (Art. 2, 6, 8, 25).",
        extensions=[Performs(Operation.PROJECT_CREATE, on="ProjectDraft")],
    )
    async def project_create(self, info: Ctx, input: ProjectCreateInput) -> ProjectPayload:
        ctx = info.context
        contact = input.contact or ContactInput(name="")
        draft = DomainProject(
            name=input.name.strip(),
            kind=to_domain(ProjectKind, input.kind),
            category=to_domain(ProjectCategory, input.category),
            funding_source=to_domain(FundingSource, input.funding_source),
            total_investment=input.total_investment,
            lead_organization_id=ctx.require_actor().organization_id,
            description=input.description,
            deploys_on_government_cloud=input.deploys_on_government_cloud,
            connects_resource_platform=input.connects_resource_platform,
            platform_exemption_reason=input.platform_exemption_reason,
            contact_name=contact.name,
            contact_phone=contact.phone,
            contact_email=contact.email,
            participants=_participants(ctx, input.participants),
            catalogue=_catalogue(input.catalogue),
        )
        project = await use_cases.create_project(uow=ctx.uow(), gate=ctx.gate_in_force, project=draft)
        return ProjectPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="修改项目草稿（牵头单位） — the lead unit edits its draft.",
        extensions=[Performs(Operation.PROJECT_UPDATE, on="Project")],
    )
    async def project_update(self, info: Ctx, input: ProjectUpdateInput) -> ProjectPayload:
        ctx = info.context
        project = await use_cases.update_project(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            changes=_changes(ctx, input),
            expected_version=input.expected_version,
        )
        return ProjectPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="参建单位维护本单位的业务流、数据流和接口 — a participant states its part (R8).",
        extensions=[Performs(Operation.PROJECT_PARTICIPATION_UPDATE, on="Project")],
    )
    async def project_participation_update(
        self, info: Ctx, input: ProjectParticipationUpdateInput
    ) -> ProjectPayload:
        ctx = info.context
        project = await use_cases.update_participation(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            business_flow=input.business_flow,
            data_flow=input.data_flow,
            interfaces=input.interfaces,
            expected_version=input.expected_version,
        )
        return ProjectPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="提交入库申请（牵头单位） — submit the draft to the reserve library (R7, R8).",
        extensions=[Performs(Operation.PROJECT_SUBMIT_TO_RESERVE, on="Project")],
    )
    async def project_submit_to_reserve(
        self, info: Ctx, input: ProjectSubmitToReserveInput
    ) -> ProjectPayload:
        ctx = info.context
        project = await use_cases.submit_to_reserve(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            expected_version=input.expected_version,
        )
        return ProjectPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="入库审核（市大数据管理局） — record the five Art. 7 checks; accept or return (R7).",
        extensions=[Performs(Operation.RESERVE_REVIEW_RECORD, on="Project")],
    )
    async def reserve_review_record(self, info: Ctx, input: ReserveReviewRecordInput) -> ReserveReviewPayload:
        ctx = info.context
        project_id = ctx.pk(input.project_id, "Project")
        results = [
            CheckResult(check=to_domain(ReserveCheck, c.check), passed=c.passed, note=c.note)
            for c in input.checks
        ]
        project, review = await use_cases.review_for_reserve(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=project_id,
            results=results,
            comment=input.comment,
            expected_version=input.expected_version,
        )
        return ReserveReviewPayload(
            project=Project.from_domain(project), review=ReserveReview.from_domain(review), user_errors=[]
        )
