"""R12–R13: what a feasibility study or preliminary design must contain, and how it is evaluated and approved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain import chronology
from domain.approval_path import DOCUMENT_LABELS_ZH, DocumentType
from domain.errors import DomainError, Violation
from domain.rules import RuleId


class DocumentStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    UNDER_EVALUATION = "UNDER_EVALUATION"
    EVALUATED = "EVALUATED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"


class SelectionMethod(StrEnum):
    """Competitive ways of choosing the third-party evaluator (Art. 13: 通过竞争性方式选择确定)."""

    PUBLIC_TENDER = "PUBLIC_TENDER"
    INVITED_TENDER = "INVITED_TENDER"
    COMPETITIVE_NEGOTIATION = "COMPETITIVE_NEGOTIATION"
    COMPETITIVE_CONSULTATION = "COMPETITIVE_CONSULTATION"
    INQUIRY = "INQUIRY"


class EvaluationConclusion(StrEnum):
    RECOMMENDED = "RECOMMENDED"
    RECOMMENDED_WITH_CHANGES = "RECOMMENDED_WITH_CHANGES"
    NOT_RECOMMENDED = "NOT_RECOMMENDED"


# R12: each required part, its input field and its name in the regulation's words.
R12_PARTS: list[tuple[str, str, str]] = [
    ("data_catalogue", "dataCatalogue", "数据资源共享分析篇：信息资源目录"),
    ("sharing_list", "sharingList", "数据资源共享分析篇：数据资源共享清单"),
    ("sharing_process", "sharingProcess", "数据资源共享分析篇：共享流程"),
    ("sharing_interfaces", "sharingInterfaces", "数据资源共享分析篇：共享接口"),
    ("sharing_frequency", "sharingFrequency", "数据资源共享分析篇：共享频率"),
    ("product_security_statement", "productSecurityStatement", "软硬件产品安全可靠情况说明"),
    ("security_plan", "securityPlan", "项目安全方案"),
    ("crypto_application_plan", "cryptoApplicationPlan", "密码应用方案"),
]
PURCHASE_COMPARISON = ("self_build_vs_purchase", "selfBuildVsPurchase", "自建和购买服务方式经济性比较分析")


@dataclass
class ApprovalDocument:
    project_id: int
    type: DocumentType
    version: int
    requested_investment: Decimal
    path_rule: str
    submitted_at: datetime
    submitted_by_user_id: int
    status: DocumentStatus = DocumentStatus.SUBMITTED
    summary: str = ""
    data_catalogue: str = ""
    sharing_list: str = ""
    sharing_process: str = ""
    sharing_interfaces: str = ""
    sharing_frequency: str = ""
    purchases_services: bool = False
    self_build_vs_purchase: str = ""
    product_security_statement: str = ""
    security_plan: str = ""
    crypto_application_plan: str = ""
    evaluator_organization_id: int | None = None
    evaluator_selection_method: SelectionMethod | None = None
    evaluator_selection_reference: str | None = None
    evaluator_assigned_at: datetime | None = None
    evaluation_conclusion: EvaluationConclusion | None = None
    evaluation_opinion: str | None = None
    evaluation_recommended_investment: Decimal | None = None
    evaluated_at: datetime | None = None
    crypto_review_passed: bool | None = None
    crypto_review_opinion: str | None = None
    crypto_reviewed_at: datetime | None = None
    approval_number: str | None = None
    approval_date: date | None = None
    approved_investment: Decimal | None = None
    over_request_reason: str | None = None
    decided_at: datetime | None = None
    return_reason: str | None = None
    id: int | None = None

    @property
    def needs_evaluation(self) -> bool:
        """Art. 13 puts the feasibility study and the preliminary design through evaluation and crypto review."""
        return self.type is not DocumentType.PROPOSAL

    @property
    def open(self) -> bool:
        return self.status not in (DocumentStatus.APPROVED, DocumentStatus.RETURNED)


def missing_parts(document: ApprovalDocument) -> list[Violation]:
    """R12: every part a feasibility study or preliminary design lacks, each named."""
    if not document.needs_evaluation:
        return []
    parts = list(R12_PARTS) + ([PURCHASE_COMPARISON] if document.purchases_services else [])
    return [
        Violation(
            "R12_PART_MISSING",
            f"{DOCUMENT_LABELS_ZH[document.type]}缺少：{label}。",
            f"The {document.type.value} lacks: {camel}.",
            rule="R12",
            field=("input", camel),
        )
        for attr, camel, label in parts
        if not str(getattr(document, attr) or "").strip()
    ]


def _state(document: ApprovalDocument, *allowed: DocumentStatus, rule: RuleId) -> None:
    if document.status not in allowed:
        raise DomainError(
            [
                Violation(
                    "DOCUMENT_STATE",
                    f"该文件当前状态为{document.status.value}，不能执行此操作。",
                    f"The document is {document.status.value}; this step is not possible now.",
                    rule=rule,
                )
            ]
        )


def assign_evaluator(
    document: ApprovalDocument,
    *,
    evaluator_organization_id: int,
    evaluator_is_evaluator: bool,
    method: SelectionMethod,
    reference: str,
    now: datetime,
) -> None:
    """R13.1: bdb entrusts a third-party evaluator chosen by a competitive method."""
    if not document.needs_evaluation:
        raise DomainError(
            [
                Violation(
                    "EVALUATION_NOT_REQUIRED",
                    "项目建议书不需委托第三方评估。",
                    "A proposal is not evaluated by a third party.",
                    rule="R13.1",
                )
            ]
        )
    _state(document, DocumentStatus.SUBMITTED, DocumentStatus.UNDER_EVALUATION, rule="R13.1")
    problems = []
    if not evaluator_is_evaluator:
        problems.append(
            Violation(
                "NOT_AN_EVALUATOR",
                "受托单位须为登记的第三方中介服务机构。",
                "The organization must be a registered third-party evaluator.",
                rule="R13.1",
                field=("input", "evaluatorOrganizationId"),
            )
        )
    if not reference.strip():
        problems.append(
            Violation(
                "SELECTION_REFERENCE_REQUIRED",
                "须记录竞争性选择的依据（如采购项目编号）。",
                "Record the competitive selection (e.g. the procurement reference).",
                rule="R13.1",
                field=("input", "selectionReference"),
            )
        )
    if problems:
        raise DomainError(problems)
    document.evaluator_organization_id = evaluator_organization_id
    document.evaluator_selection_method = method
    document.evaluator_selection_reference = reference.strip()
    document.evaluator_assigned_at = now
    document.status = DocumentStatus.UNDER_EVALUATION


def file_evaluation(
    document: ApprovalDocument,
    *,
    conclusion: EvaluationConclusion,
    opinion: str,
    recommended_investment: Decimal,
    now: datetime,
) -> None:
    """R13.1: the assigned evaluator files its evaluation."""
    _state(document, DocumentStatus.UNDER_EVALUATION, rule="R13.1")
    problems = []
    if not opinion.strip():
        problems.append(
            Violation(
                "EVALUATION_OPINION_REQUIRED",
                "请填写评估意见。",
                "The evaluation needs an opinion.",
                rule="R13.1",
                field=("input", "opinion"),
            )
        )
    if recommended_investment <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "建议投资须大于0元。",
                "The recommended investment must be > 0.",
                rule="R13.1",
                field=("input", "recommendedInvestment"),
            )
        )
    if problems:
        raise DomainError(problems)
    document.evaluation_conclusion = conclusion
    document.evaluation_opinion = opinion.strip()
    document.evaluation_recommended_investment = recommended_investment
    document.evaluated_at = now
    document.status = DocumentStatus.EVALUATED


def record_crypto_review(document: ApprovalDocument, *, passed: bool, opinion: str, now: datetime) -> None:
    """R13.2: the Cryptography Administration reviews the legality of the cryptography application plan."""
    if not document.needs_evaluation:
        raise DomainError(
            [
                Violation(
                    "CRYPTO_REVIEW_NOT_REQUIRED",
                    "项目建议书不含密码应用方案审核。",
                    "A proposal has no cryptography application plan to review.",
                    rule="R13.2",
                )
            ]
        )
    _state(
        document,
        DocumentStatus.SUBMITTED,
        DocumentStatus.UNDER_EVALUATION,
        DocumentStatus.EVALUATED,
        rule="R13.2",
    )
    if not opinion.strip():
        raise DomainError(
            [
                Violation(
                    "CRYPTO_OPINION_REQUIRED",
                    "请填写密码应用方案审核意见。",
                    "The review needs an opinion.",
                    rule="R13.2",
                    field=("input", "opinion"),
                )
            ]
        )
    document.crypto_review_passed = passed
    document.crypto_review_opinion = opinion.strip()
    document.crypto_reviewed_at = now


def approve(
    document: ApprovalDocument,
    *,
    number: str,
    approval_date: date,
    approved_investment: Decimal,
    over_request_reason: str | None,
    today: date,
    now: datetime,
    earlier_approvals: Iterable[date] = (),
    late_entry_reason: str | None = None,
) -> None:
    """R13: bdb approves only after the evaluation and a passed crypto review; never above the request unexplained."""
    problems = []
    if document.needs_evaluation and document.status is not DocumentStatus.EVALUATED:
        problems.append(
            Violation(
                "EVALUATION_REQUIRED",
                "须经第三方中介服务机构评估论证后方可批复。",
                "The third-party evaluation must be filed before approval.",
                rule="R13.1",
            )
        )
    elif not document.needs_evaluation:
        _state(document, DocumentStatus.SUBMITTED, rule="R11.0")
    if document.needs_evaluation and document.crypto_review_passed is not True:
        problems.append(
            Violation(
                "CRYPTO_REVIEW_REQUIRED",
                "密码应用方案未通过市国家密码管理局审核，不能批复。",
                "The cryptography application plan has not passed its review.",
                rule="R13.2",
            )
        )
    if not number.strip():
        problems.append(
            Violation(
                "APPROVAL_NUMBER_REQUIRED",
                "请填写批复文号。",
                "Give the approval number.",
                rule="R13.1",
                field=("input", "approvalNumber"),
            )
        )
    problems.extend(
        chronology.approval_date_violations(
            approval_date,
            today=today,
            submitted_at=document.submitted_at,
            evaluated_at=document.evaluated_at,
            crypto_reviewed_at=document.crypto_reviewed_at,
            earlier_approvals=earlier_approvals,
            late_reason=late_entry_reason,
        )
    )
    if approved_investment <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "批复投资须大于0元。",
                "The approved investment must be > 0.",
                rule="R13.1",
                field=("input", "approvedInvestment"),
            )
        )
    elif approved_investment > document.requested_investment and not (over_request_reason or "").strip():
        problems.append(
            Violation(
                "APPROVED_ABOVE_REQUEST",
                "批复投资超过申报投资，须记录理由。",
                "The approved investment exceeds the requested amount: record the reason.",
                rule="R13.1",
                field=("input", "overRequestReason"),
            )
        )
    if problems:
        raise DomainError(problems)
    document.approval_number = number.strip()
    document.approval_date = approval_date
    document.approved_investment = approved_investment
    document.over_request_reason = (over_request_reason or "").strip() or None
    document.decided_at = now
    document.status = DocumentStatus.APPROVED


def return_for_revision(document: ApprovalDocument, *, reason: str, now: datetime) -> None:
    """bdb sends the document back; the unit's next submission of the same type is a new version."""
    _state(
        document,
        DocumentStatus.SUBMITTED,
        DocumentStatus.UNDER_EVALUATION,
        DocumentStatus.EVALUATED,
        rule="R13.1",
    )
    if not reason.strip():
        raise DomainError(
            [
                Violation(
                    "RETURN_REASON_REQUIRED",
                    "退回须说明理由。",
                    "A return needs its reason.",
                    rule="R13.1",
                    field=("input", "reason"),
                )
            ]
        )
    document.return_reason = reason.strip()
    document.decided_at = now
    document.status = DocumentStatus.RETURNED
