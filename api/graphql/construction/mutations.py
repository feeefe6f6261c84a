"""Construction (Art. 14–18): inputs, payloads and mutations — contract, change control, progress."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import CNY, UserError
from api.graphql.construction.types import (
    _DESC_ERRORS,
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
from domain.services import construction as use_cases


@strawberry.input(
    description="登记实施记录和合同 — record the legal person, procurement, supervision firm and "
    "contract (R14–R15)."
)
class ContractRecordInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    legal_person: str = strawberry.field(description="项目法人 — the project legal person.")
    regime: ProcurementRegimeEnum = strawberry.field(description="采购法律制度 — procurement regime.")
    method: ProcurementMethodEnum = strawberry.field(description="采购方式 — procurement method.")
    procurement_reference: str = strawberry.field(description="采购/招标项目编号 — procurement reference.")
    winning_bidder: str = strawberry.field(description="中标（成交）单位 — winning bidder.")
    supervision_firm: str = strawberry.field(description="监理单位 — supervision firm.")
    contract_number: str = strawberry.field(description="合同编号 — contract number.")
    amount: CNY = strawberry.field(description="合同金额 — contract amount.")
    signed_on: date = strawberry.field(description="签订日期 — signed on.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")
    late_entry_reason: str | None = strawberry.field(
        default=None,
        description="补录理由（所填日期早于今天30日以上时必填，R24.1） — reason for a late entry; required when the stated date lies more than 30 days before today (R24.1).",
    )


@strawberry.input(
    description="合同转包或分包 — a transfer or split of the contract, always refused (Art. 15)."
)
class ContractAssignInput:
    contract_id: strawberry.ID = strawberry.field(description="合同全局标识 — contract id.")
    kind: ContractAssignmentKindEnum = strawberry.field(description="转包或分包 — transfer or split.")
    assignee: str = strawberry.field(description="受让单位 — the would-be assignee.")


@strawberry.type(description="合同登记结果 — result of a contract mutation.")
class ContractPayload:
    contract: ContractRecord | None = strawberry.field(description="合同 — the contract.")
    project: Project | None = strawberry.field(description="项目 — the project after the step.")
    user_errors: list[UserError] = strawberry.field(description=_DESC_ERRORS)


@strawberry.input(description="变更申请 — a change request (Art. 16–17).")
class ChangeRequestInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    aspects: list[ChangeAspectEnum] = strawberry.field(description="变更事项 — what changes.")
    description: str = strawberry.field(
        default="",
        description="变更内容：对规模、内容、标准或投资作何改变 — what changes in scale, content, standard or "
        "investment, in words (the `aspects` name which).",
    )
    reason: ChangeReasonEnum = strawberry.field(description="变更原因 — reason.")
    reason_detail: str = strawberry.field(default="", description="原因说明 — reason in words.")
    same_objectives: bool = strawberry.field(description="建设目标不变 — objectives unchanged.")
    new_total_investment: CNY = strawberry.field(
        description="变更后总投资 — total investment after the change."
    )
    adjusted_funds: CNY = strawberry.field(description="调整资金 — adjusted funds.")
    expected_version: int | None = strawberry.field(default=None, description="期望版本 — expected version.")


@strawberry.type(description="变更分类预览 — the dry run of a change request.")
class ChangeClassificationPayload:
    classification: ChangeClassification | None = strawberry.field(description="分类 — the classification.")
    user_errors: list[UserError] = strawberry.field(description=_DESC_ERRORS)


@strawberry.input(description="审批变更 — bdb's decision on a pending change (R16).")
class ChangeRequestDecideInput:
    change_request_id: strawberry.ID = strawberry.field(description="变更全局标识 — change request id.")
    approve: bool = strawberry.field(description="是否批准 — approve.")
    opinion: str = strawberry.field(
        description="审批意见：批准或不批准的理由，告知项目单位 — bdb's reasons for approving or rejecting the "
        "change, shown to the unit."
    )


@strawberry.type(description="变更结果 — result of a change-request mutation.")
class ChangeRequestPayload:
    change_request: ChangeRequest | None = strawberry.field(description="变更申请 — the change request.")
    classification: ChangeClassification | None = strawberry.field(
        description="分类 — how it was classified."
    )
    implementation: ProjectImplementation | None = strawberry.field(
        description="项目实施 — the implementation."
    )
    user_errors: list[UserError] = strawberry.field(description=_DESC_ERRORS)


@strawberry.input(description="季度进度报告 — a quarterly progress report (R18).")
class ProgressReportSubmitInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    period_number: int = strawberry.field(description="报告期次（自批复日起每3个月为一期） — period number.")
    physical_progress: str = strawberry.field(
        description='形象进度百分比，如 "45.50" — physical progress in per cent.'
    )
    funds_spent: CNY = strawberry.field(description="资金支出 — funds spent.")
    milestones: str = strawberry.field(default="", description="里程碑 — milestones.")
    problems: str = strawberry.field(default="", description="存在问题 — problems.")


@strawberry.type(description="实施记录结果 — result of an implementation mutation.")
class ImplementationPayload:
    implementation: ProjectImplementation | None = strawberry.field(
        description="项目实施 — the implementation."
    )
    user_errors: list[UserError] = strawberry.field(description=_DESC_ERRORS)


def _change_values(input: ChangeRequestInput) -> dict[str, Any]:
    return {
        "aspects": [to_domain(ch.ChangeAspect, a) for a in input.aspects],
        "description": input.description,
        "reason": to_domain(ch.ChangeReason, input.reason),
        "reason_detail": input.reason_detail,
        "same_objectives": input.same_objectives,
        "new_total_investment": input.new_total_investment,
        "adjusted_funds": input.adjusted_funds,
    }


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
        values = {
            "period_number": input.period_number,
            "physical_progress": parse_decimal(input.physical_progress, "physicalProgress", "R18"),
            "funds_spent": input.funds_spent,
            "milestones": input.milestones,
            "problems": input.problems,
        }
        project, _ = await use_cases.submit_progress(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            values=values,
        )
        return ImplementationPayload(
            implementation=await implementation_of(ctx, project.id or 0), user_errors=[]
        )
