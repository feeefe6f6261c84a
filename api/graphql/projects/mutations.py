"""Mutations of the first lifecycle slice: draft, edit, participation, submit, reserve review (Art. 6–8)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import CNY, USER_ERRORS_SHORT, Payload, expected_version_field, project_id_field
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


@strawberry.input(
    description="建设单位联系人，供主管部门联系 — the unit's contact person the reviewing agencies call; readable only with project:contact:read."
)
class ContactInput:
    name: str = strawberry.field(description="联系人姓名（必填） — the contact person's full name; required.")
    phone: str = strawberry.field(
        default="",
        description="联系电话，如 0417-2800001；可为空 — phone number, e.g. `0417-2800001`; may be empty.",
    )
    email: str = strawberry.field(
        default="",
        description="电子邮箱，如 chen@yk.gov.cn；可为空 — e-mail address, e.g. `chen@yk.gov.cn`; may be empty.",
    )


@strawberry.input(description="参建单位 — a participating unit and its part (Art. 8).")
class ParticipantInput:
    organization_id: strawberry.ID = strawberry.field(
        description="参建单位的全局标识（Organization.id，须为建设单位类型，不能是牵头单位自己） — the participating organization's global id (`Organization.id`): a unit other than the lead."
    )
    business_flow: str = strawberry.field(
        default="",
        description="该单位在项目中的业务流程（自由文本；提交入库前须填写，R8） — the business flow this unit takes part in, free text; required before submission to the reserve (R8).",
    )
    data_flow: str = strawberry.field(
        default="",
        description="该单位提供或使用的数据（自由文本；提交入库前须填写，R8） — the data this unit supplies or uses, free text; required before submission (R8).",
    )
    interfaces: str = strawberry.field(
        default="",
        description="该单位系统与本项目的接口（自由文本；提交入库前须填写，R8） — the interfaces between this unit's systems and the project, free text; required before submission (R8).",
    )


@strawberry.input(description="数据目录条目 — a data catalogue item (Art. 8).")
class CatalogueItemInput:
    code: str = strawberry.field(
        description="数据资源目录编码，如 JY-001 — the data resource's code in the catalogue, e.g. `JY-001`."
    )
    name: str = strawberry.field(
        description="数据资源名称，如「学籍信息」 — the data resource's name, e.g. `学籍信息`."
    )
    new_construction: bool = strawberry.field(
        default=True,
        description="该数据是否由本项目新建（默认是）；否则为复用已有数据 — whether the project builds this data (default true); false: it reuses existing data.",
    )


@strawberry.input(description="新建项目草稿 — a new project draft, led by the viewer's unit.")
class ProjectCreateInput:
    name: str = strawberry.field(
        description="项目名称（1–200 字） — the project's name, 1–200 characters, e.g. `营口市智慧教育云平台（二期）`."
    )
    kind: ProjectKindEnum = strawberry.field(
        description="项目类型：新建、运维、升级改造或迁移上云 — new build, operation and maintenance, upgrade or migration (Art. 2, 6)."
    )
    category: ProjectCategoryEnum = strawberry.field(
        description="项目类别：第二条所列六类之一（R2） — which of the six Art. 2 kinds of government IT project this is (R2)."
    )
    funding_source: FundingSourceEnum = strawberry.field(
        description="资金来源：FISCAL 市本级财政（R2）或 PPP（R25） — FISCAL (municipal fiscal money, R2) or PPP (government-led with social capital, R25)."
    )
    total_investment: CNY = strawberry.field(
        description='总投资（元，两位小数，> 0），如 "12800000.00"；决定审批路径（≤ 200 万元可免可研，R11.3） — total investment in CNY, a positive decimal string with two places, e.g. "12800000.00"; decides the approval path (≤ 2,000,000.00 may skip feasibility, R11.3).'
    )
    description: str = strawberry.field(
        default="",
        description="建设内容说明：建设什么、为谁建（自由文本，可为空） — what the project builds and for whom, free text; may be empty.",
    )
    deploys_on_government_cloud: bool = strawberry.field(
        default=True,
        description="是否依托政务云部署（默认是，R6）；为 false 时须填豁免理由 — whether it deploys on the government cloud (default true, R6); false needs platformExemptionReason.",
    )
    connects_resource_platform: bool = strawberry.field(
        default=True, description="接入资源库平台 — connects to the platform (R6)."
    )
    platform_exemption_reason: str | None = strawberry.field(
        default=None,
        description="不上政务云或不接入资源平台的理由（R6）；两者都为 true 时不填 — why the project stays off the government cloud or the resource platform (R6); omit when both are true.",
    )
    contact: ContactInput | None = strawberry.field(
        default=None,
        description="建设单位联系人；可稍后在草稿中补充 — the unit's contact person; may be added later while a draft.",
    )
    participants: list[ParticipantInput] = strawberry.field(
        default_factory=list,
        description="跨部门项目的参建单位及各自部分（第八条）；可为空 — the participating units of a cross-department project and their parts (Art. 8); empty for a single-unit project.",
    )
    catalogue: list[CatalogueItemInput] = strawberry.field(
        default_factory=list,
        description="初步数据资源目录（第八条）；提交入库前须至少一项 — the initial data resource catalogue (Art. 8); at least one entry is needed before submission.",
    )


@strawberry.input(description="修改项目草稿 — edit a draft; omitted fields stay as they are.")
class ProjectUpdateInput:
    project_id: strawberry.ID = project_id_field()
    expected_version: int | None = expected_version_field()
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的项目名称（1–200 字）；不填不变 — the new name, 1–200 characters; omitted: unchanged.",
    )
    kind: ProjectKindEnum | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的项目类型；不填不变 — the new kind (build, O&M, upgrade, migration); omitted: unchanged.",
    )
    category: ProjectCategoryEnum | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的项目类别（第二条）；不填不变 — the new Art. 2 category; omitted: unchanged.",
    )
    funding_source: FundingSourceEnum | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的资金来源（财政或 PPP）；不填不变 — the new funding source (FISCAL or PPP); omitted: unchanged.",
    )
    total_investment: CNY | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的总投资（元，两位小数，> 0）；不填不变 — the new total investment in CNY, a positive decimal string with two places; omitted: unchanged.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的建设内容说明；不填不变，空字符串清空 — the new description of the scope; omitted: unchanged, empty string: cleared.",
    )
    deploys_on_government_cloud: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="是否依托政务云部署（R6）；为 false 时须填豁免理由；不填不变 — whether it deploys on the government cloud (R6); false needs platformExemptionReason; omitted: unchanged.",
    )
    connects_resource_platform: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="是否接入政务信息资源共享平台（R6）；为 false 时须填豁免理由；不填不变 — whether it connects to the resource-sharing platform (R6); false needs platformExemptionReason; omitted: unchanged.",
    )
    platform_exemption_reason: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="不上政务云或不接入平台的理由（R6）；不填不变 — why the project stays off the government cloud or the platform (R6); omitted: unchanged.",
    )
    contact: ContactInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="新的联系人，整体替换；不填不变 — the new contact person, replacing the old one; omitted: unchanged.",
    )
    participants: list[ParticipantInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="参建单位列表，整体替换（第八条）；不填不变 — the participating units, replacing the whole list (Art. 8); omitted: unchanged.",
    )
    catalogue: list[CatalogueItemInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="初步数据目录，整体替换；不填不变 — the initial data catalogue, replacing the whole list; omitted: unchanged.",
    )


@strawberry.input(description="参建单位维护本单位部分 — a participant states its own part (Art. 8).")
class ProjectParticipationUpdateInput:
    project_id: strawberry.ID = project_id_field()
    expected_version: int | None = expected_version_field()
    business_flow: str = strawberry.field(
        description="本单位在项目中的业务流程（自由文本，R8） — the business flow your unit takes part in, free text (R8)."
    )
    data_flow: str = strawberry.field(
        description="本单位提供或使用的数据（自由文本，R8） — the data your unit supplies or uses, free text (R8)."
    )
    interfaces: str = strawberry.field(
        description="本单位系统与项目的接口（自由文本，R8） — the interfaces between your systems and the project (R8)."
    )


@strawberry.input(description="提交入库 — submit a draft to the reserve library (Art. 7).")
class ProjectSubmitToReserveInput:
    project_id: strawberry.ID = project_id_field()
    expected_version: int | None = expected_version_field()


@strawberry.input(
    description="一项第七条审核的结果：哪一项、是否通过、审核意见 — the result of one Art. 7 check: which, whether it passed, and the reviewer's note."
)
class ReserveCheckInput:
    check: ReserveCheckEnum = strawberry.field(
        description="第七条的哪一项审核（五项各一次） — which Art. 7 check this is; each of the five exactly once."
    )
    passed: bool = strawberry.field(
        description="该项是否通过；任一项不通过则退回草稿 — whether the check passed; one failed check returns the project to DRAFT."
    )
    note: str = strawberry.field(description="审核意见（必填） — the reviewer's note (required).")


@strawberry.input(description="入库审核 — record the five Article 7 checks (R7).")
class ReserveReviewRecordInput:
    project_id: strawberry.ID = project_id_field()
    checks: list[ReserveCheckInput] = strawberry.field(
        description="五项审核 — all five checks, each with a note."
    )
    comment: str = strawberry.field(
        default="",
        description="总体审核意见（可为空），退回时随项目返回单位 — the overall comment, may be empty; sent back to the unit with a returned project.",
    )
    expected_version: int | None = expected_version_field()


@strawberry.type(
    description="项目变更结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of a project mutation: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class ProjectPayload(Payload, errors=USER_ERRORS_SHORT):
    project: Project | None = strawberry.field(
        description="修改后的项目（版本加一）；被拒绝时为空 — the project after the change, its version incremented; null when refused."
    )


@strawberry.type(
    description="入库审核结果：审核后的项目和本次审核；被拒绝时只有 userErrors — the answer of reserveReviewRecord: the project and the review recorded; only userErrors when refused."
)
class ReserveReviewPayload(Payload, errors=USER_ERRORS_SHORT):
    project: Project | None = strawberry.field(
        description="审核后的项目：通过则 IN_RESERVE，退回则 DRAFT；被拒绝时为空 — the project after the review: IN_RESERVE when accepted, DRAFT when returned; null when refused."
    )
    review: ReserveReview | None = strawberry.field(
        description="本次登记的审核（结论、五项结果、意见）；被拒绝时为空 — the review just recorded (outcome, the five results, comment); null when refused."
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
        description="修改项目草稿（牵头单位）：只改给出的字段，版本加一 — the lead unit edits its draft: only the fields given change, and the version increments.",
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
