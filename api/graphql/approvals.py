"""Approval documents (Art. 11–13): the R11 path, submission with the R12 parts, evaluation, crypto review,
approval or return — and attachments uploaded with the GraphQL multipart request spec."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api.context import Context
from api.errors import not_found
from api.graphql.enums import (
    DocumentStatusEnum,
    DocumentTypeEnum,
    EvaluationConclusionEnum,
    SelectionMethodEnum,
    to_domain,
    to_gql,
)
from api.graphql.common import CNY, Node, UserError, from_global_id, to_global_id
from api.graphql.mutation_support import perform
from api.graphql.organizations import Organization
from api.graphql.pagination import Connection, Edge, PageRequest, counter, keyset_page
from api.graphql.projects import Project, load_readable_project
from authz.operations import Operation
from authz.sql import document_filter
from domain import approval_path as path
from domain.approval_documents import ApprovalDocument as DomainDocument
from domain.approval_documents import DocumentStatus, EvaluationConclusion, SelectionMethod
from domain.errors import DomainError, Violation
from domain.projects import Project as DomainProject
from domain.rules import article_label
from domain.services import approvals as use_cases
from store import approval_tables, tables
from store.files import Upload as CheckedUpload
from store.files import check_upload

Ctx = Info[Context, None]



@strawberry.type(description="可编报的审批文件及其依据 — an approval document the project may submit, and the rule.")
class ApprovalStep:
    document: DocumentTypeEnum = strawberry.field(description="文件类型 — document type.")
    rule: str = strawberry.field(description="规则编号 — rule id, e.g. `R11.3`.")
    article: str = strawberry.field(description="条款 — article, e.g. `第十一条`.")
    reason: str = strawberry.field(description="说明 — why this step is allowed (zh-CN or en).")

    @classmethod
    def from_step(cls, step: path.Step, lang: str) -> ApprovalStep:
        return cls(document=to_gql(DocumentTypeEnum, step.document), rule=step.rule, article=article_label(step.rule, lang) or "",
                   reason=step.en if lang == "en" else step.zh)


@strawberry.type(description="附件 — an uploaded file; download it at `downloadUrl` with the same token.")
class Attachment(Node):
    label: str = strawberry.field(description="说明 — what the file is.")
    filename: str = strawberry.field(description="文件名 — original file name.")
    content_type: str = strawberry.field(description="类型（按内容识别） — MIME type detected from the content.")
    size: int = strawberry.field(description="大小（字节） — size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 — hex digest of the content.")
    uploaded_at: datetime = strawberry.field(description="上传时间 — uploaded at.")
    download_url: str = strawberry.field(description="下载地址 — path to download, authorised like the document.")


@strawberry.type(description="第三方评估 — the evaluator's assignment and evaluation (Art. 13).")
class Evaluation:
    organization_id: strawberry.Private[int]
    selection_method: SelectionMethodEnum = strawberry.field(description="选择方式 — competitive method.")
    selection_reference: str = strawberry.field(description="选择依据 — e.g. procurement reference.")
    assigned_at: datetime = strawberry.field(description="委托时间 — assigned at.")
    conclusion: EvaluationConclusionEnum | None = strawberry.field(description="评估结论 — conclusion.")
    opinion: str | None = strawberry.field(description="评估意见 — opinion.")
    recommended_investment: CNY | None = strawberry.field(description="建议投资 — recommended investment.")
    evaluated_at: datetime | None = strawberry.field(description="评估时间 — evaluated at.")

    @strawberry.field(description="评估机构 — the evaluator organization.")
    async def organization(self, info: Ctx) -> Organization:
        return Organization.from_row(await info.context.loaders["organization"].load(self.organization_id))


@strawberry.type(description="密码应用方案审核 — the Cryptography Administration's review (Art. 13).")
class CryptoReview:
    passed: bool = strawberry.field(description="是否通过 — passed.")
    opinion: str = strawberry.field(description="审核意见 — opinion.")
    reviewed_at: datetime = strawberry.field(description="审核时间 — reviewed at.")


@strawberry.type(description="批复 — the Big Data Bureau's approval (Art. 13).")
class Approval:
    number: str = strawberry.field(description="批复文号 — approval number.")
    date: date = strawberry.field(description="批复日期 — approval date (China Standard Time).")
    approved_investment: CNY = strawberry.field(description="批复投资 — approved investment.")
    over_request_reason: str | None = strawberry.field(description="超出申报的理由 — reason for exceeding the request.")


@strawberry.type(description="审批文件内容 — the parts of the document (R12).")
class DocumentContent:
    summary: str = strawberry.field(description="概要 — summary.")
    data_catalogue: str = strawberry.field(description="信息资源目录 — resource catalogue (R12 (1)).")
    sharing_list: str = strawberry.field(description="数据资源共享清单 — data sharing list (R12 (1)).")
    sharing_process: str = strawberry.field(description="共享流程 — sharing process (R12 (1)).")
    sharing_interfaces: str = strawberry.field(description="共享接口 — sharing interfaces (R12 (1)).")
    sharing_frequency: str = strawberry.field(description="共享频率 — sharing frequency (R12 (1)).")
    purchases_services: bool = strawberry.field(description="涉及政府购买服务 — buys services (R12 (2)).")
    self_build_vs_purchase: str = strawberry.field(description="自建与购买经济性比较 — comparison (R12 (2)).")
    product_security_statement: str = strawberry.field(description="软硬件安全可靠说明 — products (R12 (3)).")
    security_plan: str = strawberry.field(description="项目安全方案 — security plan (R12 (3)).")
    crypto_application_plan: str = strawberry.field(description="密码应用方案 — cryptography plan (R12 (3)).")


@strawberry.type(description="后评价结果 — a post-evaluation result of one of the unit's projects (Art. 22).")
class PostEvaluationResult:
    project_code: str | None = strawberry.field(description="项目编号 — project code.")
    project_name: str = strawberry.field(description="项目名称 — project name.")
    score: str | None = strawberry.field(description="得分 — score.")
    grade: str | None = strawberry.field(description="等级 — grade.")
    findings: str = strawberry.field(description="主要结论 — findings.")
    completed_at: datetime | None = strawberry.field(description="完成时间 — completed at.")


@strawberry.type(description="审批文件 — a proposal, feasibility study or preliminary design (Art. 11–13).")
class ApprovalDocument(Node):
    model: strawberry.Private[DomainDocument]
    lead_organization_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, document: DomainDocument, project: DomainProject) -> ApprovalDocument:
        assert document.id is not None
        return cls(id=to_global_id("ApprovalDocument", document.id), model=document,
                   lead_organization_id=project.lead_organization_id)

    @strawberry.field(description="类型 — document type.")
    def type(self) -> DocumentTypeEnum:
        return to_gql(DocumentTypeEnum, self.model.type)

    @strawberry.field(description="版本（退回后重报递增） — version; a resubmission after a return is a new one.")
    def version(self) -> int:
        return self.model.version

    @strawberry.field(description="状态 — status.")
    def status(self) -> DocumentStatusEnum:
        return to_gql(DocumentStatusEnum, self.model.status)

    @strawberry.field(description="编报依据 — the rule that allowed this step (R11.0–R11.3).")
    def path_rule(self) -> str:
        return self.model.path_rule

    @strawberry.field(description="申报投资 — requested investment.")
    def requested_investment(self) -> CNY:
        return self.model.requested_investment

    @strawberry.field(description="提交时间 — submitted at.")
    def submitted_at(self) -> datetime:
        return self.model.submitted_at

    @strawberry.field(description="内容 — the document's parts (R12).")
    def content(self) -> DocumentContent:
        m = self.model
        return DocumentContent(
            summary=m.summary, data_catalogue=m.data_catalogue, sharing_list=m.sharing_list,
            sharing_process=m.sharing_process, sharing_interfaces=m.sharing_interfaces,
            sharing_frequency=m.sharing_frequency, purchases_services=m.purchases_services,
            self_build_vs_purchase=m.self_build_vs_purchase, product_security_statement=m.product_security_statement,
            security_plan=m.security_plan, crypto_application_plan=m.crypto_application_plan)

    @strawberry.field(description="第三方评估 — evaluation, once an evaluator is assigned.")
    def evaluation(self) -> Evaluation | None:
        m = self.model
        if m.evaluator_organization_id is None or m.evaluator_selection_method is None:
            return None
        assert m.evaluator_assigned_at is not None
        return Evaluation(organization_id=m.evaluator_organization_id,
                          selection_method=to_gql(SelectionMethodEnum, m.evaluator_selection_method),
                          selection_reference=m.evaluator_selection_reference or "", assigned_at=m.evaluator_assigned_at,
                          conclusion=to_gql(EvaluationConclusionEnum, m.evaluation_conclusion)
                          if m.evaluation_conclusion else None, opinion=m.evaluation_opinion,
                          recommended_investment=m.evaluation_recommended_investment, evaluated_at=m.evaluated_at)

    @strawberry.field(description="密码应用方案审核 — the crypto review, once recorded.")
    def crypto_review(self) -> CryptoReview | None:
        m = self.model
        if m.crypto_review_passed is None or m.crypto_reviewed_at is None:
            return None
        return CryptoReview(passed=m.crypto_review_passed, opinion=m.crypto_review_opinion or "",
                            reviewed_at=m.crypto_reviewed_at)

    @strawberry.field(description="批复 — the approval, once granted.")
    def approval(self) -> Approval | None:
        m = self.model
        if m.status is not DocumentStatus.APPROVED or m.approval_date is None or m.approved_investment is None:
            return None
        return Approval(number=m.approval_number or "", date=m.approval_date,
                        approved_investment=m.approved_investment, over_request_reason=m.over_request_reason)

    @strawberry.field(description="退回理由 — why it was returned for revision.")
    def return_reason(self) -> str | None:
        return self.model.return_reason

    @strawberry.field(description="附件 — attached files.")
    async def attachments(self, info: Ctx) -> list[Attachment]:
        a = approval_tables.attachments
        async with info.context.session_factory() as session:
            rows = (await session.execute(select(a).where(a.c.owner_type == "ApprovalDocument",
                                                          a.c.owner_id == self.model.id).order_by(a.c.id))).all()
        return [_attachment(r) for r in rows]

    @strawberry.field(description="项目单位以往项目的后评价结果（供审批参考，R22） — the unit's post-evaluation "
                                  "history, shown to bdb beside the application.")
    async def unit_post_evaluations(self, info: Ctx) -> list[PostEvaluationResult]:
        return await post_evaluation_history(info.context, self.lead_organization_id)


def _attachment(row: Any) -> Attachment:
    gid = to_global_id("Attachment", row.id)
    return Attachment(id=gid, label=row.label, filename=row.filename, content_type=row.content_type, size=row.size,
                      sha256=row.sha256, uploaded_at=row.uploaded_at, download_url=f"/attachments/{gid}")


async def post_evaluation_history(ctx: Context, unit_organization_id: int) -> list[PostEvaluationResult]:
    ctx.require(Operation.POST_EVALUATION_HISTORY_READ)
    pe, p = approval_tables.post_evaluations, tables.projects
    async with ctx.session_factory() as session:
        rows = (await session.execute(
            select(pe, p.c.code, p.c.name).join(p, p.c.id == pe.c.project_id)
            .where(pe.c.unit_organization_id == unit_organization_id).order_by(pe.c.completed_at.desc()))).all()
    return [PostEvaluationResult(project_code=r.code, project_name=r.name,
                                 score=None if r.score is None else f"{r.score:.2f}", grade=r.grade,
                                 findings=r.findings, completed_at=r.completed_at) for r in rows]


def readable_documents(ctx: Context, project: DomainProject) -> list[ApprovalDocument]:
    """The project's documents this viewer may read (an evaluator: only the ones assigned to it)."""
    actor = ctx.require_actor()
    from authz.scopes import project_facts

    return [ApprovalDocument.from_domain(d, project) for d in project.documents
            if ctx.authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project, d))]


def approval_path_facts(project: DomainProject) -> path.PathFacts:
    return path.path_facts(project)


@strawberry.input(description="附件 — a file to attach (multipart request).")
class AttachmentInput:
    file: Upload = strawberry.field(description="文件 — the file (PDF, OFD, Word, Excel, image or ZIP).")
    label: str = strawberry.field(default="", description="说明 — what the file is.")


async def _uploads(ctx: Context, items: list[AttachmentInput] | None) -> list[CheckedUpload]:
    """Read and check every upload before anything is written; all problems are reported together."""
    accepted, problems = [], []
    limit = ctx.settings.max_upload_bytes
    for index, item in enumerate(items or []):
        data = await item.file.read(limit + 1)
        checked = check_upload(getattr(item.file, "filename", None) or "file", data, max_bytes=limit, index=index,
                               label=item.label)
        (problems if isinstance(checked, Violation) else accepted).append(checked)
    if problems:
        raise DomainError(problems)
    return accepted  # type: ignore[return-value]


def _pk(ctx: Context, global_id: str, type_name: str) -> int:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise not_found(ctx.lang)
    return decoded[1]


@strawberry.input(description="审批路径依据 — facts that open a shorter approval path (Art. 11).")
class ProjectApprovalFactsUpdateInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")
    listed_plan_reference: str | None = strawberry.field(
        default=strawberry.UNSET, description="列入的市级及以上规划（名称、文号） — plan listing (R11.1).")
    urgent_legal_basis: str | None = strawberry.field(
        default=strawberry.UNSET, description="紧急建设的规定依据 — legal basis for urgency (R11.2).")
    technically_simple: bool | None = strawberry.field(default=strawberry.UNSET,
                                                       description="技术方案简单 — technically simple (R11.3).")
    single_content: bool | None = strawberry.field(default=strawberry.UNSET,
                                                   description="建设内容单一 — single content (R11.3).")


@strawberry.input(description="编报审批文件 — submit a proposal, feasibility study or preliminary design.")
class ApprovalDocumentSubmitInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    type: DocumentTypeEnum = strawberry.field(description="文件类型 — which document.")
    requested_investment: CNY = strawberry.field(description="申报投资 — requested investment.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")
    summary: str = strawberry.field(default="", description="概要 — summary.")
    data_catalogue: str = strawberry.field(default="", description="信息资源目录 — resource catalogue (R12).")
    sharing_list: str = strawberry.field(default="", description="数据资源共享清单 — sharing list (R12).")
    sharing_process: str = strawberry.field(default="", description="共享流程 — sharing process (R12).")
    sharing_interfaces: str = strawberry.field(default="", description="共享接口 — interfaces (R12).")
    sharing_frequency: str = strawberry.field(default="", description="共享频率 — frequency (R12).")
    purchases_services: bool = strawberry.field(default=False, description="涉及政府购买服务 — buys services.")
    self_build_vs_purchase: str = strawberry.field(default="", description="自建与购买经济性比较 — comparison.")
    product_security_statement: str = strawberry.field(default="", description="产品安全可靠说明 — products.")
    security_plan: str = strawberry.field(default="", description="项目安全方案 — security plan.")
    crypto_application_plan: str = strawberry.field(default="", description="密码应用方案 — crypto plan.")
    attachments: list[AttachmentInput] | None = strawberry.field(default=None, description="附件 — files.")


@strawberry.input(description="委托第三方评估 — assign the evaluator (Art. 13).")
class ApprovalDocumentAssignEvaluatorInput:
    document_id: strawberry.ID = strawberry.field(description="文件全局标识 — document id.")
    evaluator_organization_id: strawberry.ID = strawberry.field(description="评估机构 — evaluator organization.")
    selection_method: SelectionMethodEnum = strawberry.field(description="竞争性选择方式 — competitive method.")
    selection_reference: str = strawberry.field(description="选择依据 — e.g. procurement reference.")


@strawberry.input(description="提交评估意见 — the assigned evaluator files its evaluation.")
class ApprovalDocumentEvaluateInput:
    document_id: strawberry.ID = strawberry.field(description="文件全局标识 — document id.")
    conclusion: EvaluationConclusionEnum = strawberry.field(description="评估结论 — conclusion.")
    opinion: str = strawberry.field(description="评估意见 — opinion.")
    recommended_investment: CNY = strawberry.field(description="建议投资 — recommended investment.")
    attachments: list[AttachmentInput] | None = strawberry.field(default=None, description="评估报告等 — files.")


@strawberry.input(description="密码应用方案审核 — the Cryptography Administration's review.")
class ApprovalDocumentCryptoReviewInput:
    document_id: strawberry.ID = strawberry.field(description="文件全局标识 — document id.")
    passed: bool = strawberry.field(description="是否通过 — passed.")
    opinion: str = strawberry.field(description="审核意见 — opinion.")


@strawberry.input(description="批复 — approve the document (Art. 13).")
class ApprovalDocumentApproveInput:
    document_id: strawberry.ID = strawberry.field(description="文件全局标识 — document id.")
    approval_number: str = strawberry.field(description="批复文号 — approval number.")
    approval_date: date = strawberry.field(description="批复日期 — approval date.")
    approved_investment: CNY = strawberry.field(description="批复投资 — approved investment.")
    over_request_reason: str | None = strawberry.field(default=None,
                                                       description="超出申报的理由 — reason if above the request.")
    attachments: list[AttachmentInput] | None = strawberry.field(default=None, description="批复文件 — files.")


@strawberry.input(description="退回修改 — return the document for revision.")
class ApprovalDocumentReturnInput:
    document_id: strawberry.ID = strawberry.field(description="文件全局标识 — document id.")
    reason: str = strawberry.field(description="退回理由 — reason.")


@strawberry.type(description="审批文件变更结果 — result of an approval-document mutation.")
class ApprovalDocumentPayload:
    document: ApprovalDocument | None = strawberry.field(description="文件 — the document after the step.")
    project: Project | None = strawberry.field(description="项目 — the project after the step.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由；成功时为空 — refusals; empty on success.")


@strawberry.type(description="审批路径依据更新结果 — result of projectApprovalFactsUpdate.")
class ProjectApprovalFactsPayload:
    project: Project | None = strawberry.field(description="项目 — the project.")
    user_errors: list[UserError] = strawberry.field(description="拒绝理由；成功时为空 — refusals; empty on success.")


def _refused(errors: list[UserError]) -> ApprovalDocumentPayload:
    return ApprovalDocumentPayload(document=None, project=None, user_errors=errors)


async def _payload(ctx: Context, document: DomainDocument) -> ApprovalDocumentPayload:
    project = await load_readable_project(ctx, pk=document.project_id)
    fresh = next(d for d in project.documents if d.id == document.id)
    return ApprovalDocumentPayload(document=ApprovalDocument.from_domain(fresh, project),
                                   project=Project.from_domain(project), user_errors=[])


@strawberry.type
class ApprovalQueries:
    @strawberry.field(description="一份审批文件 — one approval document the viewer may read.")
    async def approval_document(
        self, info: Ctx, id: Annotated[strawberry.ID, strawberry.argument(description="全局标识 — global id.")],
    ) -> ApprovalDocument:
        ctx = info.context
        pk = _pk(ctx, id, "ApprovalDocument")
        async with ctx.session_factory() as session:
            project_id = (await session.execute(select(approval_tables.approval_documents.c.project_id).where(
                approval_tables.approval_documents.c.id == pk))).scalar()
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

    @strawberry.field(description="审批文件列表（评估机构看到受托的文件） — approval documents the viewer may read, "
                                  "newest first; an evaluator sees those assigned to it.")
    async def approval_documents(
        self, info: Ctx,
        first: Annotated[int | None, strawberry.argument(description="前若干项（≤100） — page size.")] = None,
        after: Annotated[str | None, strawberry.argument(description="游标 — cursor.")] = None,
        status: Annotated[DocumentStatusEnum | None, strawberry.argument(description="状态 — status.")] = None,
    ) -> Connection[ApprovalDocument]:
        ctx = info.context
        actor = ctx.require_actor()
        d = approval_tables.approval_documents
        stmt = select(DomainDocument).where(document_filter(ctx.authorizer, actor, Operation.APPROVAL_DOCUMENT_READ))
        if status is not None:
            stmt = stmt.where(d.c.status == to_domain(DocumentStatus, status))
        async with ctx.session_factory() as session:
            rows, page_info, cursors = await keyset_page(session, stmt, key=d.c.id,
                                                         page=PageRequest(first, after, None, None), lang=ctx.lang)
            leads = dict((await session.execute(select(tables.projects.c.id, tables.projects.c.lead_organization_id)
                                                .where(tables.projects.c.id.in_([r[0].project_id for r in rows]))
                                                )).all())
        edges = [Edge(cursor=c, node=ApprovalDocument(id=to_global_id("ApprovalDocument", r[0].id), model=r[0],
                                                      lead_organization_id=leads[r[0].project_id]))
                 for r, c in zip(rows, cursors, strict=True)]
        return Connection[ApprovalDocument](edges=edges, page_info=page_info, count=counter(ctx.session_factory, stmt))


@strawberry.type
class ApprovalMutations:
    @strawberry.mutation(description="更新审批路径依据（项目单位） — record the Art. 11 facts of the project.")
    async def project_approval_facts_update(self, info: Ctx,
                                            input: ProjectApprovalFactsUpdateInput) -> ProjectApprovalFactsPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_FACTS_UPDATE)
        pk = _pk(ctx, input.project_id, "Project")
        values = {name: getattr(input, name) for name in
                  ("listed_plan_reference", "urgent_legal_basis", "technically_simple", "single_content")
                  if getattr(input, name) is not strawberry.UNSET}
        values = {k: v for k, v in values.items() if v is not None or k in ("listed_plan_reference",
                                                                            "urgent_legal_basis")}

        async def action() -> ProjectApprovalFactsPayload:
            project = await use_cases.update_approval_facts(uow=ctx.uow(), gate=gate, project_id=pk, values=values,
                                                            expected_version=input.expected_version)
            return ProjectApprovalFactsPayload(project=Project.from_domain(project), user_errors=[])

        return await perform(ctx, action, lambda e: ProjectApprovalFactsPayload(project=None, user_errors=e))

    @strawberry.mutation(description="编报审批文件（项目单位） — submit the next approval document (R11, R12).")
    async def approval_document_submit(self, info: Ctx, input: ApprovalDocumentSubmitInput) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_SUBMIT)
        pk = _pk(ctx, input.project_id, "Project")
        content = {name: getattr(input, name) for name in (
            "summary", "data_catalogue", "sharing_list", "sharing_process", "sharing_interfaces", "sharing_frequency",
            "purchases_services", "self_build_vs_purchase", "product_security_statement", "security_plan",
            "crypto_application_plan")}

        async def action() -> ApprovalDocumentPayload:
            uploads = await _uploads(ctx, input.attachments)
            _, document = await use_cases.submit_document(
                uow=ctx.uow(), gate=gate, project_id=pk, document_type=to_domain(path.DocumentType, input.type), content=content,
                requested_investment=input.requested_investment, attachments=uploads,
                expected_version=input.expected_version)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)

    @strawberry.mutation(description="委托第三方评估（市大数据管理局） — assign the evaluator, recording the "
                                     "competitive selection (R13.1).")
    async def approval_document_assign_evaluator(self, info: Ctx, input: ApprovalDocumentAssignEvaluatorInput
                                                 ) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR)
        pk = _pk(ctx, input.document_id, "ApprovalDocument")
        decoded = from_global_id(input.evaluator_organization_id)
        evaluator = decoded[1] if decoded and decoded[0] == "Organization" else -1

        async def action() -> ApprovalDocumentPayload:
            document = await use_cases.assign_evaluator(uow=ctx.uow(), gate=gate, document_id=pk,
                                                        evaluator_organization_id=evaluator,
                                                        method=to_domain(SelectionMethod, input.selection_method),
                                                        reference=input.selection_reference)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)

    @strawberry.mutation(description="提交评估意见（受托评估机构） — the assigned evaluator files its evaluation.")
    async def approval_document_evaluate(self, info: Ctx, input: ApprovalDocumentEvaluateInput
                                         ) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_EVALUATE)
        pk = _pk(ctx, input.document_id, "ApprovalDocument")

        async def action() -> ApprovalDocumentPayload:
            uploads = await _uploads(ctx, input.attachments)
            document = await use_cases.file_evaluation(
                uow=ctx.uow(), gate=gate, document_id=pk,
                conclusion=to_domain(EvaluationConclusion, input.conclusion), opinion=input.opinion,
                recommended_investment=input.recommended_investment, attachments=uploads)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)

    @strawberry.mutation(description="审核密码应用方案（市国家密码管理局） — review the cryptography application "
                                     "plan (R13.2).")
    async def approval_document_crypto_review(self, info: Ctx, input: ApprovalDocumentCryptoReviewInput
                                              ) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_CRYPTO_REVIEW)
        pk = _pk(ctx, input.document_id, "ApprovalDocument")

        async def action() -> ApprovalDocumentPayload:
            document = await use_cases.record_crypto_review(uow=ctx.uow(), gate=gate, document_id=pk,
                                                            passed=input.passed, opinion=input.opinion)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)

    @strawberry.mutation(description="批复审批文件（市大数据管理局） — approve after evaluation and crypto review "
                                     "(R13); the preliminary design's approval date is the project's.")
    async def approval_document_approve(self, info: Ctx, input: ApprovalDocumentApproveInput
                                        ) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_APPROVE)
        pk = _pk(ctx, input.document_id, "ApprovalDocument")

        async def action() -> ApprovalDocumentPayload:
            uploads = await _uploads(ctx, input.attachments)
            _, document = await use_cases.approve_document(
                uow=ctx.uow(), gate=gate, document_id=pk, number=input.approval_number,
                approval_date=input.approval_date, approved_investment=input.approved_investment,
                over_request_reason=input.over_request_reason, attachments=uploads)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)

    @strawberry.mutation(description="退回修改（市大数据管理局） — return the document; the unit resubmits a new version.")
    async def approval_document_return(self, info: Ctx, input: ApprovalDocumentReturnInput) -> ApprovalDocumentPayload:
        ctx = info.context
        gate = ctx.gate(Operation.APPROVAL_DOCUMENT_RETURN)
        pk = _pk(ctx, input.document_id, "ApprovalDocument")

        async def action() -> ApprovalDocumentPayload:
            document = await use_cases.return_document(uow=ctx.uow(), gate=gate, document_id=pk, reason=input.reason)
            return await _payload(ctx, document)

        return await perform(ctx, action, _refused)


