"""R10.2: a mid-year project — unit → bdb review → finance opinion → government approval → into this year's plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.plans import AnnualPlan, PlanItem, PlanSource, PlanStatus


class MidYearStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    BDB_APPROVED = "BDB_APPROVED"
    FINANCE_OPINED = "FINANCE_OPINED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass
class MidYearRequest:
    project_id: int
    year: int
    amount: Decimal
    reason: str
    submitted_at: datetime
    status: MidYearStatus = MidYearStatus.SUBMITTED
    bdb_opinion: str | None = None
    bdb_reviewed_at: datetime | None = None
    finance_opinion: str | None = None
    finance_recommended_amount: Decimal | None = None
    finance_opined_at: datetime | None = None
    government_comment: str | None = None
    decided_at: datetime | None = None
    rejected_by: str | None = None
    id: int | None = None


def _state(request: MidYearRequest, expected: MidYearStatus) -> None:
    if request.status is not expected:
        raise DomainError(
            [
                Violation(
                    "MID_YEAR_STEP_OUT_OF_ORDER",
                    "年中项目须依次经市大数据管理局审核、征求市财政局意见、报市政府同意。",
                    "A mid-year project goes through bdb review, then the finance opinion, then government approval.",
                    rule="R10.2",
                )
            ]
        )


def _need(text: str, field: str) -> None:
    if not text.strip():
        raise DomainError(
            [
                Violation(
                    "OPINION_REQUIRED",
                    "请填写意见。",
                    "An opinion is required.",
                    rule="R10.2",
                    field=("input", field),
                )
            ]
        )


def state_problems(project_status: Status, *, pending: bool) -> list[Violation]:
    """R10.2: a reserve project not yet planned, with no mid-year request in progress."""
    problems = []
    if project_status is not Status.IN_RESERVE:
        problems.append(
            Violation(
                "PROJECT_NOT_IN_RESERVE",
                "年中新增项目须已入储备库且尚未列入计划。",
                "A mid-year project must be in the reserve and not yet planned.",
                rule="R10.2",
                field=("input", "projectId"),
            )
        )
    if pending:
        problems.append(
            Violation(
                "MID_YEAR_PENDING",
                "该项目已有在办的年中新增申请。",
                "The project already has a mid-year request in progress.",
                rule="R10.2",
            )
        )
    return problems


def submit(
    *,
    project_id: int,
    project_status: Status,
    year: int,
    amount: Decimal,
    reason: str,
    pending: bool,
    now: datetime,
) -> MidYearRequest:
    problems = state_problems(project_status, pending=pending)
    if amount <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "申报金额须大于0元。",
                "The amount must be > 0.",
                rule="R10.2",
                field=("input", "amount"),
            )
        )
    if not reason.strip():
        problems.append(
            Violation(
                "REASON_REQUIRED",
                "须说明年中建设的必要性。",
                "State why it is needed mid-year.",
                rule="R10.2",
                field=("input", "reason"),
            )
        )
    if problems:
        raise DomainError(problems)
    return MidYearRequest(
        project_id=project_id, year=year, amount=amount, reason=reason.strip(), submitted_at=now
    )


def bdb_review(request: MidYearRequest, *, approve: bool, opinion: str, now: datetime) -> None:
    _state(request, MidYearStatus.SUBMITTED)
    _need(opinion, "opinion")
    request.bdb_opinion, request.bdb_reviewed_at = opinion.strip(), now
    request.status = MidYearStatus.BDB_APPROVED if approve else MidYearStatus.REJECTED
    request.rejected_by = None if approve else "bdb"


def finance_opinion(
    request: MidYearRequest, *, opinion: str, recommended_amount: Decimal, now: datetime
) -> None:
    _state(request, MidYearStatus.BDB_APPROVED)
    _need(opinion, "opinion")
    request.finance_opinion, request.finance_recommended_amount = opinion.strip(), recommended_amount
    request.finance_opined_at, request.status = now, MidYearStatus.FINANCE_OPINED


def government_decision(
    request: MidYearRequest, *, approve: bool, comment: str, current_plan: AnnualPlan | None, now: datetime
) -> AnnualPlan | None:
    """Approval adds the project to the year's approved plan as a new, recorded revision."""
    _state(request, MidYearStatus.FINANCE_OPINED)
    if not approve:
        _need(comment, "comment")
        request.status, request.rejected_by = MidYearStatus.REJECTED, "government"
        request.government_comment, request.decided_at = comment.strip(), now
        return None
    if current_plan is None or current_plan.status is not PlanStatus.APPROVED:
        raise DomainError(
            [
                Violation(
                    "NO_APPROVED_PLAN",
                    f"{request.year}年度投资计划尚未批准，无法纳入。",
                    f"There is no approved {request.year} investment plan to add the project to.",
                    rule="R10.2",
                )
            ]
        )
    request.status, request.government_comment, request.decided_at = (
        MidYearStatus.APPROVED,
        comment.strip(),
        now,
    )
    amount = (
        request.amount if request.finance_recommended_amount is None else request.finance_recommended_amount
    )
    items = [
        PlanItem(
            project_id=i.project_id,
            amount=i.amount,
            source=i.source,
            entry_id=i.entry_id,
            mid_year_request_id=i.mid_year_request_id,
        )
        for i in current_plan.items
    ]
    items.append(
        PlanItem(
            project_id=request.project_id,
            amount=amount,
            source=PlanSource.MID_YEAR,
            mid_year_request_id=request.id,
        )
    )
    return AnnualPlan(
        year=current_plan.year,
        revision=current_plan.revision + 1,
        status=PlanStatus.APPROVED,
        compiled_at=now,
        submitted_at=now,
        decided_at=now,
        call_id=current_plan.call_id,
        note=f"年中新增项目（申请 {request.id}）",
        decision_comment=request.government_comment,
        items=items,
    )
