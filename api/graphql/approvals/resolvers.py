"""Approval documents (Art. 11–13): the R11 path, submission with the R12 parts, evaluation, crypto review,
approval or return — and attachments uploaded with the GraphQL multipart request spec."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api.context import Context
from api.errors import not_found
from api.graphql.approvals.types import (
    ApprovalDocument,
    readable_documents,
)
from api.graphql.authz import Performs
from api.graphql.common import (
    CNY,
    USER_ERRORS_SHORT,
    Payload,
    expected_version_field,
    late_entry_reason_field,
    project_id_field,
    to_global_id,
)
from api.graphql.enums import (
    DocumentStatusEnum,
    DocumentTypeEnum,
    EvaluationConclusionEnum,
    SelectionMethodEnum,
    to_domain,
)
from api.graphql.pagination import After, Connection, Edge, First, PageRequest, counter, keyset_page
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from api.uploads import check_file
from authz.operations import Operation
from authz.sql import document_filter
from domain import approval_path as path
from domain.approval_documents import ApprovalDocument as DomainDocument
from domain.approval_documents import DocumentStatus, EvaluationConclusion, SelectionMethod
from domain.errors import DomainError, Violation
from domain.services import approvals as use_cases
from store import approval_tables, tables
from store.files import Upload as CheckedUpload

Ctx = Info[Context, None]


@strawberry.input(description="附件 — a file to attach (multipart request).")
class AttachmentInput:
    file: Upload = strawberry.field(description="文件 — the file (PDF, OFD, Word, Excel, image or ZIP).")
    label: str = strawberry.field(
        default="",
        description="附件说明，如「可行性研究报告」 — what the file is, e.g. `可行性研究报告`; shown with the attachment.",
    )


async def _uploads(ctx: Context, items: list[AttachmentInput] | None) -> list[CheckedUpload]:
    """Read and check every upload before anything is written; all problems are reported together."""
    accepted, problems = [], []
    limit = ctx.settings.max_upload_bytes
    for index, item in enumerate(items or []):
        # checked where Starlette spooled it, a chunk at a time, never read into memory whole
        checked = await check_file(item.file, max_bytes=limit, index=index, label=item.label)
        (problems if isinstance(checked, Violation) else accepted).append(checked)
    if problems:
        raise DomainError(problems)
    return accepted  # type: ignore[return-value]


@strawberry.input(description="审批路径依据 — facts that open a shorter approval path (Art. 11).")
class ProjectApprovalFactsUpdateInput:
    project_id: strawberry.ID = project_id_field()
    expected_version: int | None = expected_version_field()
    listed_plan_reference: str | None = strawberry.field(
        default=strawberry.UNSET, description="列入的市级及以上规划（名称、文号） — plan listing (R11.1)."
    )
    urgent_legal_basis: str | None = strawberry.field(
        default=strawberry.UNSET, description="紧急建设的规定依据 — legal basis for urgency (R11.2)."
    )
    technically_simple: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="技术方案是否简单；是则建议书后可免可研（R11.3） — whether the technical solution is simple; then feasibility may be skipped after the proposal (R11.3).",
    )
    single_content: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="建设内容是否单一；是则建议书后可免可研（R11.3） — whether the project has a single content; then feasibility may be skipped after the proposal (R11.3).",
    )


@strawberry.input(description="编报审批文件 — submit a proposal, feasibility study or preliminary design.")
class ApprovalDocumentSubmitInput:
    project_id: strawberry.ID = project_id_field()
    type: DocumentTypeEnum = strawberry.field(
        description="提交哪一种文件；须是审批路径的下一步（见 Project.nextApprovalStep） — which document to submit: the next step of the project's approval path (`Project.nextApprovalStep`)."
    )
    requested_investment: CNY = strawberry.field(
        description='申报投资（元，两位小数，> 0），如 "12800000.00" — the requested investment in CNY, a positive decimal string, e.g. "12800000.00".'
    )
    expected_version: int | None = expected_version_field()
    summary: str = strawberry.field(
        default="",
        description="文件概要（自由文本，可为空） — a summary of the document, free text; may be empty.",
    )
    data_catalogue: str = strawberry.field(
        default="",
        description="信息资源目录（自由文本）；可研和初设须填写（R12） — the information resource catalogue, free text; required in a feasibility study or preliminary design (R12).",
    )
    sharing_list: str = strawberry.field(
        default="",
        description="数据资源共享清单（自由文本）；可研和初设须填写（R12） — the list of data shared, free text; required in a feasibility study or preliminary design (R12).",
    )
    sharing_process: str = strawberry.field(
        default="",
        description="数据共享流程（自由文本）；可研和初设须填写（R12） — how the data is shared, free text; required in a feasibility study or preliminary design (R12).",
    )
    sharing_interfaces: str = strawberry.field(
        default="",
        description="数据共享接口（自由文本）；可研和初设须填写（R12） — the sharing interfaces, free text; required in a feasibility study or preliminary design (R12).",
    )
    sharing_frequency: str = strawberry.field(
        default="",
        description="数据共享频率，如「每日」；可研和初设须填写（R12） — how often data is shared, e.g. `每日`; required in a feasibility study or preliminary design (R12).",
    )
    purchases_services: bool = strawberry.field(
        default=False,
        description="是否采用政府购买服务方式；为 true 时须填自建与购买的经济性比较 — whether the project buys services; true requires selfBuildVsPurchase.",
    )
    self_build_vs_purchase: str = strawberry.field(
        default="",
        description="自建与购买服务的经济性比较（购买服务时必填） — the cost comparison of building versus buying the service; required when purchasesServices is true.",
    )
    product_security_statement: str = strawberry.field(
        default="",
        description="所用产品安全可靠情况的说明（R12） — a statement on the security and reliability of the products used (R12).",
    )
    security_plan: str = strawberry.field(
        default="",
        description="项目网络安全方案；可研和初设须填写（R12） — the project's network security plan; required in a feasibility study or preliminary design (R12).",
    )
    crypto_application_plan: str = strawberry.field(
        default="",
        description="密码应用方案，由密码管理部门审核（R12、R13.2） — the cryptography application plan, reviewed by the cryptography authority (R12, R13.2).",
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None,
        description="随文件上传的附件（GraphQL multipart 请求，须带 GraphQL-Preflight: 1） — files uploaded with the document (GraphQL multipart request, with the `GraphQL-Preflight: 1` header); omit for none.",
    )


@strawberry.input(description="委托第三方评估 — assign the evaluator (Art. 13).")
class ApprovalDocumentAssignEvaluatorInput:
    document_id: strawberry.ID = strawberry.field(
        description="文件的全局标识（ApprovalDocument.id） — the approval document's global id, as `ApprovalDocument.id` gives it; NOT_FOUND when you may not read it."
    )
    evaluator_organization_id: strawberry.ID = strawberry.field(
        description="受委托的第三方评估机构（Organization.id，类型须为评估机构） — the evaluator organization's global id; its type must be evaluator."
    )
    selection_method: SelectionMethodEnum = strawberry.field(
        description="选择评估机构的竞争性方式，如「竞争性磋商」（R13.1） — how the evaluator was chosen competitively, e.g. `竞争性磋商` (R13.1)."
    )
    selection_reference: str = strawberry.field(
        description="选择评估机构的依据，如采购项目编号 — what documents the competitive choice, e.g. the procurement reference."
    )


@strawberry.input(description="提交评估意见 — the assigned evaluator files its evaluation.")
class ApprovalDocumentEvaluateInput:
    document_id: strawberry.ID = strawberry.field(
        description="文件的全局标识（ApprovalDocument.id） — the approval document's global id, as `ApprovalDocument.id` gives it; NOT_FOUND when you may not read it."
    )
    conclusion: EvaluationConclusionEnum = strawberry.field(
        description="评估结论（必填，自由文本） — the evaluation's conclusion, free text; required."
    )
    opinion: str = strawberry.field(
        description="评估的书面意见：结论和建议投资的理由 — the written reasoning behind the conclusion and the "
        "recommended investment; shown to the unit and bdb."
    )
    recommended_investment: CNY = strawberry.field(
        description="建议投资（元，两位小数），供大数据局批复参考 — the investment recommended to the Big Data Bureau, in CNY."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None,
        description="评估报告等附件（multipart 上传） — the evaluation report and other files (multipart upload); omit for none.",
    )


@strawberry.input(description="密码应用方案审核 — the Cryptography Administration's review.")
class ApprovalDocumentCryptoReviewInput:
    document_id: strawberry.ID = strawberry.field(
        description="文件的全局标识（ApprovalDocument.id） — the approval document's global id, as `ApprovalDocument.id` gives it; NOT_FOUND when you may not read it."
    )
    passed: bool = strawberry.field(
        description="密码应用方案是否通过；不通过则该文件不能批复（R13.2） — whether the cryptography application plan passes; without a pass the document cannot be approved (R13.2)."
    )
    opinion: str = strawberry.field(
        description="对密码应用方案的书面意见；不通过时写明须修改之处 — written findings on the crypto plan; "
        "when it fails, what must change."
    )


@strawberry.input(
    description="批复文件（大数据局，第十三条）：须已评估且密码审核通过 — approve the document (the Big Data Bureau, Art. 13): it must be evaluated and its crypto review passed."
)
class ApprovalDocumentApproveInput:
    document_id: strawberry.ID = strawberry.field(
        description="文件的全局标识（ApprovalDocument.id） — the approval document's global id, as `ApprovalDocument.id` gives it; NOT_FOUND when you may not read it."
    )
    approval_number: str = strawberry.field(
        description="批复文号（必填），如「营数发〔2026〕12号」 — the approval's document number, required, e.g. `营数发〔2026〕12号`."
    )
    approval_date: date = strawberry.field(
        description="批复日期（YYYY-MM-DD，中国时间）；不早于文件各步骤，不晚于今天（R13.3） — the approval date, YYYY-MM-DD in China time: not before the document's recorded steps, not after today (R13.3)."
    )
    approved_investment: CNY = strawberry.field(
        description="批复投资（元，两位小数）；高于申报投资时须说明理由 — the approved investment in CNY; above the requested investment it needs overRequestReason."
    )
    over_request_reason: str | None = strawberry.field(
        default=None,
        description="批复投资高于申报投资的理由（此时必填） — why the approved investment exceeds the request; required then.",
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None,
        description="批复文件等附件（multipart 上传） — the approval letter and other files (multipart upload); omit for none.",
    )
    late_entry_reason: str | None = late_entry_reason_field()


@strawberry.input(description="退回修改 — return the document for revision.")
class ApprovalDocumentReturnInput:
    document_id: strawberry.ID = strawberry.field(
        description="文件的全局标识（ApprovalDocument.id） — the approval document's global id, as `ApprovalDocument.id` gives it; NOT_FOUND when you may not read it."
    )
    reason: str = strawberry.field(
        description="退回理由（必填），单位据此修改后重新提交 — why the document is returned, required; the unit revises and submits a new version."
    )


@strawberry.type(description="审批文件变更结果 — result of an approval-document mutation.")
class ApprovalDocumentPayload(Payload, errors=USER_ERRORS_SHORT):
    document: ApprovalDocument | None = strawberry.field(
        description="该步骤之后的审批文件（状态已更新）；被拒绝时为空 — the approval document after this step, with its new status; null when refused."
    )
    project: Project | None = strawberry.field(
        description="该步骤之后的项目（状态、版本已更新）；被拒绝时为空 — the project after this step, with its new status and version; null when refused."
    )


@strawberry.type(description="审批路径依据更新结果 — result of projectApprovalFactsUpdate.")
class ProjectApprovalFactsPayload(Payload, errors=USER_ERRORS_SHORT):
    project: Project | None = strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )


# The Art. 12 parts of a document's content, as ApprovalDocumentSubmitInput names them.
_DOCUMENT_CONTENT = (
    "summary",
    "data_catalogue",
    "sharing_list",
    "sharing_process",
    "sharing_interfaces",
    "sharing_frequency",
    "purchases_services",
    "self_build_vs_purchase",
    "product_security_statement",
    "security_plan",
    "crypto_application_plan",
)


async def _payload(ctx: Context, document: DomainDocument) -> ApprovalDocumentPayload:
    project = await load_readable_project(ctx, pk=document.project_id)
    fresh = next(d for d in project.documents if d.id == document.id)
    return ApprovalDocumentPayload(
        document=ApprovalDocument.from_domain(fresh, project),
        project=Project.from_domain(project),
        user_errors=[],
    )


@strawberry.type
class ApprovalQueries:
    @strawberry.field(description="一份审批文件 — one approval document the viewer may read.")
    async def approval_document(
        self,
        info: Ctx,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="文件的全局标识（ApprovalDocument.id）；不可见或不存在为 NOT_FOUND — the approval document's global id; NOT_FOUND when it does not exist or you may not read it."
            ),
        ],
    ) -> ApprovalDocument:
        ctx = info.context
        pk = ctx.pk(id, "ApprovalDocument")
        async with ctx.read_session_factory() as session:
            project_id = (
                await session.execute(
                    select(approval_tables.approval_documents.c.project_id).where(
                        approval_tables.approval_documents.c.id == pk
                    )
                )
            ).scalar()
        if project_id is None:
            raise not_found(ctx.lang)
        try:
            project = await load_readable_project(ctx, pk=project_id)
        except Exception:
            raise not_found(ctx.lang) from None
        for document in readable_documents(ctx, project):
            if document.model.id == pk:
                return document
        raise not_found(ctx.lang)

    @strawberry.field(
        description="审批文件列表（评估机构看到受托的文件） — approval documents the viewer may read, "
        "newest first; an evaluator sees those assigned to it."
    )
    async def approval_documents(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        status: Annotated[
            DocumentStatusEnum | None,
            strawberry.argument(
                description="只看该审批状态的文件；不填不限 — only documents in this state, e.g. SUBMITTED for a reviewer's inbox; omitted: any state."
            ),
        ] = None,
    ) -> Connection[ApprovalDocument]:
        ctx = info.context
        actor = ctx.require_actor()
        d = approval_tables.approval_documents
        stmt = select(DomainDocument).where(
            document_filter(ctx.authorizer, actor, Operation.APPROVAL_DOCUMENT_READ)
        )
        if status is not None:
            stmt = stmt.where(d.c.status == to_domain(DocumentStatus, status))
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=d.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
            leads = dict(
                (
                    await session.execute(
                        select(tables.projects.c.id, tables.projects.c.lead_organization_id).where(
                            tables.projects.c.id.in_([r[0].project_id for r in rows])
                        )
                    )
                ).all()
            )
        edges = [
            Edge(
                cursor=c,
                node=ApprovalDocument(
                    id=to_global_id("ApprovalDocument", r[0].id),
                    model=r[0],
                    lead_organization_id=leads[r[0].project_id],
                ),
            )
            for r, c in zip(rows, cursors, strict=True)
        ]
        return Connection[ApprovalDocument](
            edges=edges, page_info=page_info, count=counter(ctx.read_session_factory, stmt)
        )


@strawberry.type
class ApprovalMutations:
    @strawberry.mutation(
        description="更新审批路径依据（项目单位） — record the Art. 11 facts of the project.",
        extensions=[Performs(Operation.APPROVAL_FACTS_UPDATE, on="Project")],
    )
    async def project_approval_facts_update(
        self, info: Ctx, input: ProjectApprovalFactsUpdateInput
    ) -> ProjectApprovalFactsPayload:
        ctx = info.context
        project_id = ctx.pk(input.project_id, "Project")
        given = {
            name: getattr(input, name)
            for name in (
                "listed_plan_reference",
                "urgent_legal_basis",
                "technically_simple",
                "single_content",
            )
            if getattr(input, name) is not strawberry.UNSET
        }
        # The two texts may be cleared with null; the two flags are only ever set.
        values = {
            k: v
            for k, v in given.items()
            if v is not None or k in ("listed_plan_reference", "urgent_legal_basis")
        }
        project = await use_cases.update_approval_facts(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=project_id,
            values=values,
            expected_version=input.expected_version,
        )
        return ProjectApprovalFactsPayload(project=Project.from_domain(project), user_errors=[])

    @strawberry.mutation(
        description="编报审批文件（项目单位） — submit the next approval document (R11, R12).",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_SUBMIT, on="Project")],
    )
    async def approval_document_submit(
        self, info: Ctx, input: ApprovalDocumentSubmitInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        project_id = ctx.pk(input.project_id, "Project")
        content = {name: getattr(input, name) for name in _DOCUMENT_CONTENT}
        _, document = await use_cases.submit_document(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=project_id,
            document_type=to_domain(path.DocumentType, input.type),
            content=content,
            requested_investment=input.requested_investment,
            attachments=await _uploads(ctx, input.attachments),
            expected_version=input.expected_version,
        )
        return await _payload(ctx, document)

    @strawberry.mutation(
        description="委托第三方评估（市大数据管理局） — assign the evaluator, recording the "
        "competitive selection (R13.1).",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR, on="ApprovalDocument")],
    )
    async def approval_document_assign_evaluator(
        self, info: Ctx, input: ApprovalDocumentAssignEvaluatorInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        document_id = ctx.pk(input.document_id, "ApprovalDocument")
        document = await use_cases.assign_evaluator(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            document_id=document_id,
            evaluator_organization_id=ctx.pk(input.evaluator_organization_id, "Organization"),
            method=to_domain(SelectionMethod, input.selection_method),
            reference=input.selection_reference,
        )
        return await _payload(ctx, document)

    @strawberry.mutation(
        description="提交评估意见（受托评估机构） — the assigned evaluator files its evaluation.",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_EVALUATE, on="ApprovalDocument")],
    )
    async def approval_document_evaluate(
        self, info: Ctx, input: ApprovalDocumentEvaluateInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        document_id = ctx.pk(input.document_id, "ApprovalDocument")
        document = await use_cases.file_evaluation(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            document_id=document_id,
            conclusion=to_domain(EvaluationConclusion, input.conclusion),
            opinion=input.opinion,
            recommended_investment=input.recommended_investment,
            attachments=await _uploads(ctx, input.attachments),
        )
        return await _payload(ctx, document)

    @strawberry.mutation(
        description="审核密码应用方案（市国家密码管理局） — review the cryptography application "
        "plan (R13.2).",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_CRYPTO_REVIEW, on="ApprovalDocument")],
    )
    async def approval_document_crypto_review(
        self, info: Ctx, input: ApprovalDocumentCryptoReviewInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        document = await use_cases.record_crypto_review(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            document_id=ctx.pk(input.document_id, "ApprovalDocument"),
            passed=input.passed,
            opinion=input.opinion,
        )
        return await _payload(ctx, document)

    @strawberry.mutation(
        description="批复审批文件（市大数据管理局） — approve after evaluation and crypto review "
        "(R13); the preliminary design's approval date is the project's.",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_APPROVE, on="ApprovalDocument")],
    )
    async def approval_document_approve(
        self, info: Ctx, input: ApprovalDocumentApproveInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        document_id = ctx.pk(input.document_id, "ApprovalDocument")
        _, document = await use_cases.approve_document(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            document_id=document_id,
            number=input.approval_number,
            approval_date=input.approval_date,
            approved_investment=input.approved_investment,
            over_request_reason=input.over_request_reason,
            attachments=await _uploads(ctx, input.attachments),
            late_entry_reason=input.late_entry_reason,
        )
        return await _payload(ctx, document)

    @strawberry.mutation(
        description="退回修改（市大数据管理局） — return the document; the unit resubmits a new version.",
        extensions=[Performs(Operation.APPROVAL_DOCUMENT_RETURN, on="ApprovalDocument")],
    )
    async def approval_document_return(
        self, info: Ctx, input: ApprovalDocumentReturnInput
    ) -> ApprovalDocumentPayload:
        ctx = info.context
        document = await use_cases.return_document(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            document_id=ctx.pk(input.document_id, "ApprovalDocument"),
            reason=input.reason,
        )
        return await _payload(ctx, document)
