"""R7: the five Article 7 checks bdb records before a project enters the reserve library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError, Violation
from domain.lifecycle import Status, transition
from domain.projects import Project


class ReserveCheck(StrEnum):
    """第七条（一）至（五）."""

    OVERALL_PLAN = "OVERALL_PLAN"
    INDUSTRY_PLAN = "INDUSTRY_PLAN"
    INTENSIVE_PLATFORMS = "INTENSIVE_PLATFORMS"
    DATA_SHARING = "DATA_SHARING"
    SECURITY_IN_STEP = "SECURITY_IN_STEP"


CHECK_LABELS_ZH: dict[ReserveCheck, str] = {
    ReserveCheck.OVERALL_PLAN: "符合数字政府总体规划",
    ReserveCheck.INDUSTRY_PLAN: "符合行业中长期规划",
    ReserveCheck.INTENSIVE_PLATFORMS: "充分利用基础支撑平台，集约化建设",
    ReserveCheck.DATA_SHARING: "符合政务信息共享开放管理办法，能够实现数据共享",
    ReserveCheck.SECURITY_IN_STEP: "网络信息安全同步设计、建设、评估、验收、运行",
}


class ReserveOutcome(StrEnum):
    ACCEPTED = "ACCEPTED"
    RETURNED = "RETURNED"


@dataclass
class CheckResult:
    check: ReserveCheck
    passed: bool
    note: str
    id: int | None = None
    review_id: int | None = None


@dataclass
class ReserveReview:
    """One review of one submission: all five checks, the outcome and who decided."""

    project_id: int
    reviewer_user_id: int
    outcome: ReserveOutcome
    comment: str
    reviewed_at: datetime
    results: list[CheckResult] = field(default_factory=list)
    id: int | None = None

    @property
    def return_reasons(self) -> list[str]:
        if self.outcome is ReserveOutcome.ACCEPTED:
            return []
        reasons = [f"{CHECK_LABELS_ZH[r.check]}：{r.note}" for r in self.results if not r.passed]
        return reasons + ([self.comment] if self.comment.strip() else [])


def _validate(results: list[CheckResult]) -> list[Violation]:
    found: list[Violation] = []
    recorded = [r.check for r in results]
    for check in ReserveCheck:
        if recorded.count(check) == 0:
            found.append(
                Violation(
                    "RESERVE_CHECK_MISSING",
                    f"缺少第七条审核项：{CHECK_LABELS_ZH[check]}。",
                    f"The Article 7 check {check} is missing.",
                    rule="R7",
                    field=("input", "checks"),
                )
            )
        elif recorded.count(check) > 1:
            found.append(
                Violation(
                    "RESERVE_CHECK_DUPLICATED",
                    f"第七条审核项重复：{CHECK_LABELS_ZH[check]}。",
                    f"The Article 7 check {check} is recorded twice.",
                    rule="R7",
                    field=("input", "checks"),
                )
            )
    for index, result in enumerate(results):
        if not result.note.strip():
            found.append(
                Violation(
                    "RESERVE_CHECK_NOTE_REQUIRED",
                    f"审核项「{CHECK_LABELS_ZH[result.check]}」须填写审核意见。",
                    f"The check {result.check} needs a note.",
                    rule="R7",
                    field=("input", "checks", str(index), "note"),
                )
            )
    return found


def record_reserve_review(
    project: Project, *, reviewer_user_id: int, results: list[CheckResult], comment: str, now: datetime
) -> ReserveReview:
    """All five checks passed → IN_RESERVE; any failed → back to the unit (DRAFT) with the reasons."""
    problems = _validate(results)
    if problems:
        raise DomainError(problems)
    outcome = ReserveOutcome.ACCEPTED if all(r.passed for r in results) else ReserveOutcome.RETURNED
    target = Status.IN_RESERVE if outcome is ReserveOutcome.ACCEPTED else Status.DRAFT
    project.status = transition(project.status, target, rule="R7")
    assert project.id is not None
    return ReserveReview(
        project_id=project.id,
        reviewer_user_id=reviewer_user_id,
        outcome=outcome,
        comment=comment,
        reviewed_at=now,
        results=results,
    )
