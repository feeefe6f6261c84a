"""Acceptance to evaluation (Art. 19–22): initial and completion acceptance, rectification, filing,
disbursements and data-centre resources (R21), self-evaluation and post-evaluation (R22)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import CNY, USER_ERRORS_SHORT, Payload, late_entry_reason_field, project_id_field
from api.graphql.construction.mutations import ImplementationPayload
from api.graphql.construction.types import (
    PostEvaluation,
    implementation_of,
    parse_decimal,
)
from api.graphql.enums import AcceptanceReportEnum, DisbursementKindEnum, PostEvaluationGradeEnum, to_domain
from authz.operations import Operation
from domain import evaluation as ev
from domain import funds
from domain.services import completion
from store import approval_tables

Ctx = Info[Context, None]


@strawberry.input(description="初步验收 — the unit's initial acceptance (R19.1).")
class AcceptanceInitialRecordInput:
    project_id: strawberry.ID = project_id_field()
    date: date = strawberry.field(
        description="初步验收日期（YYYY-MM-DD）：开工之后、不晚于今天（R19.3） — the day of the initial acceptance, YYYY-MM-DD: after construction began, not after today (R19.3)."
    )
    passed: bool = strawberry.field(
        description="初步验收是否通过；通过后满 3 个月可申请竣工验收 — whether it passed; three months after a pass the completion acceptance may be applied for."
    )
    note: str = strawberry.field(
        default="",
        description="初步验收说明（自由文本，可为空） — a note on the initial acceptance, free text.",
    )
    classified: bool | None = strawberry.field(
        default=None, description="是否涉密系统（决定安全测评报告） — classified (涉密) system, R19.2."
    )
    late_entry_reason: str | None = late_entry_reason_field()


@strawberry.input(
    description="竣工验收延期或整改延期 — bdb extends the completion-acceptance window (R19.1) or, while the "
    "project rectifies, the rectification deadline (R20)."
)
class AcceptanceExtensionRecordInput:
    project_id: strawberry.ID = project_id_field()
    until: date = strawberry.field(
        description="延期后的申请截止日（YYYY-MM-DD） — the new last day to apply for completion acceptance, YYYY-MM-DD."
    )
    reason: str = strawberry.field(description="延期理由（必填） — why the window is extended; required.")


@strawberry.input(
    description="竣工验收申请（或整改后重新申请） — the completion-acceptance application, or the "
    "resubmission after rectification (R19–R20)."
)
class AcceptanceApplyInput:
    project_id: strawberry.ID = project_id_field()
    reports: list[AcceptanceReportEnum] | None = strawberry.field(
        default=None,
        description="已不使用：所附报告须先以 acceptanceReportUpload 上传为文件，上传的文件才算数 — ignored: the R19.2 reports "
        "are the files uploaded with acceptanceReportUpload; only the uploaded files count.",
        deprecation_reason="Upload each report with acceptanceReportUpload; the uploaded files count (R19.2).",
    )
    note: str = strawberry.field(
        default="", description="申请说明（自由文本，可为空） — a note on the application, free text."
    )


@strawberry.input(
    description="竣工验收结果（大数据局）：通过或不通过；不通过须 3 个月内整改（R20） — the Big Data Bureau's result of the completion acceptance; a failure must be rectified within 3 months (R20)."
)
class AcceptanceDecideInput:
    project_id: strawberry.ID = project_id_field()
    passed: bool = strawberry.field(
        description="竣工验收是否通过；不通过则项目进入整改（R20） — whether the completion acceptance passed; if not, the project goes into rectification (R20)."
    )
    opinion: str = strawberry.field(
        description="竣工验收的书面意见；不通过时写明整改要求 — bdb's written acceptance findings; when it "
        "fails, what the unit must rectify (R20)."
    )


@strawberry.input(description="验收报告备案 — file or acknowledge the acceptance report (R21).")
class AcceptanceFilingInput:
    project_id: strawberry.ID = project_id_field()
    note: str = strawberry.field(
        default="", description="报备说明（自由文本，可为空） — a note on the filing, free text."
    )


@strawberry.input(
    description="登记一笔资金拨付（第二十一条）：尾款须在验收报告报备之后 — record a payment (Art. 21); the final payment only after the acceptance report is filed."
)
class DisbursementRecordInput:
    project_id: strawberry.ID = project_id_field()
    kind: DisbursementKindEnum = strawberry.field(
        description="拨付类型：ADVANCE 预付款、PROGRESS 进度款、FINAL 尾款（须已报备，R21） — ADVANCE, PROGRESS or FINAL (only after the acceptance filing, R21)."
    )
    amount: CNY = strawberry.field(
        description="拨付金额（元，两位小数，> 0） — the amount paid, in CNY, a positive decimal string."
    )
    paid_on: date = strawberry.field(
        description="拨付日期（YYYY-MM-DD）：批复之后、不晚于今天（R21.1） — the day it was paid, YYYY-MM-DD: after the approval, not after today (R21.1)."
    )
    note: str = strawberry.field(
        default="",
        description="拨付说明（自由文本，可为空） — a note on the payment, free text; may be empty.",
    )
    late_entry_reason: str | None = late_entry_reason_field()


@strawberry.input(description="数据中心资源分配 — allocate data-centre resources (R21).")
class DataCentreResourceAllocateInput:
    project_id: strawberry.ID = project_id_field()
    resources: str = strawberry.field(description="资源 — resources, e.g. `8 vCPU / 32 GB / 2 TB`.")


@strawberry.input(description="项目自评价 — the unit's self-evaluation (R22).")
class SelfEvaluationSubmitInput:
    project_id: strawberry.ID = project_id_field()
    summary: str = strawberry.field(
        description="绩效自评价内容（必填，自由文本，R22） — the performance self-evaluation, free text; required (R22)."
    )


@strawberry.input(description="委托后评价 — bdb commissions a third-party post-evaluation (R22).")
class PostEvaluationCommissionInput:
    project_id: strawberry.ID = project_id_field()
    evaluator_organization_id: strawberry.ID = strawberry.field(
        description="受委托的评估机构的全局标识（类型须为评估机构） — the evaluator organization's global id; its type must be evaluator."
    )


@strawberry.input(
    description="后评价结果（评估机构，R22）：得分、等级和主要结论 — the evaluator's result (R22): score, grade and findings."
)
class PostEvaluationResultFileInput:
    post_evaluation_id: strawberry.ID = strawberry.field(
        description="受委托的后评价的全局标识（PostEvaluation.id） — the global id of the post-evaluation you were commissioned for."
    )
    score: str = strawberry.field(description='得分（0–100），如 "86.50" — score 0–100 as a decimal string.')
    grade: PostEvaluationGradeEnum = strawberry.field(
        description="评定的等级 — the grade you give the project, as the evaluation scheme defines it."
    )
    findings: str = strawberry.field(
        description="主要结论（必填，自由文本） — the main findings, free text; required."
    )


@strawberry.type(description="后评价结果 — result of a post-evaluation mutation.")
class PostEvaluationPayload(Payload, errors=USER_ERRORS_SHORT):
    post_evaluation: PostEvaluation | None = strawberry.field(
        description="处理后的后评价；被拒绝时为空 — the post-evaluation after the mutation; null when refused."
    )


async def _on_project(
    info: Ctx, use_case: Callable[..., Awaitable[object]], project_id: strawberry.ID, **facts: Any
) -> ImplementationPayload:
    """Run one completion use case on the input's project (uow, gate, decoded id, then the input's facts);
    the payload is the project's implementation after it."""
    ctx = info.context
    pk = ctx.pk(project_id, "Project")
    await use_case(uow=ctx.uow(), gate=ctx.gate_in_force, project_id=pk, **facts)
    return ImplementationPayload(implementation=await implementation_of(ctx, pk), user_errors=[])


@strawberry.type
class AcceptanceMutations:
    @strawberry.mutation(
        description="登记初步验收（项目单位） — the unit records its initial acceptance; a passed one "
        "starts the trial operation (R19.1).",
        extensions=[Performs(Operation.ACCEPTANCE_INITIAL_RECORD, on="Project")],
    )
    async def acceptance_initial_record(
        self, info: Ctx, input: AcceptanceInitialRecordInput
    ) -> ImplementationPayload:
        return await _on_project(
            info,
            completion.record_initial,
            input.project_id,
            on=input.date,
            passed=input.passed,
            note=input.note,
            classified=input.classified,
            late_entry_reason=input.late_entry_reason,
        )

    @strawberry.mutation(
        description="登记竣工验收延期（市大数据管理局） — bdb extends the window (R19.1).",
        extensions=[Performs(Operation.ACCEPTANCE_EXTEND, on="Project")],
    )
    async def acceptance_extension_record(
        self, info: Ctx, input: AcceptanceExtensionRecordInput
    ) -> ImplementationPayload:
        return await _on_project(
            info, completion.record_extension, input.project_id, until=input.until, reason=input.reason
        )

    @strawberry.mutation(
        description="申请竣工验收（项目单位） — apply within 3–6 months of the passed initial "
        "acceptance, the five reports uploaded as files first; after rectification, resubmit (R19–R20).",
        extensions=[Performs(Operation.ACCEPTANCE_APPLY, on="Project")],
    )
    async def acceptance_apply(self, info: Ctx, input: AcceptanceApplyInput) -> ImplementationPayload:
        return await _on_project(info, completion.apply_for_acceptance, input.project_id, note=input.note)

    @strawberry.mutation(
        description="登记竣工验收结果（市大数据管理局） — bdb's result; a failure sets a 3-month "
        "rectification deadline (R20).",
        extensions=[Performs(Operation.ACCEPTANCE_DECIDE, on="Project")],
    )
    async def acceptance_decide(self, info: Ctx, input: AcceptanceDecideInput) -> ImplementationPayload:
        return await _on_project(
            info, completion.decide_acceptance, input.project_id, passed=input.passed, opinion=input.opinion
        )

    @strawberry.mutation(
        description="报备验收报告（项目单位） — the unit files its acceptance report with bdb (R21).",
        extensions=[Performs(Operation.ACCEPTANCE_REPORT_FILE, on="Project")],
    )
    async def acceptance_report_file(self, info: Ctx, input: AcceptanceFilingInput) -> ImplementationPayload:
        return await _on_project(info, completion.file_acceptance_report, input.project_id, note=input.note)

    @strawberry.mutation(
        description="确认验收备案（市大数据管理局） — bdb acknowledges the filing: the project is "
        "filed and in operation from today (R21).",
        extensions=[Performs(Operation.ACCEPTANCE_FILING_ACKNOWLEDGE, on="Project")],
    )
    async def acceptance_filing_acknowledge(
        self, info: Ctx, input: AcceptanceFilingInput
    ) -> ImplementationPayload:
        return await _on_project(info, completion.acknowledge_filing, input.project_id, note=input.note)

    @strawberry.mutation(
        description="登记资金拨付（市财政局） — never above the approved investment; the remaining "
        "funds only after filing (R21).",
        extensions=[Performs(Operation.DISBURSEMENT_RECORD, on="Project")],
    )
    async def disbursement_record(self, info: Ctx, input: DisbursementRecordInput) -> ImplementationPayload:
        return await _on_project(
            info,
            completion.record_disbursement,
            input.project_id,
            kind=to_domain(funds.DisbursementKind, input.kind),
            amount=input.amount,
            paid_on=input.paid_on,
            note=input.note,
            late_entry_reason=input.late_entry_reason,
        )

    @strawberry.mutation(
        description="分配数据中心资源（市大数据管理局） — only for a filed project (R21).",
        extensions=[Performs(Operation.RESOURCE_ALLOCATE, on="Project")],
    )
    async def data_centre_resource_allocate(
        self, info: Ctx, input: DataCentreResourceAllocateInput
    ) -> ImplementationPayload:
        return await _on_project(
            info, completion.allocate_resources, input.project_id, resources=input.resources
        )

    @strawberry.mutation(
        description="提交自评价（项目单位） — 12 to 24 months into operation, delivered to bdb and "
        "finance (R22).",
        extensions=[Performs(Operation.SELF_EVALUATION_SUBMIT, on="Project")],
    )
    async def self_evaluation_submit(
        self, info: Ctx, input: SelfEvaluationSubmitInput
    ) -> ImplementationPayload:
        return await _on_project(
            info, completion.submit_self_evaluation, input.project_id, summary=input.summary
        )

    @strawberry.mutation(
        description="委托第三方后评价（市大数据管理局） — bdb commissions an evaluator (R22).",
        extensions=[Performs(Operation.POST_EVALUATION_COMMISSION, on="Project")],
    )
    async def post_evaluation_commission(
        self, info: Ctx, input: PostEvaluationCommissionInput
    ) -> PostEvaluationPayload:
        ctx = info.context
        pk = await completion.commission_post_evaluation(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            evaluator_organization_id=ctx.pk(input.evaluator_organization_id, "Organization"),
        )
        return await _post_evaluation(ctx, pk)

    @strawberry.mutation(
        description="提交后评价结果（受托评估机构） — the commissioned evaluator files score, grade "
        "and findings; shown beside the unit's later applications (R22).",
        extensions=[Performs(Operation.POST_EVALUATION_FILE, on="PostEvaluation")],
    )
    async def post_evaluation_result_file(
        self, info: Ctx, input: PostEvaluationResultFileInput
    ) -> PostEvaluationPayload:
        ctx = info.context
        pk = await completion.file_post_evaluation(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            post_evaluation_id=ctx.pk(input.post_evaluation_id, "PostEvaluation"),
            score=parse_decimal(input.score, "score", "R22"),
            grade=to_domain(ev.Grade, input.grade),
            findings=input.findings,
        )
        return await _post_evaluation(ctx, pk)


async def _post_evaluation(ctx: Context, pk: int) -> PostEvaluationPayload:
    pe = approval_tables.post_evaluations
    async with ctx.session_factory() as session:
        row = (await session.execute(select(pe).where(pe.c.id == pk))).mappings().one()
    return PostEvaluationPayload(post_evaluation=PostEvaluation.from_row(row), user_errors=[])
