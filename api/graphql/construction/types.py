"""Construction (Art. 14–18): the types of the implementation record — contract, change requests, quarterly
progress — and the read side of everything up to evaluation (`ProjectImplementation`, `implementation_of`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import require_on_project
from api.graphql.common import CNY, Node, to_global_id
from api.graphql.construction.report_files import AcceptanceReportFile, report_files
from api.graphql.enums import (
    AcceptanceReportEnum,
    ChangeAspectEnum,
    ChangeReasonEnum,
    ChangeRouteEnum,
    ChangeStatusEnum,
    DisbursementKindEnum,
    PostEvaluationGradeEnum,
    ProcurementMethodEnum,
    ProcurementRegimeEnum,
    to_gql,
)
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from authz.operations import Operation
from domain import acceptance as acc
from domain import changes as ch
from domain import evaluation as ev
from domain.acceptance import Acceptance
from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.progress import reporting_quarters
from domain.projects import Project as DomainProject
from domain.rules import article_label
from domain.services import construction as use_cases
from store import approval_tables
from store import construction_tables as t
from store.construction_repositories import load_acceptance

Ctx = Info[Context, None]


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
    legal_person: str = strawberry.field(
        description="项目法人：负责实施的单位或个人（R14） — the project legal person responsible for implementation (R14)."
    )
    regime: ProcurementRegimeEnum = strawberry.field(
        description="适用的法律：政府采购法或招标投标法（R15） — the law followed: government procurement or tendering (R15)."
    )
    method: ProcurementMethodEnum = strawberry.field(
        description="采购方式，属于所适用的法律，如公开招标（R15） — the procurement method under that law, e.g. PUBLIC_TENDER (R15)."
    )
    procurement_reference: str = strawberry.field(
        description="政府采购或招标项目编号 — the government procurement or tender reference number."
    )
    winning_bidder: str = strawberry.field(
        description="中标（成交）单位名称；不得转包、分包（R15） — the winning bidder's name; it may not transfer or split the contract (R15)."
    )
    supervision_firm: str = strawberry.field(
        description="工程监理单位名称（R14） — the name of the supervision (监理) firm overseeing construction (R14)."
    )
    contract_number: str = strawberry.field(
        description="合同编号，与签订的合同一致 — the contract's number exactly as on the signed contract."
    )
    amount: CNY = strawberry.field(
        description="合同金额（元，两位小数） — the contract amount in CNY, a decimal string."
    )
    signed_on: date = strawberry.field(
        description="合同签订日期（YYYY-MM-DD）：不早于批复，不晚于今天（R14.1） — the day the contract was signed, YYYY-MM-DD: not before the approval, not after today (R14.1)."
    )
    operation_maintenance: bool = strawberry.field(
        description="运维统一采购（大数据局组织） — O&M procurement organized by bdb (R15)."
    )
    recorded_at: datetime = strawberry.field(
        description="登记时间（UTC） — when the contract was recorded in the platform (UTC)."
    )

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
    route: ChangeRouteEnum = strawberry.field(
        description="办理方式：FILING 备案即生效，APPROVAL 须大数据局审批 — FILING (in force once filed) or APPROVAL (the Big Data Bureau decides)."
    )
    rule: str = strawberry.field(description="规则编号 — the rule that decided, `R16` or `R17`.")
    article: str = strawberry.field(
        description="决定办理方式的条款，如「第十七条」 — the article that decides the route, e.g. `第十七条`."
    )
    explanation: str = strawberry.field(
        description="为何走此办理方式（按 Accept-Language 为中文或英文） — why the change takes this route, in zh-CN or English."
    )
    approved_total: CNY = strawberry.field(
        description="现行批复总投资（元），即判断的基准 — the approved total investment in force, in CNY: the basis of the check."
    )
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
    aspects: list[ChangeAspectEnum] = strawberry.field(
        description="变更涉及的方面：规模、内容、标准或投资（R16） — what the change touches: scale, content, standard or investment (R16)."
    )
    description: str = strawberry.field(
        description="变更内容：对规模、内容、标准或投资作何改变（项目单位申请时填写） — what the unit proposes "
        "to change in scale, content, standard or investment, in its own words; set when filed."
    )
    reason: ChangeReasonEnum = strawberry.field(
        description="变更原因类别；只有三类原因可走备案（R17） — the reason category; only three reasons may take the filing route (R17)."
    )
    reason_detail: str = strawberry.field(
        description="变更原因的文字说明 — the reason for the change in words, as the unit wrote it."
    )
    same_objectives: bool = strawberry.field(
        description="单位声明建设目标不变（备案条件之一，R17） — the unit states the objectives stay the same, one condition of the filing route (R17)."
    )
    previous_total_investment: CNY = strawberry.field(
        description="变更前的批复总投资（元） — the approved total investment before this change, in CNY."
    )
    new_total_investment: CNY = strawberry.field(
        description="变更后的总投资（元）；不得超过批复总投资，超出须另行审批 — the total investment after the change in CNY; above the approved total it needs approval."
    )
    adjusted_funds: CNY = strawberry.field(
        description="本次调整的资金（元）；累计不超过 15% 可备案（R17） — the funds moved by this change in CNY; a cumulative ≤ 15 % may be filed (R17)."
    )
    route: ChangeRouteEnum = strawberry.field(
        description="办理方式：FILING 备案即生效，APPROVAL 须大数据局审批（R16、R17） — FILING (in force once filed) or APPROVAL (the Big Data Bureau decides), as R16/R17 classify it."
    )
    rule: str = strawberry.field(description="决定办理方式的规则 — the rule that decided the route.")
    status: ChangeStatusEnum = strawberry.field(
        description="变更状态：已备案、待审批、已批准或已驳回 — filed, pending, approved or rejected."
    )
    submitted_at: datetime = strawberry.field(
        description="提交时间（UTC） — when the unit filed the request (UTC)."
    )
    decided_at: datetime | None = strawberry.field(
        description="大数据局审批时间（UTC）；备案或未审批为空 — when the Big Data Bureau decided (UTC); null for a filing or while pending."
    )
    decision_opinion: str | None = strawberry.field(
        description="大数据局的审批意见；未审批为空 — the Big Data Bureau's opinion on the decision; null until decided."
    )

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
    approved_investment: CNY = strawberry.field(
        description="该版本的批复总投资（元） — the approved total investment in this version, in CNY."
    )
    effective_on: date = strawberry.field(
        description="该版本生效的日期（YYYY-MM-DD） — the day this version took effect, YYYY-MM-DD."
    )
    note: str = strawberry.field(
        description="与上一版本相比的变化说明 — what changed from the previous version, in words."
    )
    change_request_id: strawberry.ID | None = strawberry.field(
        description="产生该版本的变更申请的全局标识；初次批复为空 — the change request that made this version; null for the first approval."
    )


@strawberry.type(description="季度进度报告 — a quarterly progress report (R18).")
class ProgressReport(Node):
    period_number: int = strawberry.field(
        description="报告期次：自批复日起每 3 个月一期，从 1 开始（R18） — the period number, 1 for the first three months after approval (R18)."
    )
    period_start: date = strawberry.field(
        description="报告期第一天（YYYY-MM-DD） — the first day of the reporting period, YYYY-MM-DD."
    )
    period_end: date = strawberry.field(
        description="报告期最后一天，即应报日期（YYYY-MM-DD） — the last day of the period, which is also the day the report is due, YYYY-MM-DD."
    )
    physical_progress: str = strawberry.field(
        description="形象进度（0–100 的百分比） — the physical progress of construction, a percentage from 0 to 100."
    )
    funds_spent: CNY = strawberry.field(
        description="本期报告的资金支出（元，两位小数，≥ 0） — the funds spent as this report states them, in CNY, ≥ 0."
    )
    milestones: str = strawberry.field(
        description="本期完成的里程碑（自由文本） — the milestones reached in this period, free text."
    )
    problems: str = strawberry.field(
        description="存在的问题（自由文本，可为空） — the problems met, free text; may be empty."
    )
    submitted_at: datetime = strawberry.field(
        description="报送时间（UTC）；晚于报告期止即为逾期 — when the report was submitted (UTC); after periodEnd it was late."
    )

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
    number: int = strawberry.field(
        description="报告期次，从 1 开始，每 3 个月一期（R18） — the period number, from 1, one every three months (R18)."
    )
    due_on: date = strawberry.field(
        description="该期报告的应报日期（YYYY-MM-DD） — the day this period's report is due, YYYY-MM-DD."
    )
    submitted: bool = strawberry.field(
        description="该期报告是否已报送 — whether this period's report has been submitted."
    )
    overdue: bool = strawberry.field(description="已逾期 — overdue (past its due date, not submitted).")


@strawberry.type(
    description="一条验收记录：初验、延期、申请、决定或报备（R19–R21） — one step of the acceptance: initial acceptance, extension, application, decision or filing (R19–R21)."
)
class AcceptanceEvent:
    kind: str = strawberry.field(
        description="类型 — `INITIAL` 初步验收, `EXTENSION` 延期, `APPLICATION` 竣工验收申请, "
        "`RESUBMISSION` 整改后重新申请, `RESULT` 验收结果, `FILING` 报备, "
        "`FILING_ACKNOWLEDGED` 备案确认."
    )
    date: date = strawberry.field(
        description="事件日期（YYYY-MM-DD，中国时间） — the day the step happened, YYYY-MM-DD in China time."
    )
    passed: bool | None = strawberry.field(description="是否通过 — passed (initial acceptance, result).")
    reports: list[AcceptanceReportEnum] = strawberry.field(
        description="申请竣工验收时所附的报告（R19.2）；其他步骤为空列表 — the reports attached to a completion acceptance application (R19.2); empty for other steps."
    )
    deadline: date | None = strawberry.field(description="期限 — extension end or rectification deadline.")
    note: str = strawberry.field(
        description="说明或验收意见（自由文本） — the note or the acceptance opinion, free text."
    )
    recorded_at: datetime = strawberry.field(
        description="登记时间（UTC） — when the step was recorded in the platform (UTC)."
    )


@strawberry.type(description="验收进展 — where the acceptance stands (R19–R21).")
class AcceptanceState:
    initial_passed_on: date | None = strawberry.field(
        description="初步验收通过日期（YYYY-MM-DD）；未通过为空 — the day the initial acceptance passed, YYYY-MM-DD; null before that."
    )
    window_opens_on: date | None = strawberry.field(
        description="最早可申请竣工验收的日期：初验通过满 3 个月（R19.1） — the first day a completion acceptance may be applied for: 3 months after the initial acceptance (R19.1)."
    )
    window_closes_on: date | None = strawberry.field(
        description="竣工验收申请截止日（6个月内，含延期） — window closes, extension included."
    )
    extended_until: date | None = strawberry.field(
        description="大数据局登记的延期截止日；无延期为空（R19.1） — the deadline the Big Data Bureau extended the window to; null without an extension (R19.1)."
    )
    rectification_deadline: date | None = strawberry.field(
        description="竣工验收未通过后的整改截止日（3 个月，R20）；无整改为空 — the last day to rectify after a failed completion acceptance (3 months, R20); null otherwise."
    )
    required_reports: list[AcceptanceReportEnum] = strawberry.field(
        description="竣工验收申请须附的五项报告（R19.2） — the five reports a completion acceptance application attaches: summary, financial, supervision, security and crypto (R19.2)."
    )
    filing_pending: bool = strawberry.field(
        description="验收报告已报备、待大数据局确认时为 true — true while the acceptance report is filed and awaits the Big Data Bureau's acknowledgement."
    )


@strawberry.type(description="资金拨付 — a disbursement recorded by finance (Art. 21).")
class Disbursement(Node):
    kind: DisbursementKindEnum = strawberry.field(
        description="拨付类型：预付款、进度款或尾款（尾款须在验收报备后，R21） — ADVANCE, PROGRESS or FINAL (the remaining funds, only after the acceptance filing, R21)."
    )
    amount: CNY = strawberry.field(
        description='拨付金额（元，两位小数），如 "500000.00" — the amount paid, in CNY, e.g. "500000.00".'
    )
    paid_on: date = strawberry.field(
        description="拨付日期（YYYY-MM-DD）：批复之后、不晚于今天（R21.1） — the day it was paid, YYYY-MM-DD: after the approval, not after today (R21.1)."
    )
    note: str = strawberry.field(
        description="拨付说明（自由文本，可为空） — a note on the payment, free text; may be empty."
    )
    recorded_at: datetime = strawberry.field(
        description="登记时间（UTC） — when the payment was recorded (UTC)."
    )


@strawberry.type(description="数据中心资源分配 — data-centre resources allocated (R21).")
class ResourceAllocation:
    resources: str = strawberry.field(
        description="分配的数据中心资源（自由文本，如 CPU、存储） — the data-centre resources allocated, free text."
    )
    recorded_at: datetime = strawberry.field(
        description="登记时间（UTC） — when the allocation was recorded (UTC)."
    )


@strawberry.type(description="项目自评价 — the unit's self-evaluation (R22).")
class SelfEvaluation:
    summary: str = strawberry.field(
        description="绩效自评价内容（自由文本） — the performance self-evaluation, free text."
    )
    delivered_to: list[str] = strawberry.field(
        description="自评价报送的部门角色，如 bdb、finance — the roles of the agencies it went to, e.g. `bdb`, `finance`."
    )
    submitted_on: date = strawberry.field(
        description="提交日期（YYYY-MM-DD，中国时间） — the day it was submitted, YYYY-MM-DD in China time."
    )


@strawberry.type(description="第三方后评价 — a post-evaluation commissioned by bdb (R22).")
class PostEvaluation(Node):
    evaluator_organization_id: strawberry.ID | None = strawberry.field(
        description="受委托的评估机构的全局标识 — the commissioned evaluator organization's global id."
    )
    score: str | None = strawberry.field(
        description="后评价得分（十进制字符串）；未完成为空 — the score as a decimal string; null while the evaluation is open."
    )
    grade: PostEvaluationGradeEnum | None = strawberry.field(
        description="后评价等级；未完成为空 — the grade the evaluator gave; null while open."
    )
    findings: str = strawberry.field(
        description="主要结论（自由文本）；未完成为空 — the main findings, free text; null while open."
    )
    completed_at: datetime | None = strawberry.field(
        description="后评价完成时间（UTC）；未完成为空 — when the evaluator filed the result (UTC); null while open."
    )

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

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    def project(self) -> Project:
        return Project.from_domain(self.model)

    @strawberry.field(
        description="登记的合同及实施信息，最早的在前（R14–R15） — the contracts recorded, oldest first (R14–R15)."
    )
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

    @strawberry.field(
        description="已报送的季度进度报告，按期次排列（R18） — the quarterly progress reports submitted, by period (R18)."
    )
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

    @strawberry.field(
        description="验收进展：初验、申请窗口、延期、整改期限和报备（R19–R21） — where the acceptance stands: initial acceptance, the application window, extension, rectification deadline, filing (R19–R21)."
    )
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

    @strawberry.field(
        description="已上传的验收报告文件，最早的在前（同类以最后一次为准；可读审批文件者可见） — the uploaded "
        "acceptance reports, oldest first (the latest of a kind counts), for viewers who may read the "
        "approval documents (R19.2, R19.4, R21.2).",
    )
    async def acceptance_report_files(self, info: Info[Context, None]) -> list[AcceptanceReportFile]:
        return await report_files(info.context, self.model)

    @strawberry.field(
        description="验收各步骤的记录，最早的在前 — every recorded acceptance step, oldest first."
    )
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

    @strawberry.field(
        description="单位报送的绩效自评价（R22） — the unit's performance self-evaluations (R22)."
    )
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

    @strawberry.field(
        description="大数据局委托的后评价（R22） — the post-evaluations the Big Data Bureau commissioned (R22)."
    )
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
    async with ctx.read_session_factory() as session:
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
