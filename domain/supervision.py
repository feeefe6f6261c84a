"""Supervision and sanctions (Art. 23–24): inspections by field, rectification, and bdb's three sanctions.

[interp] "按照职责分工" — each agency inspects only the subjects of its own field (FIELDS below, the table
the lawyers read): bdb data sharing, procurement and fund use of the projects it manages; cac network
security; finance fund use and procurement; crypto the cryptography application; psb the MLPS (等级保护).
[interp] A rectification counts as failed (R23.2) when its deadline has passed without an accepted report,
or when the ordering agency rejected the last report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain import chronology
from domain.clock import legal_date
from domain.errors import DomainError, Violation, refuse
from domain.lifecycle import Status, transition
from domain.projects import Project
from domain.rules import RuleId


class Subject(StrEnum):
    """What Art. 23 lists as the subjects of supervision."""

    DATA_SHARING = "DATA_SHARING"
    PROCUREMENT = "PROCUREMENT"
    FUND_USE = "FUND_USE"
    CRYPTOGRAPHY = "CRYPTOGRAPHY"
    NETWORK_SECURITY = "NETWORK_SECURITY"
    MLPS = "MLPS"


FIELDS: dict[str, frozenset[Subject]] = {
    "bdb": frozenset({Subject.DATA_SHARING, Subject.PROCUREMENT, Subject.FUND_USE}),
    "cac": frozenset({Subject.NETWORK_SECURITY}),
    "finance": frozenset({Subject.FUND_USE, Subject.PROCUREMENT}),
    "crypto": frozenset({Subject.CRYPTOGRAPHY}),
    "psb": frozenset({Subject.MLPS}),
}


class InspectionStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"  # concluded without a rectification order
    RECTIFICATION_ORDERED = "RECTIFICATION_ORDERED"
    RECTIFIED = "RECTIFIED"


class ReportStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass
class Inspection:
    project_id: int
    agency_organization_id: int
    agency_role: str
    subject: Subject
    opened_at: datetime
    opened_by_user_id: int | None = None
    note: str = ""
    status: InspectionStatus = InspectionStatus.OPEN
    findings: str | None = None
    rectification_deadline: date | None = None
    concluded_at: datetime | None = None
    id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "projectId": self.project_id,
            "subject": str(self.subject),
            "status": str(self.status),
            "agencyOrganizationId": self.agency_organization_id,
            "findings": self.findings,
            "rectificationDeadline": self.rectification_deadline.isoformat()
            if self.rectification_deadline
            else None,
        }


@dataclass
class RectificationReport:
    inspection_id: int
    project_id: int
    content: str
    submitted_at: datetime
    submitted_by_user_id: int | None = None
    status: ReportStatus = ReportStatus.PENDING
    review_reasons: str | None = None
    reviewed_at: datetime | None = None
    id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "projectId": self.project_id,
            "inspectionId": self.inspection_id,
            "status": str(self.status),
            "content": self.content,
            "reviewReasons": self.review_reasons,
        }


@dataclass
class InfoRequest:
    """R24: a request for information from bdb, finance or audit, and the unit's answer."""

    project_id: int
    requester_organization_id: int
    requester_role: str
    question: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    id: int | None = None

    def snapshot(self) -> dict[str, Any]:
        return {"projectId": self.project_id, "question": self.question, "answer": self.answer}


def _blank(text: str, field: str, rule: RuleId) -> list[Violation]:
    if text.strip():
        return []
    return [
        Violation("REQUIRED", "此项不能为空。", "This field is required.", rule=rule, field=("input", field))
    ]


def open_inspection(
    *,
    project: Project,
    role: str,
    organization_id: int,
    user_id: int | None,
    subject: Subject,
    note: str,
    now: datetime,
) -> Inspection:
    """R23.1: an agency opens an inspection on a subject of its own field."""
    if subject not in FIELDS.get(role, frozenset()):
        raise refuse(
            "SUBJECT_OUTSIDE_FIELD",
            "该监督事项不属于本部门职责范围（按照职责分工实施监督）。",
            "This subject is outside the agency's field of supervision.",
            rule="R23.1",
            field=("input", "subject"),
        )
    assert project.id is not None
    return Inspection(
        project_id=project.id,
        agency_organization_id=organization_id,
        agency_role=role,
        subject=subject,
        opened_at=now,
        opened_by_user_id=user_id,
        note=note.strip(),
    )


def _own(inspection: Inspection, organization_id: int) -> None:
    if inspection.agency_organization_id != organization_id:
        raise refuse(
            "NOT_THE_INSPECTING_AGENCY",
            "只有实施检查的部门可以办理此事项。",
            "Only the agency that opened the inspection may do this.",
            rule="R23.1",
        )


def conclude(
    inspection: Inspection, *, organization_id: int, findings: str, deadline: date | None, now: datetime
) -> None:
    """R23.1: the agency records its findings and may order rectification by a deadline (after today)."""
    _own(inspection, organization_id)
    problems = _blank(findings, "findings", "R23.1")
    if inspection.status is not InspectionStatus.OPEN:
        problems.append(
            Violation(
                "INSPECTION_CONCLUDED", "检查已办结。", "The inspection is already concluded.", rule="R23.1"
            )
        )
    problems.extend(chronology.rectification_deadline_violations(deadline, today=legal_date(now)))
    if problems:
        raise DomainError(problems)
    inspection.findings = findings.strip()
    inspection.rectification_deadline = deadline
    inspection.concluded_at = now
    inspection.status = (
        InspectionStatus.CLOSED if deadline is None else InspectionStatus.RECTIFICATION_ORDERED
    )


def submit_report(
    inspection: Inspection,
    reports: list[RectificationReport],
    *,
    content: str,
    user_id: int | None,
    now: datetime,
) -> RectificationReport:
    """R23.1: the unit answers a rectification order; one report waits for review at a time."""
    problems = _blank(content, "content", "R23.1")
    if inspection.status is not InspectionStatus.RECTIFICATION_ORDERED:
        problems.append(
            Violation(
                "NO_RECTIFICATION_ORDERED",
                "该检查没有待完成的整改要求。",
                "The inspection has no rectification order to answer.",
                rule="R23.1",
            )
        )
    if any(r.status is ReportStatus.PENDING for r in reports):
        problems.append(
            Violation(
                "REPORT_PENDING",
                "已有整改报告等待审核。",
                "A rectification report is already waiting for review.",
                rule="R23.1",
            )
        )
    if problems:
        raise DomainError(problems)
    assert inspection.id is not None
    return RectificationReport(
        inspection_id=inspection.id,
        project_id=inspection.project_id,
        content=content.strip(),
        submitted_at=now,
        submitted_by_user_id=user_id,
    )


def review_report(
    inspection: Inspection,
    report: RectificationReport,
    *,
    organization_id: int,
    accept: bool,
    reasons: str,
    now: datetime,
) -> None:
    """R23.1: the ordering agency accepts the report (rectified) or rejects it with reasons."""
    _own(inspection, organization_id)
    problems = [] if accept else _blank(reasons, "reasons", "R23.2")
    if report.status is not ReportStatus.PENDING:
        problems.append(
            Violation("REPORT_REVIEWED", "整改报告已审核。", "The report was already reviewed.", rule="R23.1")
        )
    if problems:
        raise DomainError(problems)
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.REJECTED
    report.review_reasons = reasons.strip() or None
    report.reviewed_at = now
    if accept:
        inspection.status = InspectionStatus.RECTIFIED


def rectification_failed(inspection: Inspection, reports: list[RectificationReport], today: date) -> bool:
    """R23.2: overdue (deadline passed, nothing accepted) or the last report was rejected."""
    if inspection.status is not InspectionStatus.RECTIFICATION_ORDERED:
        return False
    assert inspection.rectification_deadline is not None
    ordered = sorted(reports, key=lambda r: r.submitted_at)
    if ordered and ordered[-1].status is ReportStatus.REJECTED:
        return True
    pending_in_time = any(
        r.status is ReportStatus.PENDING and legal_date(r.submitted_at) <= inspection.rectification_deadline
        for r in ordered
    )
    return today > inspection.rectification_deadline and not pending_in_time


def no_grounds() -> DomainError:
    return refuse(
        "NO_FAILED_RECTIFICATION",
        "项目没有逾期未整改或整改后仍不符合要求的情形，不能采取此措施。",
        "The project has no overdue or rejected rectification: this sanction is not available.",
        rule="R23.2",
    )


def defer_plan(project: Project, *, grounds: bool) -> None:
    """R23.2: bdb defers the project's investment plan arrangement; it cannot enter a plan until lifted."""
    if not grounds:
        raise no_grounds()
    if project.plan_deferred:
        raise refuse(
            "ALREADY_DEFERRED",
            "项目已被暂缓安排投资计划。",
            "The project's plan is already deferred.",
            rule="R23.2",
        )
    project.plan_deferred = True


def lift_deferral(project: Project) -> None:
    if not project.plan_deferred:
        raise refuse(
            "NOT_DEFERRED", "项目未被暂缓安排投资计划。", "The project's plan is not deferred.", rule="R23.2"
        )
    project.plan_deferred = False


def suspend(project: Project, *, grounds: bool) -> None:
    """R23.2: bdb suspends construction; the state it left is kept for resuming."""
    if not grounds:
        raise no_grounds()
    previous = project.status
    project.status = transition(previous, Status.SUSPENDED, rule="R23.2")
    project.suspended_from = previous


def resume(project: Project) -> None:
    """R23.2: bdb lifts the suspension; the project returns to the state it was suspended in."""
    if problems := resume_problems(project):
        raise DomainError(problems)
    assert project.suspended_from is not None  # resume_problems holds it
    project.status, project.suspended_from = Status(project.suspended_from), None


def resume_problems(project: Project) -> list[Violation]:
    """R23.2: only a suspended project (one that knows the state it left) resumes."""
    if project.status is Status.SUSPENDED and project.suspended_from is not None:
        return []
    return [Violation("NOT_SUSPENDED", "项目未被暂停。", "The project is not suspended.", rule="R23.2")]


def terminate(project: Project, *, grounds: bool) -> None:
    """R23.2: bdb terminates the project; final."""
    if not grounds:
        raise no_grounds()
    project.status = transition(project.status, Status.TERMINATED, rule="R23.2")
    project.suspended_from = None


def ensure_not_suspended(project: Project) -> None:
    """R23.2: a suspended project refuses every change but rectification work (its own use cases)."""
    if project.status is Status.SUSPENDED:
        raise refuse(
            "PROJECT_SUSPENDED",
            "项目已被暂停建设，除整改外不能进行任何变更（第二十三条）。",
            "The project is suspended: every change but rectification is refused (Art. 23).",
            rule="R23.2",
        )


def ensure_plan_not_deferred(project: Project) -> None:
    """R23.2: a project whose plan arrangement bdb deferred enters no plan, mid-year ones included."""
    if project.plan_deferred:
        raise refuse(
            "PROJECT_PLAN_DEFERRED",
            "项目因整改不到位被暂缓安排投资计划（第二十三条）。",
            "The project's investment plan is deferred for failed rectification (Art. 23).",
            rule="R23.2",
        )


def check_question(question: str) -> None:
    if not question.strip():
        raise DomainError(_blank(question, "question", "R24"))


def answer_request(request: InfoRequest, *, answer: str, now: datetime) -> None:
    """R24: the unit answers truthfully; an answer once given stays (a correction is a new request)."""
    problems = _blank(answer, "answer", "R24")
    if request.answer is not None:
        problems.append(
            Violation("ALREADY_ANSWERED", "该问询已答复。", "The request was already answered.", rule="R24")
        )
    if problems:
        raise DomainError(problems)
    request.answer, request.answered_at = answer.strip(), now
