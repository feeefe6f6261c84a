"""Supervision (Art. 23–24): inspections within each agency's field, rectification reports, bdb's sanctions
(plan deferral, suspension, resumption, termination) and requests for information."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.approvals.resolvers import AttachmentInput, _uploads
from api.graphql.authz import Performs
from api.graphql.common import (
    USER_ERRORS_SHORT,
    Node,
    Payload,
    expected_version_field,
    project_id_argument,
    project_id_field,
    to_global_id,
)
from api.graphql.enums import _mirror, to_domain, to_gql
from api.graphql.organizations import Organization
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from authz.operations import Operation
from authz.scopes import project_facts
from domain import supervision as rules
from domain.services import supervision as use_cases
from store import approval_tables
from store import supervision_tables as s

Ctx = Info[Context, None]

SubjectEnum = _mirror(
    "SupervisionSubject",
    "监督事项 — a subject of supervision (Art. 23).",
    rules.Subject,
    {
        rules.Subject.DATA_SHARING: "政务信息共享 — data sharing",
        rules.Subject.PROCUREMENT: "招标采购 — procurement",
        rules.Subject.FUND_USE: "资金使用 — use of funds",
        rules.Subject.CRYPTOGRAPHY: "密码应用 — cryptography application",
        rules.Subject.NETWORK_SECURITY: "网络安全 — network security",
        rules.Subject.MLPS: "网络安全等级保护 — multi-level protection scheme (psb)",
    },
)
InspectionStatusEnum = _mirror(
    "InspectionStatus",
    "监督检查状态：进行中、已办结、已责令整改或已整改 — the state of an inspection: OPEN, CLOSED, RECTIFICATION_ORDERED or RECTIFIED.",
    rules.InspectionStatus,
    {
        rules.InspectionStatus.OPEN: "检查中 — open",
        rules.InspectionStatus.CLOSED: "已办结，无需整改 — concluded without rectification",
        rules.InspectionStatus.RECTIFICATION_ORDERED: "已责令限期整改 — rectification ordered",
        rules.InspectionStatus.RECTIFIED: "整改已通过 — rectified",
    },
)
ReportStatusEnum = _mirror(
    "RectificationReportStatus",
    "整改报告状态 — state of a rectification report.",
    rules.ReportStatus,
    {
        rules.ReportStatus.PENDING: "待审核 — waiting for review",
        rules.ReportStatus.ACCEPTED: "已通过 — accepted",
        rules.ReportStatus.REJECTED: "未通过 — rejected with reasons",
    },
)


@strawberry.type(description="整改报告附件 — a file attached to a rectification report.")
class ReportAttachment:
    label: str = strawberry.field(
        description="附件说明，如「整改照片」 — what the file is, as the uploader labelled it."
    )
    filename: str = strawberry.field(
        description="上传时的原文件名（仅供显示） — the file name as uploaded; for display only."
    )
    content_type: str = strawberry.field(
        description="类型（按内容识别） — MIME type detected from the content."
    )
    size: int = strawberry.field(
        description="文件大小（字节，上限见 YK_MAX_UPLOAD_MB） — the size in bytes; at most YK_MAX_UPLOAD_MB (50 MB by default)."
    )
    sha256: str = strawberry.field(
        description="内容的 SHA-256（64 位十六进制），用于核对下载 — the SHA-256 of the content as 64 hex digits, to check a download."
    )
    download_url: str = strawberry.field(
        description="下载地址（同一令牌） — path to download with the same token."
    )


@strawberry.type(description="整改报告 — the unit's answer to a rectification order (Art. 23).")
class RectificationReport(Node):
    content: str = strawberry.field(
        description="单位报告的整改情况（自由文本） — what the unit rectified, in its words."
    )
    status: ReportStatusEnum = strawberry.field(
        description="审核状态：待审核、已通过或已驳回 — PENDING, ACCEPTED or REJECTED by the inspecting agency."
    )
    submitted_at: datetime = strawberry.field(
        description="报送时间（UTC） — when the unit submitted the report (UTC)."
    )
    review_reasons: str | None = strawberry.field(
        description="驳回理由；通过或待审核时为空列表 — why the report was rejected; empty unless rejected."
    )
    reviewed_at: datetime | None = strawberry.field(
        description="审核时间（UTC）；待审核为空 — when it was reviewed (UTC); null while pending."
    )
    attachments: list[ReportAttachment] = strawberry.field(
        description="随报告上传的证明材料 — the supporting documents uploaded with the report."
    )

    @classmethod
    def from_domain(cls, r: rules.RectificationReport, files: list[Any]) -> RectificationReport:
        assert r.id is not None
        return cls(
            id=to_global_id("RectificationReport", r.id),
            content=r.content,
            status=to_gql(ReportStatusEnum, r.status),
            submitted_at=r.submitted_at,
            review_reasons=r.review_reasons,
            reviewed_at=r.reviewed_at,
            attachments=[
                ReportAttachment(
                    label=f.label,
                    filename=f.filename,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                    download_url=f"/rectification-attachments/{to_global_id('Attachment', f.id)}",
                )
                for f in files
            ],
        )


@strawberry.type(description="监督检查 — an inspection of a project by an agency within its field (Art. 23).")
class Inspection(Node):
    agency_organization_id: strawberry.Private[int]
    subject: SubjectEnum = strawberry.field(
        description="监督检查的事项，如资金使用、建设进度 — what is inspected, e.g. the use of funds or construction progress."
    )
    status: InspectionStatusEnum = strawberry.field(
        description="检查状态：进行中、已办结、已责令整改或已整改 — OPEN, CLOSED, RECTIFICATION_ORDERED or RECTIFIED."
    )
    note: str = strawberry.field(description="检查范围说明（自由文本） — the inspection's scope, free text.")
    findings: str | None = strawberry.field(
        description="办结时的检查发现；未办结为空 — the findings recorded when it was concluded; null while open."
    )
    rectification_deadline: date | None = strawberry.field(
        description="整改期限（北京时间当日内有效） — rectification deadline (the whole China-time day)."
    )
    opened_at: datetime = strawberry.field(
        description="发起时间（UTC） — when the inspection was opened (UTC)."
    )
    concluded_at: datetime | None = strawberry.field(
        description="办结时间（UTC）；未办结为空 — when it was concluded (UTC); null while open."
    )
    reports: list[RectificationReport] = strawberry.field(
        description="单位报送的整改报告，最早的在前 — the unit's rectification reports, oldest first."
    )

    @strawberry.field(description="发起检查的监督部门 — the supervising agency that opened the inspection.")
    async def agency(self, info: Ctx) -> Organization:
        return Organization.from_row(
            await info.context.loaders["organization"].load(self.agency_organization_id)
        )


@strawberry.type(
    description="资料和情况问询 — a request for information to the unit, and its answer (Art. 24)."
)
class InfoRequest(Node):
    question: str = strawberry.field(
        description="监督部门提出的问题（自由文本） — the question the agency asks, free text."
    )
    asked_at: datetime = strawberry.field(description="问询时间（UTC） — when the question was sent (UTC).")
    requester_role: str = strawberry.field(
        description="提出问询的部门的角色，如 audit — the asking agency's role, e.g. `audit`."
    )
    answer: str | None = strawberry.field(
        description="单位的答复；未答复为空 — the unit's answer; null until answered."
    )
    answered_at: datetime | None = strawberry.field(
        description="答复时间（UTC）；未答复为空 — when the unit answered (UTC); null until then."
    )

    @classmethod
    def from_domain(cls, r: rules.InfoRequest) -> InfoRequest:
        assert r.id is not None
        return cls(
            id=to_global_id("InfoRequest", r.id),
            question=r.question,
            asked_at=r.asked_at,
            requester_role=r.requester_role,
            answer=r.answer,
            answered_at=r.answered_at,
        )


def _inspection(i: rules.Inspection, reports: list[RectificationReport]) -> Inspection:
    assert i.id is not None
    return Inspection(
        id=to_global_id("Inspection", i.id),
        agency_organization_id=i.agency_organization_id,
        subject=to_gql(SubjectEnum, i.subject),
        status=to_gql(InspectionStatusEnum, i.status),
        note=i.note,
        findings=i.findings,
        rectification_deadline=i.rectification_deadline,
        opened_at=i.opened_at,
        concluded_at=i.concluded_at,
        reports=reports,
    )


async def _load_inspections(ctx: Context, where: Any) -> list[Inspection]:
    a = approval_tables.attachments
    async with ctx.read_session_factory() as session:
        found = list(
            (
                await session.execute(select(rules.Inspection).where(where).order_by(s.inspections.c.id))
            ).scalars()
        )
        ids = [i.id for i in found]
        reports = list(
            (
                await session.execute(
                    select(rules.RectificationReport)
                    .where(s.rectification_reports.c.inspection_id.in_(ids))
                    .order_by(s.rectification_reports.c.id)
                )
            ).scalars()
        )
        files = (
            await session.execute(
                select(a)
                .where(a.c.owner_type == "RectificationReport", a.c.owner_id.in_([r.id for r in reports]))
                .order_by(a.c.id)
            )
        ).all()
    return [
        _inspection(
            i,
            [
                RectificationReport.from_domain(r, [f for f in files if f.owner_id == r.id])
                for r in reports
                if r.inspection_id == i.id
            ],
        )
        for i in found
    ]


@strawberry.type
class SupervisionQueries:
    @strawberry.field(
        description="项目的监督检查和整改 — a project's inspections with their rectification reports."
    )
    async def inspections(
        self,
        info: Ctx,
        project_id: Annotated[
            strawberry.ID,
            project_id_argument(),
        ],
    ) -> list[Inspection]:
        ctx = info.context
        project = await load_readable_project(ctx, pk=ctx.pk(project_id, "Project"))
        if not ctx.authorizer.allowed(
            ctx.require_actor(), Operation.INSPECTION_READ, project_facts(ctx.require_actor(), project)
        ):
            return []
        return await _load_inspections(ctx, s.inspections.c.project_id == project.id)

    @strawberry.field(
        description="项目的资料和情况问询 — requests for information about a project (Art. 24)."
    )
    async def info_requests(
        self,
        info: Ctx,
        project_id: Annotated[
            strawberry.ID,
            project_id_argument(),
        ],
    ) -> list[InfoRequest]:
        ctx = info.context
        project = await load_readable_project(ctx, pk=ctx.pk(project_id, "Project"))
        if not ctx.authorizer.allowed(
            ctx.require_actor(), Operation.INSPECTION_READ, project_facts(ctx.require_actor(), project)
        ):
            return []
        async with ctx.read_session_factory() as session:
            found = (
                await session.execute(
                    select(rules.InfoRequest)
                    .where(s.info_requests.c.project_id == project.id)
                    .order_by(s.info_requests.c.id)
                )
            ).scalars()
            return [InfoRequest.from_domain(r) for r in found]


@strawberry.input(
    description="发起监督检查（监督部门）：针对一个项目的某一事项 — open an inspection (supervising agencies) of one project on one subject."
)
class InspectionOpenInput:
    project_id: strawberry.ID = project_id_field()
    subject: SubjectEnum = strawberry.field(
        description="监督事项（须属本部门职责） — subject, within the agency's field."
    )
    note: str = strawberry.field(
        default="",
        description="检查范围说明（自由文本，可为空） — the inspection's scope, free text; may be empty.",
    )


@strawberry.input(description="记录检查发现 — record the findings; a deadline orders rectification.")
class InspectionConcludeInput:
    inspection_id: strawberry.ID = strawberry.field(
        description="要办结的检查的全局标识（Inspection.id） — the global id of the inspection to conclude."
    )
    findings: str = strawberry.field(
        description="检查发现（必填，自由文本） — what the inspection found, free text; required."
    )
    rectification_deadline: date | None = strawberry.field(
        default=None, description="整改期限（不填则无需整改） — deadline; none means no rectification."
    )


@strawberry.input(
    description="报送整改报告（建设单位）：责令整改的检查须报送 — report the rectification (the unit) for an inspection that ordered one."
)
class RectificationReportSubmitInput:
    inspection_id: strawberry.ID = strawberry.field(
        description="责令整改的检查的全局标识（Inspection.id） — the global id of the inspection that ordered the rectification."
    )
    content: str = strawberry.field(
        description="整改情况（必填，自由文本） — what was rectified, free text; required."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None,
        description="证明材料（multipart 上传，可不传） — supporting documents (multipart upload); omit for none.",
    )


@strawberry.input(description="审核整改报告 — accept a rectification report or reject it with reasons.")
class RectificationReportReviewInput:
    report_id: strawberry.ID = strawberry.field(
        description="待审核的整改报告的全局标识（RectificationReport.id） — the global id of the report to review."
    )
    accept: bool = strawberry.field(
        description="true 通过（检查变为已整改），false 驳回（单位须重新报送） — true accepts (the inspection is RECTIFIED); false rejects and the unit reports again."
    )
    reasons: str = strawberry.field(
        default="",
        description="驳回理由，驳回时至少一条 — why the report is rejected; at least one when rejecting.",
    )


@strawberry.input(description="对项目采取措施 — a sanction on a project (bdb, Art. 23).")
class ProjectSanctionInput:
    project_id: strawberry.ID = project_id_field()
    expected_version: int | None = expected_version_field()


@strawberry.input(description="暂缓或恢复安排投资计划 — defer the plan arrangement, or lift the deferral.")
class ProjectPlanDeferInput:
    project_id: strawberry.ID = project_id_field()
    defer: bool = strawberry.field(description="暂缓（true）或恢复（false） — defer (true) or lift (false).")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="要求提供资料和情况 — ask the unit for information (Art. 24).")
class InfoRequestSendInput:
    project_id: strawberry.ID = project_id_field()
    question: str = strawberry.field(
        description="向建设单位提出的问题（必填，自由文本） — the question to the unit, free text; required."
    )


@strawberry.input(description="答复问询 — answer a request for information.")
class InfoRequestAnswerInput:
    request_id: strawberry.ID = strawberry.field(
        description="要答复的问询的全局标识（InfoRequest.id） — the global id of the question to answer."
    )
    answer: str = strawberry.field(
        description="单位的答复（必填，自由文本） — the unit's answer, free text; required."
    )


@strawberry.type(description="检查变更结果 — result of an inspection mutation.")
class InspectionPayload(Payload, errors=USER_ERRORS_SHORT):
    inspection: Inspection | None = strawberry.field(
        description="处理后的监督检查；被拒绝时为空 — the inspection after the mutation; null when refused."
    )


@strawberry.type(description="整改报告变更结果 — result of a rectification report mutation.")
class RectificationReportPayload(Payload, errors=USER_ERRORS_SHORT):
    report: RectificationReport | None = strawberry.field(
        description="处理后的整改报告；被拒绝时为空 — the rectification report after the mutation; null when refused."
    )


@strawberry.type(
    description="监管措施结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of a sanction (Art. 23): the object after it on success; when refused, only userErrors, and nothing was changed."
)
class ProjectSanctionPayload(Payload, errors=USER_ERRORS_SHORT):
    project: Project | None = strawberry.field(
        description="采取监管措施后的项目；被拒绝时为空 — the project after the sanction (suspended, resumed, terminated or its plan deferred); null when refused."
    )


@strawberry.type(description="问询变更结果 — result of an information-request mutation.")
class InfoRequestPayload(Payload, errors=USER_ERRORS_SHORT):
    request: InfoRequest | None = strawberry.field(
        description="处理后的问询；被拒绝时为空 — the question after the mutation (sent or answered); null when refused."
    )


async def _one_inspection(ctx: Context, pk: int | None) -> Inspection:
    return (await _load_inspections(ctx, s.inspections.c.id == pk))[0]


async def _one_report(ctx: Context, inspection_id: int, report_id: int | None) -> RectificationReport:
    inspection = await _one_inspection(ctx, inspection_id)
    return next(r for r in inspection.reports if r.id == to_global_id("RectificationReport", report_id or 0))


@strawberry.type
class SupervisionMutations:
    @strawberry.mutation(
        description="发起监督检查（按职责分工） — open an inspection within the agency's field (R23.1).",
        extensions=[Performs(Operation.INSPECTION_OPEN, on="Project")],
    )
    async def inspection_open(self, info: Ctx, input: InspectionOpenInput) -> InspectionPayload:
        ctx = info.context
        done = await use_cases.open_inspection(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            subject=to_domain(rules.Subject, input.subject),
            note=input.note,
        )
        return InspectionPayload(inspection=await _one_inspection(ctx, done.id), user_errors=[])

    @strawberry.mutation(
        description="记录检查发现，可责令限期整改 — record findings; may order rectification (R23.1).",
        extensions=[Performs(Operation.INSPECTION_CONCLUDE, on="Inspection")],
    )
    async def inspection_conclude(self, info: Ctx, input: InspectionConcludeInput) -> InspectionPayload:
        ctx = info.context
        inspection_id = ctx.pk(input.inspection_id, "Inspection")
        await use_cases.conclude_inspection(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            inspection_id=inspection_id,
            findings=input.findings,
            deadline=input.rectification_deadline,
        )
        return InspectionPayload(inspection=await _one_inspection(ctx, inspection_id), user_errors=[])

    @strawberry.mutation(
        description="报送整改报告（项目暂停期间亦可） — report the rectification; allowed while "
        "suspended (R23).",
        extensions=[Performs(Operation.RECTIFICATION_REPORT_SUBMIT, on="Inspection")],
    )
    async def rectification_report_submit(
        self, info: Ctx, input: RectificationReportSubmitInput
    ) -> RectificationReportPayload:
        ctx = info.context
        inspection_id = ctx.pk(input.inspection_id, "Inspection")
        report = await use_cases.submit_rectification(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            inspection_id=inspection_id,
            content=input.content,
            attachments=await _uploads(ctx, input.attachments),
        )
        return RectificationReportPayload(
            report=await _one_report(ctx, inspection_id, report.id), user_errors=[]
        )

    @strawberry.mutation(
        description="审核整改报告（责令整改的部门） — the ordering agency accepts or rejects (R23).",
        extensions=[Performs(Operation.RECTIFICATION_REPORT_REVIEW, on="RectificationReport")],
    )
    async def rectification_report_review(
        self, info: Ctx, input: RectificationReportReviewInput
    ) -> RectificationReportPayload:
        ctx = info.context
        report_id = ctx.pk(input.report_id, "RectificationReport")
        report = await use_cases.review_rectification(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            report_id=report_id,
            accept=input.accept,
            reasons=input.reasons,
        )
        return RectificationReportPayload(
            report=await _one_report(ctx, report.inspection_id, report_id), user_errors=[]
        )

    @strawberry.mutation(
        description="暂缓或恢复安排投资计划（市大数据管理局） — defer the plan arrangement or lift it "
        "(R23.2).",
        extensions=[Performs(Operation.PROJECT_PLAN_DEFER, on="Project")],
    )
    async def project_plan_defer(self, info: Ctx, input: ProjectPlanDeferInput) -> ProjectSanctionPayload:
        ctx = info.context
        project = await use_cases.defer_plan(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            defer=input.defer,
            expected_version=input.expected_version,
        )
        return ProjectSanctionPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="暂停项目建设（市大数据管理局） — suspend construction (R23.2).",
        extensions=[Performs(Operation.PROJECT_SUSPEND, on="Project")],
    )
    async def project_suspend(self, info: Ctx, input: ProjectSanctionInput) -> ProjectSanctionPayload:
        return await _sanction(info.context, use_cases.suspend, input)

    @strawberry.mutation(
        description="恢复项目建设（市大数据管理局） — resume construction in the state it left (R23.2).",
        extensions=[Performs(Operation.PROJECT_RESUME, on="Project")],
    )
    async def project_resume(self, info: Ctx, input: ProjectSanctionInput) -> ProjectSanctionPayload:
        return await _sanction(info.context, use_cases.resume, input)

    @strawberry.mutation(
        description="终止项目（市大数据管理局，不可恢复） — terminate the project; final (R23.2).",
        extensions=[Performs(Operation.PROJECT_TERMINATE, on="Project")],
    )
    async def project_terminate(self, info: Ctx, input: ProjectSanctionInput) -> ProjectSanctionPayload:
        return await _sanction(info.context, use_cases.terminate, input)

    @strawberry.mutation(
        description="要求项目单位提供资料和情况 — ask the unit for information (R24).",
        extensions=[Performs(Operation.INFO_REQUEST_SEND, on="Project")],
    )
    async def info_request_send(self, info: Ctx, input: InfoRequestSendInput) -> InfoRequestPayload:
        ctx = info.context
        request = await use_cases.ask(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            question=input.question,
        )
        return InfoRequestPayload(request=InfoRequest.from_domain(request), user_errors=[])

    @strawberry.mutation(
        description="答复资料和情况问询（项目单位） — the unit answers (R24).",
        extensions=[Performs(Operation.INFO_REQUEST_ANSWER, on="InfoRequest")],
    )
    async def info_request_answer(self, info: Ctx, input: InfoRequestAnswerInput) -> InfoRequestPayload:
        ctx = info.context
        request = await use_cases.answer(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            request_id=ctx.pk(input.request_id, "InfoRequest"),
            text=input.answer,
        )
        return InfoRequestPayload(request=InfoRequest.from_domain(request), user_errors=[])


async def _sanction(ctx: Context, sanction: Any, input: ProjectSanctionInput) -> ProjectSanctionPayload:
    """Suspend, resume or terminate: the same input, the same payload."""
    project = await sanction(
        uow=ctx.uow(),
        gate=ctx.gate_in_force,
        project_id=ctx.pk(input.project_id, "Project"),
        expected_version=input.expected_version,
    )
    return ProjectSanctionPayload(project=Project.from_domain(project), user_errors=[])
