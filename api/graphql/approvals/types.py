"""Approval documents as the schema shows them (Art. 11–13): the path step, the document and its parts,
evaluation, crypto review, approval, attachments and the unit's post-evaluation history (R22)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.common import CNY, Node, to_global_id
from api.graphql.enums import (
    DocumentStatusEnum,
    DocumentTypeEnum,
    EvaluationConclusionEnum,
    SelectionMethodEnum,
    to_gql,
)
from api.graphql.organizations import Organization
from authz.operations import Operation
from domain import approval_path as path
from domain.approval_documents import ApprovalDocument as DomainDocument
from domain.approval_documents import DocumentStatus
from domain.projects import Project as DomainProject
from domain.rules import article_label
from store import approval_tables, tables

Ctx = Info[Context, None]


@strawberry.type(
    description="可编报的审批文件及其依据 — an approval document the project may submit, and the rule."
)
class ApprovalStep:
    document: DocumentTypeEnum = strawberry.field(
        description="下一步须提交的文件：项目建议书、可行性研究报告或初步设计（第十一条） — the document to submit next: proposal, feasibility study or preliminary design (Art. 11)."
    )
    rule: str = strawberry.field(
        description="决定这一步的规则编号（RULES.md），如 R11.3 — the rule that decides this step (RULES.md), e.g. `R11.3`."
    )
    article: str = strawberry.field(
        description="该规则所在的条款，如「第十一条」 — the article of the regulation the rule comes from, e.g. `第十一条`."
    )
    reason: str = strawberry.field(description="说明 — why this step is allowed (zh-CN or en).")

    @classmethod
    def from_step(cls, step: path.Step, lang: str) -> ApprovalStep:
        return cls(
            document=to_gql(DocumentTypeEnum, step.document),
            rule=step.rule,
            article=article_label(step.rule, lang) or "",
            reason=step.en if lang == "en" else step.zh,
        )


@strawberry.type(description="附件 — an uploaded file; download it at `downloadUrl` with the same token.")
class Attachment(Node):
    label: str = strawberry.field(
        description="附件说明，如「评估报告」 — what the file is, as the uploader labelled it, e.g. `评估报告`."
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
    uploaded_at: datetime = strawberry.field(
        description="上传时间（UTC） — when the file was uploaded (UTC)."
    )
    download_url: str = strawberry.field(
        description="下载地址 — path to download, authorised like the document."
    )


@strawberry.type(description="第三方评估 — the evaluator's assignment and evaluation (Art. 13).")
class Evaluation:
    organization_id: strawberry.Private[int]
    selection_method: SelectionMethodEnum = strawberry.field(
        description="大数据局选择评估机构的竞争性方式（R13.1） — how the Big Data Bureau chose the evaluator competitively (R13.1)."
    )
    selection_reference: str = strawberry.field(
        description="选择评估机构的依据，如采购项目编号 — what documents the competitive choice, e.g. the procurement reference."
    )
    assigned_at: datetime = strawberry.field(
        description="委托评估的时间（UTC） — when the evaluator was assigned (UTC)."
    )
    conclusion: EvaluationConclusionEnum | None = strawberry.field(
        description="评估机构的结论；评估完成前为空 — the evaluator's conclusion; null until it has evaluated."
    )
    opinion: str | None = strawberry.field(
        description="评估机构的书面意见（提交评估时填写；之前为空） — the evaluator's written reasoning for its "
        "conclusion and recommended investment; null until the evaluation is filed (Art. 13)."
    )
    recommended_investment: CNY | None = strawberry.field(
        description="评估建议的投资（元，两位小数）；评估完成前为空 — the investment the evaluator recommends in CNY; null until it has evaluated."
    )
    evaluated_at: datetime | None = strawberry.field(
        description="评估完成时间（UTC）；未完成为空 — when the evaluation was recorded (UTC); null until then."
    )

    @strawberry.field(
        description="受委托的第三方评估机构 — the third-party evaluator organization the Big Data Bureau assigned."
    )
    async def organization(self, info: Ctx) -> Organization:
        return Organization.from_row(await info.context.loaders["organization"].load(self.organization_id))


@strawberry.type(description="密码应用方案审核 — the Cryptography Administration's review (Art. 13).")
class CryptoReview:
    passed: bool = strawberry.field(
        description="密码应用方案是否通过审核；未通过则不得批复（R13.2） — whether the cryptography application plan passed; without a pass the document cannot be approved (R13.2)."
    )
    opinion: str = strawberry.field(
        description="密码管理部门对密码应用方案的书面意见（审核时填写） — the Cryptography Administration's written "
        "findings on the crypto application plan, recorded with its pass or fail."
    )
    reviewed_at: datetime = strawberry.field(
        description="密码管理部门审核时间（UTC） — when the cryptography authority recorded its review (UTC)."
    )


@strawberry.type(description="批复 — the Big Data Bureau's approval (Art. 13).")
class Approval:
    number: str = strawberry.field(
        description="批复文号，如「营数发〔2026〕12号」 — the approval's document number, e.g. `营数发〔2026〕12号`."
    )
    date: date = strawberry.field(description="批复日期 — approval date (China Standard Time).")
    approved_investment: CNY = strawberry.field(
        description="批复的投资（元，两位小数）；初步设计批复后即为项目的批复投资 — the approved investment in CNY; a preliminary design's becomes the project's approved investment."
    )
    over_request_reason: str | None = strawberry.field(
        description="超出申报的理由 — reason for exceeding the request."
    )


@strawberry.type(description="审批文件内容 — the parts of the document (R12).")
class DocumentContent:
    summary: str = strawberry.field(
        description="文件概要（自由文本） — the document's summary as the unit wrote it, free text."
    )
    data_catalogue: str = strawberry.field(
        description="信息资源目录（自由文本）；可研和初设须包含（R12） — the information resource catalogue, free text; required in a feasibility study or preliminary design (R12 (1))."
    )
    sharing_list: str = strawberry.field(
        description="数据资源共享清单（自由文本）；可研和初设须包含（R12） — the list of data shared, free text (R12 (1))."
    )
    sharing_process: str = strawberry.field(
        description="数据共享流程（自由文本）；可研和初设须包含（R12） — how the data is shared, free text (R12 (1))."
    )
    sharing_interfaces: str = strawberry.field(
        description="数据共享接口（自由文本）；可研和初设须包含（R12） — the sharing interfaces, free text (R12 (1))."
    )
    sharing_frequency: str = strawberry.field(
        description="数据共享频率，如「每日」；可研和初设须包含（R12） — how often data is shared, e.g. `每日` (R12 (1))."
    )
    purchases_services: bool = strawberry.field(
        description="是否采用政府购买服务方式；是则须有经济性比较（R12 (2)） — whether the project buys services; then the cost comparison is required (R12 (2))."
    )
    self_build_vs_purchase: str = strawberry.field(
        description="自建与购买服务的经济性比较（R12 (2)） — the cost comparison of building versus buying the service (R12 (2))."
    )
    product_security_statement: str = strawberry.field(
        description="所用软硬件产品安全可靠情况的说明（R12 (3)） — the statement on the security and reliability of the software and hardware used (R12 (3))."
    )
    security_plan: str = strawberry.field(
        description="项目网络安全方案（R12 (3)） — the project's network security plan (R12 (3))."
    )
    crypto_application_plan: str = strawberry.field(
        description="密码应用方案，由密码管理部门审核（R12 (3)、R13.2） — the cryptography application plan, reviewed by the cryptography authority (R12 (3), R13.2)."
    )


@strawberry.type(description="后评价结果 — a post-evaluation result of one of the unit's projects (Art. 22).")
class PostEvaluationResult:
    project_code: str | None = strawberry.field(
        description="被评价项目的编号，如 YK-2026-0001 — the evaluated project's code, e.g. `YK-2026-0001`."
    )
    project_name: str = strawberry.field(
        description="被评价项目的名称 — the evaluated project's name, as it is now."
    )
    score: str | None = strawberry.field(
        description="后评价得分（十进制字符串） — the post-evaluation score as a decimal string."
    )
    grade: str | None = strawberry.field(description="后评价等级 — the grade the evaluator gave the project.")
    findings: str = strawberry.field(
        description="后评价主要结论（自由文本） — the evaluation's main findings, free text."
    )
    completed_at: datetime | None = strawberry.field(
        description="后评价完成时间（UTC） — when the evaluator filed the result (UTC)."
    )


@strawberry.type(description="审批文件 — a proposal, feasibility study or preliminary design (Art. 11–13).")
class ApprovalDocument(Node):
    model: strawberry.Private[DomainDocument]
    lead_organization_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, document: DomainDocument, project: DomainProject) -> ApprovalDocument:
        assert document.id is not None
        return cls(
            id=to_global_id("ApprovalDocument", document.id),
            model=document,
            lead_organization_id=project.lead_organization_id,
        )

    @strawberry.field(
        description="文件类型：项目建议书、可行性研究报告或初步设计 — proposal, feasibility study or preliminary design (Art. 11)."
    )
    def type(self) -> DocumentTypeEnum:
        return to_gql(DocumentTypeEnum, self.model.type)

    @strawberry.field(
        description="版本（退回后重报递增） — version; a resubmission after a return is a new one."
    )
    def version(self) -> int:
        return self.model.version

    @strawberry.field(
        description="审批状态：已提交、评估中、已评估、已批复或已退回 — SUBMITTED, UNDER_EVALUATION, EVALUATED, APPROVED or RETURNED; moved by the approval mutations."
    )
    def status(self) -> DocumentStatusEnum:
        return to_gql(DocumentStatusEnum, self.model.status)

    @strawberry.field(description="编报依据 — the rule that allowed this step (R11.0–R11.3).")
    def path_rule(self) -> str:
        return self.model.path_rule

    @strawberry.field(
        description="单位申报的投资（元，两位小数） — the investment the unit requests with this document, in CNY."
    )
    def requested_investment(self) -> CNY:
        return self.model.requested_investment

    @strawberry.field(
        description="提交时间（UTC） — when the unit submitted this version of the document (UTC)."
    )
    def submitted_at(self) -> datetime:
        return self.model.submitted_at

    @strawberry.field(
        description="文件内容：概要及数据共享、安全和密码各部分（R12） — the document's parts: summary, data sharing, security and cryptography (R12)."
    )
    def content(self) -> DocumentContent:
        m = self.model
        return DocumentContent(
            summary=m.summary,
            data_catalogue=m.data_catalogue,
            sharing_list=m.sharing_list,
            sharing_process=m.sharing_process,
            sharing_interfaces=m.sharing_interfaces,
            sharing_frequency=m.sharing_frequency,
            purchases_services=m.purchases_services,
            self_build_vs_purchase=m.self_build_vs_purchase,
            product_security_statement=m.product_security_statement,
            security_plan=m.security_plan,
            crypto_application_plan=m.crypto_application_plan,
        )

    @strawberry.field(description="第三方评估 — evaluation, once an evaluator is assigned.")
    def evaluation(self) -> Evaluation | None:
        m = self.model
        if m.evaluator_organization_id is None or m.evaluator_selection_method is None:
            return None
        assert m.evaluator_assigned_at is not None
        return Evaluation(
            organization_id=m.evaluator_organization_id,
            selection_method=to_gql(SelectionMethodEnum, m.evaluator_selection_method),
            selection_reference=m.evaluator_selection_reference or "",
            assigned_at=m.evaluator_assigned_at,
            conclusion=to_gql(EvaluationConclusionEnum, m.evaluation_conclusion)
            if m.evaluation_conclusion
            else None,
            opinion=m.evaluation_opinion,
            recommended_investment=m.evaluation_recommended_investment,
            evaluated_at=m.evaluated_at,
        )

    @strawberry.field(description="密码应用方案审核 — the crypto review, once recorded.")
    def crypto_review(self) -> CryptoReview | None:
        m = self.model
        if m.crypto_review_passed is None or m.crypto_reviewed_at is None:
            return None
        return CryptoReview(
            passed=m.crypto_review_passed,
            opinion=m.crypto_review_opinion or "",
            reviewed_at=m.crypto_reviewed_at,
        )

    @strawberry.field(
        description="批复（文号、日期、投资）；批复前为空 — the approval (number, date, investment); null until approved."
    )
    def approval(self) -> Approval | None:
        m = self.model
        if (
            m.status is not DocumentStatus.APPROVED
            or m.approval_date is None
            or m.approved_investment is None
        ):
            return None
        return Approval(
            number=m.approval_number or "",
            date=m.approval_date,
            approved_investment=m.approved_investment,
            over_request_reason=m.over_request_reason,
        )

    @strawberry.field(description="退回理由 — why it was returned for revision.")
    def return_reason(self) -> str | None:
        return self.model.return_reason

    @strawberry.field(
        description="随文件上传的附件，按上传顺序 — the files uploaded with the document, in upload order; download at `downloadUrl` with the same bearer token."
    )
    async def attachments(self, info: Ctx) -> list[Attachment]:
        a = approval_tables.attachments
        async with info.context.read_session_factory() as session:
            rows = (
                await session.execute(
                    select(a)
                    .where(a.c.owner_type == "ApprovalDocument", a.c.owner_id == self.model.id)
                    .order_by(a.c.id)
                )
            ).all()
        return [_attachment(r) for r in rows]

    @strawberry.field(
        description="项目单位以往项目的后评价结果（供审批参考，R22） — the unit's post-evaluation "
        "history, shown to bdb beside the application."
    )
    async def unit_post_evaluations(self, info: Ctx) -> list[PostEvaluationResult]:
        return await post_evaluation_history(info.context, self.lead_organization_id)


def _attachment(row: Any) -> Attachment:
    gid = to_global_id("Attachment", row.id)
    return Attachment(
        id=gid,
        label=row.label,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
        download_url=f"/attachments/{gid}",
    )


async def post_evaluation_history(ctx: Context, unit_organization_id: int) -> list[PostEvaluationResult]:
    ctx.require(Operation.POST_EVALUATION_HISTORY_READ)
    pe, p = approval_tables.post_evaluations, tables.projects
    async with ctx.read_session_factory() as session:
        rows = (
            await session.execute(
                select(pe, p.c.code, p.c.name)
                .join(p, p.c.id == pe.c.project_id)
                .where(pe.c.unit_organization_id == unit_organization_id, pe.c.completed_at.is_not(None))
                .order_by(pe.c.completed_at.desc())
            )
        ).all()
    return [
        PostEvaluationResult(
            project_code=r.code,
            project_name=r.name,
            score=None if r.score is None else f"{r.score:.2f}",
            grade=r.grade,
            findings=r.findings,
            completed_at=r.completed_at,
        )
        for r in rows
    ]


def readable_documents(ctx: Context, project: DomainProject) -> list[ApprovalDocument]:
    """The project's documents this viewer may read (an evaluator: only the ones assigned to it)."""
    actor = ctx.require_actor()
    from authz.scopes import project_facts

    return [
        ApprovalDocument.from_domain(d, project)
        for d in project.documents
        if ctx.authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project, d))
    ]


def approval_path_facts(project: DomainProject) -> path.PathFacts:
    return path.path_facts(project)
