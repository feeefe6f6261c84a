"""Construction (Art. 14–18): the implementation record and contract, change control with its dry run,
quarterly progress; and the read side of everything up to evaluation (`projectImplementation`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs, require_on_project
from api.graphql.common import CNY, Node, UserError, to_global_id
from api.graphql.enums import (
    AcceptanceReportEnum,
    ChangeAspectEnum,
    ChangeReasonEnum,
    ChangeRouteEnum,
    ChangeStatusEnum,
    ContractAssignmentKindEnum,
    DisbursementKindEnum,
    PostEvaluationGradeEnum,
    ProcurementMethodEnum,
    ProcurementRegimeEnum,
    to_domain,
    to_gql,
)
from api.graphql.projects import Project, load_readable_project
from authz.operations import Operation
from domain import acceptance as acc
from domain import changes as ch
from domain import evaluation as ev
from domain import implementation as impl
from domain.acceptance import Acceptance
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.progress import ProgressFigures, reporting_quarters
from domain.projects import Project as DomainProject
from domain.rules import article_label
from domain.services import construction as use_cases
from store import approval_tables
from store import construction_tables as t
from store.construction_repositories import load_acceptance

Ctx = Info[Context, None]
_DESC_ERRORS = "拒绝理由；成功时为空 — refusals; empty on success."


def parse_decimal(value: str, field: str, rule: str) -> Decimal:
    """Percentages and scores are decimal strings ("45.50"); anything else is a typed refusal."""
    try:
        number = Decimal(value.strip())
        if number.is_finite():
            return number
    except InvalidOperation:
        pass
    raise DomainError(
        [
            Violation(
                "INVALID_DECIMAL",
                f"「{value}」不是有效的数值。",
                f"{value!r} is not a decimal number.",
                rule=rule,
                field=("input", field),
            )
        ]
    )


def percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


# Types ---------------------------------------------------------------------------------------------


@strawberry.type(
    description="合同及实施记录 — the implementation record: legal person, procurement, supervision "
    "firm and contract (R14–R15)."
)
class ContractRecord(Node):
    legal_person: str = strawberry.field(description="项目法人 — the project legal person (R14).")
    regime: ProcurementRegimeEnum = strawberry.field(description="采购法律制度 — procurement regime (R15).")
    method: ProcurementMethodEnum = strawberry.field(description="采购方式 — procurement method (R15).")
    procurement_reference: str = strawberry.field(description="采购/招标项目编号 — procurement reference.")
    winning_bidder: str = strawberry.field(description="中标（成交）单位 — winning bidder.")
    supervision_firm: str = strawberry.field(description="监理单位 — supervision (监理) firm (R14).")
    contract_number: str = strawberry.field(description="合同编号 — contract number.")
    amount: CNY = strawberry.field(description="合同金额 — contract amount.")
    signed_on: date = strawberry.field(description="签订日期 — signed on.")
    operation_maintenance: bool = strawberry.field(
        description="运维统一采购（大数据局组织） — O&M procurement organized by bdb (R15)."
    )
    recorded_at: datetime = strawberry.field(description="登记时间 — recorded at.")

    @classmethod
    def from_row(cls, r: Any) -> ContractRecord:
        return cls(
            id=to_global_id("Contract", r["id"]),
            legal_person=r["legal_person"],
            regime=to_gql(ProcurementRegimeEnum, r["regime"]),
            method=to_gql(ProcurementMethodEnum, r["method"]),
            procurement_reference=r["procurement_reference"],
            winning_bidder=r["winning_bidder"],
            supervision_firm=r["supervision_firm"],
            contract_number=r["contract_number"],
            amount=r["amount"],
            signed_on=r["signed_on"],
            operation_maintenance=r["operation_maintenance"],
            recorded_at=r["recorded_at"],
        )


@strawberry.type(description="变更分类 — how a change is handled and the rule that decided it (R16–R17).")
class ChangeClassification:
    route: ChangeRouteEnum = strawberry.field(description="办理方式 — filing or approval.")
    rule: str = strawberry.field(description="规则编号 — the rule that decided, `R16` or `R17`.")
    article: str = strawberry.field(description="条款 — the article, e.g. `第十七条`.")
    explanation: str = strawberry.field(description="说明 — why (zh-CN or en).")
    approved_total: CNY = strawberry.field(description="现行批复总投资 — approved total in force.")
    filed_adjustments: CNY = strawberry.field(
        description="已备案调整资金合计 — adjusted funds of earlier filings."
    )
    cumulative_adjusted: CNY = strawberry.field(
        description="含本次的累计调整资金 — cumulative incl. this change."
    )
    filing_limit: CNY = strawberry.field(description="备案上限（总投资15%） — 15 % of the approved total.")
    cumulative_share: str = strawberry.field(
        description="累计调整占总投资百分比 — cumulative share of the total, "
        'in per cent as a decimal string, e.g. "15.00".'
    )

    @classmethod
    def from_preview(cls, preview: use_cases.ChangePreview, lang: str) -> ChangeClassification:
        c = preview.classification
        share = c.cumulative_adjusted * 100 / preview.approved_total
        return cls(
            route=to_gql(ChangeRouteEnum, c.route),
            rule=c.rule,
            article=article_label(c.rule, lang) or "",
            explanation=c.en if lang == "en" else c.zh,
            approved_total=preview.approved_total,
            filed_adjustments=preview.filed_adjustments,
            cumulative_adjusted=c.cumulative_adjusted,
            filing_limit=c.filing_limit,
            cumulative_share=percent(share),
        )


@strawberry.type(description="变更申请 — a change of scale, content, standard or investment (Art. 16–17).")
class ChangeRequest(Node):
    aspects: list[ChangeAspectEnum] = strawberry.field(description="变更事项 — what changes.")
    description: str = strawberry.field(
        description="变更内容：对规模、内容、标准或投资作何改变（项目单位申请时填写） — what the unit proposes "
        "to change in scale, content, standard or investment, in its own words; set when filed."
    )
    reason: ChangeReasonEnum = strawberry.field(description="变更原因 — reason (R17).")
    reason_detail: str = strawberry.field(description="原因说明 — reason in words.")
    same_objectives: bool = strawberry.field(description="建设目标不变 — objectives unchanged.")
    previous_total_investment: CNY = strawberry.field(description="变更前批复总投资 — approved total before.")
    new_total_investment: CNY = strawberry.field(description="变更后总投资 — total after the change.")
    adjusted_funds: CNY = strawberry.field(description="调整资金 — adjusted funds.")
    route: ChangeRouteEnum = strawberry.field(description="办理方式 — filing or approval.")
    rule: str = strawberry.field(description="决定办理方式的规则 — the rule that decided the route.")
    status: ChangeStatusEnum = strawberry.field(description="状态 — status.")
    submitted_at: datetime = strawberry.field(description="提交时间 — submitted at.")
    decided_at: datetime | None = strawberry.field(description="审批时间 — decided at.")
    decision_opinion: str | None = strawberry.field(description="审批意见 — bdb's opinion.")

    @classmethod
    def from_row(cls, r: Any) -> ChangeRequest:
        return cls(
            id=to_global_id("ChangeRequest", r["id"]),
            aspects=[to_gql(ChangeAspectEnum, ch.ChangeAspect(a)) for a in r["aspects"]],
            description=r["description"],
            reason=to_gql(ChangeReasonEnum, r["reason"]),
            reason_detail=r["reason_detail"],
            same_objectives=r["same_objectives"],
            previous_total_investment=r["previous_total_investment"],
            new_total_investment=r["new_total_investment"],
            adjusted_funds=r["adjusted_funds"],
            route=to_gql(ChangeRouteEnum, r["route"]),
            rule=r["rule"],
            status=to_gql(ChangeStatusEnum, r["status"]),
            submitted_at=r["submitted_at"],
            decided_at=r["decided_at"],
            decision_opinion=r["decision_opinion"],
        )


@strawberry.type(description="批复指标版本 — one version of the project's approved figures (R16–R17).")
class ApprovedFiguresVersion:
    version: int = strawberry.field(description="版本号（1 为初步设计批复） — version; 1 is the approval.")
    approved_investment: CNY = strawberry.field(description="批复总投资 — approved total investment.")
    effective_on: date = strawberry.field(description="生效日期 — effective on.")
    note: str = strawberry.field(description="说明 — what changed.")
    change_request_id: strawberry.ID | None = strawberry.field(
        description="对应的变更申请 — the change request."
    )


@strawberry.type(description="季度进度报告 — a quarterly progress report (R18).")
class ProgressReport(Node):
    period_number: int = strawberry.field(description="报告期次（自批复日起每3个月） — period number.")
    period_start: date = strawberry.field(description="报告期起 — period start.")
    period_end: date = strawberry.field(description="报告期止（应报日期） — period end, the due date.")
    physical_progress: str = strawberry.field(
        description="形象进度（百分比） — physical progress in per cent."
    )
    funds_spent: CNY = strawberry.field(description="资金支出 — funds spent.")
    milestones: str = strawberry.field(description="里程碑 — milestones.")
    problems: str = strawberry.field(description="存在问题 — problems.")
    submitted_at: datetime = strawberry.field(description="报送时间 — submitted at.")

    @classmethod
    def from_row(cls, r: Any) -> ProgressReport:
        return cls(
            id=to_global_id("ProgressReport", r["id"]),
            period_number=r["period_number"],
            period_start=r["period_start"],
            period_end=r["period_end"],
            physical_progress=percent(r["physical_progress"]),
            funds_spent=r["funds_spent"],
            milestones=r["milestones"],
            problems=r["problems"],
            submitted_at=r["submitted_at"],
        )


@strawberry.type(description="进度报告期 — one 3-month reporting slot and whether it is overdue (R18).")
class ProgressQuarter:
    number: int = strawberry.field(description="期次 — period number.")
    due_on: date = strawberry.field(description="应报日期 — due date.")
    submitted: bool = strawberry.field(description="已报送 — submitted.")
    overdue: bool = strawberry.field(description="已逾期 — overdue (past its due date, not submitted).")


@strawberry.type(description="验收记录 — one acceptance event (R19–R21).")
class AcceptanceEvent:
    kind: str = strawberry.field(
        description="类型 — `INITIAL` 初步验收, `EXTENSION` 延期, `APPLICATION` 竣工验收申请, "
        "`RESUBMISSION` 整改后重新申请, `RESULT` 验收结果, `FILING` 报备, "
        "`FILING_ACKNOWLEDGED` 备案确认."
    )
    date: date = strawberry.field(description="日期 — date.")
    passed: bool | None = strawberry.field(description="是否通过 — passed (initial acceptance, result).")
    reports: list[AcceptanceReportEnum] = strawberry.field(description="所附报告 — reports attached (R19.2).")
    deadline: date | None = strawberry.field(description="期限 — extension end or rectification deadline.")
    note: str = strawberry.field(description="说明或意见 — note or opinion.")
    recorded_at: datetime = strawberry.field(description="登记时间 — recorded at.")


@strawberry.type(description="验收进展 — where the acceptance stands (R19–R21).")
class AcceptanceState:
    initial_passed_on: date | None = strawberry.field(
        description="初步验收通过日期 — initial acceptance passed on."
    )
    window_opens_on: date | None = strawberry.field(
        description="竣工验收申请起始日（满3个月） — window opens."
    )
    window_closes_on: date | None = strawberry.field(
        description="竣工验收申请截止日（6个月内，含延期） — window closes, extension included."
    )
    extended_until: date | None = strawberry.field(description="大数据局登记的延期 — bdb's extension.")
    rectification_deadline: date | None = strawberry.field(
        description="整改期限 — rectification deadline (R20)."
    )
    required_reports: list[AcceptanceReportEnum] = strawberry.field(
        description="须附的五项报告 — the five reports."
    )
    filing_pending: bool = strawberry.field(description="验收报告已报备待确认 — filed, awaiting bdb.")


@strawberry.type(description="资金拨付 — a disbursement recorded by finance (Art. 21).")
class Disbursement(Node):
    kind: DisbursementKindEnum = strawberry.field(description="类型 — kind.")
    amount: CNY = strawberry.field(description="金额 — amount.")
    paid_on: date = strawberry.field(description="拨付日期 — paid on.")
    note: str = strawberry.field(description="说明 — note.")
    recorded_at: datetime = strawberry.field(description="登记时间 — recorded at.")


@strawberry.type(description="数据中心资源分配 — data-centre resources allocated (R21).")
class ResourceAllocation:
    resources: str = strawberry.field(description="资源 — resources.")
    recorded_at: datetime = strawberry.field(description="登记时间 — recorded at.")


@strawberry.type(description="项目自评价 — the unit's self-evaluation (R22).")
class SelfEvaluation:
    summary: str = strawberry.field(description="自评价内容 — the self-evaluation.")
    delivered_to: list[str] = strawberry.field(description="报送对象（角色） — delivered to (roles).")
    submitted_on: date = strawberry.field(description="提交日期 — submitted on.")


@strawberry.type(description="第三方后评价 — a post-evaluation commissioned by bdb (R22).")
class PostEvaluation(Node):
    evaluator_organization_id: strawberry.ID | None = strawberry.field(description="评估机构 — evaluator.")
    score: str | None = strawberry.field(description="得分 — score as a decimal string.")
    grade: PostEvaluationGradeEnum | None = strawberry.field(description="等级 — grade.")
    findings: str = strawberry.field(description="主要结论 — findings.")
    completed_at: datetime | None = strawberry.field(description="完成时间 — completed at; null while open.")

    @classmethod
    def from_row(cls, r: Any) -> PostEvaluation:
        return cls(
            id=to_global_id("PostEvaluation", r["id"]),
            evaluator_organization_id=to_global_id("Organization", r["evaluator_organization_id"])
            if r["evaluator_organization_id"]
            else None,
            score=None if r["score"] is None else percent(r["score"]),
            grade=to_gql(PostEvaluationGradeEnum, ev.Grade(r["grade"])) if r["grade"] else None,
            findings=r["findings"],
            completed_at=r["completed_at"],
        )


@strawberry.type(description="项目实施全过程 — a project from contract to evaluation (Art. 14–22).")
class ProjectImplementation:
    model: strawberry.Private[DomainProject]
    today: strawberry.Private[date]
    rows: strawberry.Private[dict[str, list[Any]]]
    history: strawberry.Private[Acceptance]

    @strawberry.field(description="项目 — the project.")
    def project(self) -> Project:
        return Project.from_domain(self.model)

    @strawberry.field(description="合同及实施记录 — contracts (R14–R15).")
    def contracts(self) -> list[ContractRecord]:
        return [ContractRecord.from_row(r) for r in self.rows["contracts"]]

    @strawberry.field(description="变更申请 — change requests, oldest first (R16–R17).")
    def change_requests(self) -> list[ChangeRequest]:
        return [ChangeRequest.from_row(r) for r in self.rows["changes"]]

    @strawberry.field(
        description="批复指标的全部版本 — every version of the approved figures; empty until the "
        "first effective change (then version 1 is the approval)."
    )
    def approved_figure_versions(self) -> list[ApprovedFiguresVersion]:
        return [
            ApprovedFiguresVersion(
                version=r["version"],
                approved_investment=r["approved_investment"],
                effective_on=r["effective_on"],
                note=r["note"],
                change_request_id=to_global_id("ChangeRequest", r["change_request_id"])
                if r["change_request_id"]
                else None,
            )
            for r in self.rows["versions"]
        ]

    @strawberry.field(description="进度报告 — progress reports (R18).")
    def progress_reports(self) -> list[ProgressReport]:
        return [ProgressReport.from_row(r) for r in self.rows["progress"]]

    @strawberry.field(
        description="应报进度期次（至今日或验收备案日） — every reporting period due so far, each "
        "submitted or overdue (R18)."
    )
    def progress_quarters(self) -> list[ProgressQuarter]:
        if self.model.approval_date is None:
            return []
        done = {r["period_number"] for r in self.rows["progress"]}
        quarters = reporting_quarters(
            self.model.approval_date, self.today, done, self.history.reporting_ends_on
        )
        return [
            ProgressQuarter(number=q.number, due_on=q.due_on, submitted=q.submitted, overdue=q.overdue)
            for q in quarters
        ]

    @strawberry.field(description="验收进展 — acceptance state (R19–R21).")
    def acceptance(self) -> AcceptanceState:
        history = self.history
        rectifying = self.model.status is Status.RECTIFYING
        return AcceptanceState(
            initial_passed_on=history.initial_passed_on,
            window_opens_on=history.window_opens_on,
            window_closes_on=history.window_closes_on,
            extended_until=history.extended_until,
            rectification_deadline=history.rectification_deadline if rectifying else None,
            required_reports=[
                to_gql(AcceptanceReportEnum, r) for r in acc.required_reports(self.model.classified)
            ],
            filing_pending=history.filing_pending,
        )

    @strawberry.field(description="验收记录 — acceptance events, oldest first.")
    def acceptance_events(self) -> list[AcceptanceEvent]:
        return [
            AcceptanceEvent(
                kind=str(e.kind),
                date=e.event_date,
                passed=e.passed,
                reports=[to_gql(AcceptanceReportEnum, acc.AcceptanceReport(x)) for x in e.reports],
                deadline=e.deadline,
                note=e.note,
                recorded_at=e.recorded_at,
            )
            for e in self.history.events
        ]

    @strawberry.field(
        description="资金拨付明细（财政、大数据局、审计和项目单位可见） — disbursements; readable by "
        "finance, bdb, audit and the lead unit, others get null and a FORBIDDEN error."
    )
    def disbursements(self, info: Info[Context, None]) -> list[Disbursement] | None:
        require_on_project(info, Operation.DISBURSEMENT_READ, self.model)
        return [
            Disbursement(
                id=to_global_id("Disbursement", r["id"]),
                kind=to_gql(DisbursementKindEnum, r["kind"]),
                amount=r["amount"],
                paid_on=r["paid_on"],
                note=r["note"],
                recorded_at=r["recorded_at"],
            )
            for r in self.rows["disbursements"]
        ]

    @strawberry.field(
        description="累计拨付（同拨付明细的可见范围） — total disbursed; readable like the details."
    )
    def disbursed_total(self, info: Info[Context, None]) -> CNY | None:
        require_on_project(info, Operation.DISBURSEMENT_READ, self.model)
        return CNY(sum((r["amount"] for r in self.rows["disbursements"]), Decimal("0.00")))

    @strawberry.field(description="数据中心资源分配 — data-centre resource allocations.")
    def resource_allocations(self) -> list[ResourceAllocation]:
        return [
            ResourceAllocation(resources=r["resources"], recorded_at=r["recorded_at"])
            for r in self.rows["allocations"]
        ]

    @strawberry.field(description="自评价 — self-evaluations (R22).")
    def self_evaluations(self) -> list[SelfEvaluation]:
        return [
            SelfEvaluation(
                summary=r["summary"], delivered_to=list(r["delivered_to"]), submitted_on=r["submitted_on"]
            )
            for r in self.rows["self_evaluations"]
        ]

    @strawberry.field(
        description="自评价期间 [起, 止]（运行满12至24个月，含首尾） — the self-evaluation window as "
        "[opens, closes], both days included; null before operation."
    )
    def self_evaluation_window(self) -> list[date] | None:
        if self.model.operation_started_on is None:
            return None
        return list(ev.self_evaluation_window(self.model.operation_started_on))

    @strawberry.field(description="后评价 — post-evaluations (R22).")
    def post_evaluations(self) -> list[PostEvaluation]:
        return [PostEvaluation.from_row(r) for r in self.rows["post_evaluations"]]


_TABLES = {
    "contracts": t.contracts,
    "changes": t.change_requests,
    "versions": t.approved_figure_versions,
    "progress": t.progress_reports,
    "disbursements": t.disbursements,
    "allocations": t.resource_allocations,
    "self_evaluations": t.self_evaluations,
    "post_evaluations": approval_tables.post_evaluations,
}


async def implementation_of(ctx: Context, project_id: int) -> ProjectImplementation:
    project = await load_readable_project(ctx, pk=project_id)
    rows: dict[str, list[Any]] = {}
    async with ctx.session_factory() as session:
        for key, table in _TABLES.items():
            rows[key] = list(
                (
                    await session.execute(
                        select(table).where(table.c.project_id == project_id).order_by(table.c.id)
                    )
                ).mappings()
            )
        history = await load_acceptance(session, project_id)
    return ProjectImplementation(model=project, today=legal_date(ctx.clock()), rows=rows, history=history)


# Inputs and payloads ---------------------------------------------------------------------------------


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


@strawberry.type
class ConstructionQueries:
    @strawberry.field(
        description="项目实施全过程（合同、变更、进度、验收、资金、评价） — a project from contract "
        "to evaluation (Art. 14–22)."
    )
    async def project_implementation(
        self,
        info: Ctx,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="项目全局标识 — project id.")],
    ) -> ProjectImplementation:
        ctx = info.context
        ctx.require_actor()
        return await implementation_of(ctx, ctx.pk(project_id, "Project"))

    @strawberry.field(
        description="变更分类预览（不提交） — dry run: how a change would be handled and the rule that "
        "decides it (R16–R17); nothing is written.",
        extensions=[Performs(Operation.CHANGE_REQUEST_FILE, on="Project")],
    )
    async def change_request_classify(
        self,
        info: Ctx,
        input: Annotated[
            ChangeRequestInput, strawberry.argument(description="拟申请的变更 — the change to classify.")
        ],
    ) -> ChangeClassificationPayload:
        ctx = info.context
        preview = await use_cases.preview_change(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            values=_change_values(input),
        )
        return ChangeClassificationPayload(
            classification=ChangeClassification.from_preview(preview, ctx.lang), user_errors=[]
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
