"""Construction (Art. 14–18): inputs, payloads and mutations — contract, change control, progress."""

from __future__ import annotations

from datetime import date

import strawberry

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import (
    CNY,
    USER_ERRORS_SHORT,
    Payload,
    expected_version_field,
    late_entry_reason_field,
    project_id_field,
)
from api.graphql.construction.types import (
    ChangeClassification,
    ChangeRequest,
    ContractRecord,
    Ctx,
    ProjectImplementation,
    implementation_of,
    parse_decimal,
)
from api.graphql.enums import (
    ChangeAspectEnum,
    ChangeReasonEnum,
    ContractAssignmentKindEnum,
    ProcurementMethodEnum,
    ProcurementRegimeEnum,
    to_domain,
)
from api.graphql.projects.types import Project
from authz.operations import Operation
from domain import changes as ch
from domain import implementation as impl
from domain.progress import ProgressFigures
from domain.services import construction as use_cases


@strawberry.input(
    description="登记实施记录和合同 — record the legal person, procurement, supervision firm and "
    "contract (R14–R15)."
)
class ContractRecordInput:
    project_id: strawberry.ID = project_id_field()
    legal_person: str = strawberry.field(
        description="项目法人（负责实施的单位或个人，R14） — the project legal person responsible for implementation (R14)."
    )
    regime: ProcurementRegimeEnum = strawberry.field(
        description="适用的法律：政府采购法或招标投标法（R15） — the law followed: government procurement or tendering (R15)."
    )
    method: ProcurementMethodEnum = strawberry.field(
        description="采购方式，须属于所选法律（如公开招标） — the procurement method; it must belong to the chosen regime, e.g. PUBLIC_TENDER."
    )
    procurement_reference: str = strawberry.field(
        description="政府采购或招标项目编号（必填） — the procurement or tender reference number; required."
    )
    winning_bidder: str = strawberry.field(
        description="中标（成交）单位名称（必填） — the winning bidder's name; required."
    )
    supervision_firm: str = strawberry.field(
        description="工程监理单位名称（R14） — the supervision firm's name (R14)."
    )
    contract_number: str = strawberry.field(description="合同编号（必填） — the contract's number; required.")
    amount: CNY = strawberry.field(
        description="合同金额（元，两位小数，> 0） — the contract amount in CNY, a positive decimal string."
    )
    signed_on: date = strawberry.field(
        description="签订日期（YYYY-MM-DD）：不早于批复日期，不晚于今天（R14.1） — the signing day, YYYY-MM-DD: on or after the approval date and not after today (R14.1)."
    )
    expected_version: int | None = expected_version_field()
    late_entry_reason: str | None = late_entry_reason_field()


@strawberry.input(
    description="合同转包或分包 — a transfer or split of the contract, always refused (Art. 15)."
)
class ContractAssignInput:
    contract_id: strawberry.ID = strawberry.field(
        description="合同的全局标识（ContractRecord.id） — the contract's global id (`ContractRecord.id`)."
    )
    kind: ContractAssignmentKindEnum = strawberry.field(
        description="转包或分包：两者都被第十五条禁止 — a transfer or a split of the contract; Art. 15 forbids both."
    )
    assignee: str = strawberry.field(
        description="拟受让的单位名称；此变更总被拒绝（第十五条） — the would-be assignee's name; the mutation is always refused (Art. 15)."
    )


@strawberry.type(
    description="合同登记结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of contractRecord: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class ContractPayload(Payload, errors=USER_ERRORS_SHORT):
    contract: ContractRecord | None = strawberry.field(
        description="登记的合同；被拒绝时为空 — the contract as recorded; null when refused."
    )
    project: Project | None = strawberry.field(
        description="该步骤之后的项目（状态、版本已更新）；被拒绝时为空 — the project after this step, with its new status and version; null when refused."
    )


@strawberry.input(
    description="变更申请：改变规模、内容、标准或投资前须提交；按第十七条备案或报批 — a change request, needed before changing scale, content, standard or investment; filed or sent for approval by Art. 16–17."
)
class ChangeRequestInput:
    project_id: strawberry.ID = project_id_field()
    aspects: list[ChangeAspectEnum] = strawberry.field(
        description="变更涉及的方面（至少一项）：规模、内容、标准或投资 — what the change touches, at least one: scale, content, standard or investment (R16)."
    )
    description: str = strawberry.field(
        default="",
        description="变更内容：对规模、内容、标准或投资作何改变 — what changes in scale, content, standard or "
        "investment, in words (the `aspects` name which).",
    )
    reason: ChangeReasonEnum = strawberry.field(
        description="变更原因类别，决定能否备案（R17） — the reason category; it decides whether the change may be filed (R17)."
    )
    reason_detail: str = strawberry.field(
        default="", description="变更原因的文字说明（必填） — the reason in words; required."
    )
    same_objectives: bool = strawberry.field(
        description="声明建设目标不变；为 false 时须审批 — state that the objectives stay the same; false means the change needs approval (R17)."
    )
    new_total_investment: CNY = strawberry.field(
        description="变更后总投资 — total investment after the change."
    )
    adjusted_funds: CNY = strawberry.field(
        description="本次调整的资金（元，两位小数，≥ 0） — the funds this change moves, in CNY, a decimal string ≥ 0."
    )
    expected_version: int | None = expected_version_field()


@strawberry.type(description="变更分类预览 — the dry run of a change request.")
class ChangeClassificationPayload(Payload, errors=USER_ERRORS_SHORT):
    classification: ChangeClassification | None = strawberry.field(
        description="办理方式判断（备案或审批）及依据，未保存任何内容 — the classification (filing or approval) and why; nothing was saved."
    )


@strawberry.input(description="审批变更 — bdb's decision on a pending change (R16).")
class ChangeRequestDecideInput:
    change_request_id: strawberry.ID = strawberry.field(
        description="待审批的变更申请的全局标识（ChangeRequest.id，状态须为 PENDING） — the change request's global id; it must be PENDING."
    )
    approve: bool = strawberry.field(
        description="true 批准（变更生效、批复数字更新），false 驳回 — true approves (the change takes effect and the approved figures update); false rejects."
    )
    opinion: str = strawberry.field(
        description="审批意见：批准或不批准的理由，告知项目单位 — bdb's reasons for approving or rejecting the "
        "change, shown to the unit."
    )


@strawberry.type(description="变更结果 — result of a change-request mutation.")
class ChangeRequestPayload(Payload, errors=USER_ERRORS_SHORT):
    change_request: ChangeRequest | None = strawberry.field(
        description="提交的变更申请（含办理方式和状态）；被拒绝时为空 — the change request as filed, with its route and status; null when refused."
    )
    classification: ChangeClassification | None = strawberry.field(
        description="该变更的办理方式判断（备案或审批）及依据；被拒绝时为空 — how the change was classified (filing or approval) and why; null when refused."
    )
    implementation: ProjectImplementation | None = strawberry.field(
        description="项目实施的当前情况（合同、进度、验收等）；被拒绝时为空 — the project's implementation after the mutation (contracts, progress, acceptance …); null when refused."
    )


@strawberry.input(description="季度进度报告 — a quarterly progress report (R18).")
class ProgressReportSubmitInput:
    project_id: strawberry.ID = project_id_field()
    period_number: int = strawberry.field(
        description="报告期次：自批复日起每 3 个月一期，从 1 开始，按顺序报送（R18） — the period number, 1 for the first three months after approval; reports go in order (R18)."
    )
    physical_progress: str = strawberry.field(
        description='形象进度百分比，如 "45.50" — physical progress in per cent.'
    )
    funds_spent: CNY = strawberry.field(
        description="本期报告的资金支出（元，两位小数，≥ 0） — the funds spent as this report states them, in CNY, a decimal string ≥ 0."
    )
    milestones: str = strawberry.field(
        default="",
        description="本期完成的里程碑（自由文本） — the milestones reached in this period, free text.",
    )
    problems: str = strawberry.field(
        default="", description="存在的问题（自由文本，可为空） — the problems met, free text; may be empty."
    )


@strawberry.type(description="实施记录结果 — result of an implementation mutation.")
class ImplementationPayload(Payload, errors=USER_ERRORS_SHORT):
    implementation: ProjectImplementation | None = strawberry.field(
        description="项目实施的当前情况（合同、进度、验收等）；被拒绝时为空 — the project's implementation after the mutation (contracts, progress, acceptance …); null when refused."
    )


def _change_values(input: ChangeRequestInput) -> ch.ChangeDeclaration:
    return ch.ChangeDeclaration(
        aspects=[to_domain(ch.ChangeAspect, a) for a in input.aspects],
        description=input.description,
        reason=to_domain(ch.ChangeReason, input.reason),
        reason_detail=input.reason_detail,
        same_objectives=input.same_objectives,
        new_total_investment=input.new_total_investment,
        adjusted_funds=input.adjusted_funds,
    )


async def _change_payload(
    ctx: Context, project_id: int, change_id: int, preview: use_cases.ChangePreview | None
) -> ChangeRequestPayload:
    implementation = await implementation_of(ctx, project_id)
    row = next(r for r in implementation.rows["changes"] if r["id"] == change_id)
    return ChangeRequestPayload(
        change_request=ChangeRequest.from_row(row),
        implementation=implementation,
        classification=ChangeClassification.from_preview(preview, ctx.lang) if preview else None,
        user_errors=[],
    )


async def _contract(ctx: Context, input: ContractRecordInput, *, om_by_bdb: bool) -> ContractPayload:
    values = {
        "legal_person": input.legal_person,
        "regime": to_domain(impl.ProcurementRegime, input.regime),
        "method": to_domain(impl.ProcurementMethod, input.method),
        "procurement_reference": input.procurement_reference,
        "winning_bidder": input.winning_bidder,
        "supervision_firm": input.supervision_firm,
        "contract_number": input.contract_number,
        "amount": input.amount,
        "signed_on": input.signed_on,
    }
    project, pk = await use_cases.record_contract(
        uow=ctx.uow(),
        gate=ctx.gate_in_force,
        project_id=ctx.pk(input.project_id, "Project"),
        values=values,
        om_by_bdb=om_by_bdb,
        expected_version=input.expected_version,
        late_entry_reason=input.late_entry_reason,
    )
    implementation = await implementation_of(ctx, project.id or 0)
    row = next(r for r in implementation.rows["contracts"] if r["id"] == pk)
    return ContractPayload(
        contract=ContractRecord.from_row(row), project=Project.from_domain(project), user_errors=[]
    )


@strawberry.type
class ConstructionMutations:
    @strawberry.mutation(
        description="登记实施记录和合同（项目单位） — the unit records legal person, procurement, "
        "supervision firm and contract; an approved project starts construction "
        "(R14–R15).",
        extensions=[Performs(Operation.CONTRACT_RECORD, on="Project")],
    )
    async def contract_record(self, info: Ctx, input: ContractRecordInput) -> ContractPayload:
        return await _contract(info.context, input, om_by_bdb=False)

    @strawberry.mutation(
        description="登记运维项目统一采购（市大数据管理局） — bdb records the O&M procurement it "
        "organized (R15).",
        extensions=[Performs(Operation.OM_PROCUREMENT_RECORD, on="Project")],
    )
    async def om_procurement_record(self, info: Ctx, input: ContractRecordInput) -> ContractPayload:
        return await _contract(info.context, input, om_by_bdb=True)

    @strawberry.mutation(
        description="合同转包或分包：一律拒绝，从不改变任何数据。有权限的调用总是得到 userErrors "
        "CONTRACT_ASSIGNMENT_FORBIDDEN（R15，第十五条），供前端展示法定理由 — always refused, never changes "
        "anything: Art. 15 forbids the winning bidder to transfer or split the contract. A caller allowed to "
        "record contracts always gets the userError CONTRACT_ASSIGNMENT_FORBIDDEN (rule R15) with the legal "
        "reason to show; `contract` and `project` are null. Kept so the refusal is typed, not a missing button.",
        extensions=[Performs(Operation.CONTRACT_RECORD, on="Contract")],
    )
    async def contract_assign(self, info: Ctx, input: ContractAssignInput) -> ContractPayload:
        ctx = info.context
        await use_cases.refuse_contract_assignment(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            contract_id=ctx.pk(input.contract_id, "Contract"),
            kind=to_domain(impl.ContractAssignmentKind, input.kind),
        )
        raise AssertionError("unreachable: Art. 15 refuses every assignment")

    @strawberry.mutation(
        description="申请或报备变更（项目单位） — the unit submits a change; within R17 it is filed "
        "and effective at once, otherwise it waits for bdb (R16–R17).",
        extensions=[Performs(Operation.CHANGE_REQUEST_FILE, on="Project")],
    )
    async def change_request_file(self, info: Ctx, input: ChangeRequestInput) -> ChangeRequestPayload:
        ctx = info.context
        project, change_id, preview = await use_cases.file_change(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            values=_change_values(input),
            expected_version=input.expected_version,
        )
        return await _change_payload(ctx, project.id or 0, change_id, preview)

    @strawberry.mutation(
        description="审批变更（市大数据管理局） — bdb approves or rejects a pending change; an "
        "approved change becomes the next version of the approved figures (R16).",
        extensions=[Performs(Operation.CHANGE_REQUEST_DECIDE, on="ChangeRequest")],
    )
    async def change_request_decide(self, info: Ctx, input: ChangeRequestDecideInput) -> ChangeRequestPayload:
        ctx = info.context
        change_id = ctx.pk(input.change_request_id, "ChangeRequest")
        project = await use_cases.decide_change(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            change_id=change_id,
            approve=input.approve,
            opinion=input.opinion,
        )
        return await _change_payload(ctx, project.id or 0, change_id, None)

    @strawberry.mutation(
        description="报送季度进度（项目单位） — the unit reports progress for one 3-month period (R18).",
        extensions=[Performs(Operation.PROGRESS_REPORT_SUBMIT, on="Project")],
    )
    async def progress_report_submit(
        self, info: Ctx, input: ProgressReportSubmitInput
    ) -> ImplementationPayload:
        ctx = info.context
        values = ProgressFigures(
            period_number=input.period_number,
            physical_progress=parse_decimal(input.physical_progress, "physicalProgress", "R18"),
            funds_spent=input.funds_spent,
            milestones=input.milestones,
            problems=input.problems,
        )
        project, _ = await use_cases.submit_progress(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            values=values,
        )
        return ImplementationPayload(
            implementation=await implementation_of(ctx, project.id or 0), user_errors=[]
        )
