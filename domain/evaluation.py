"""R22 (Art. 22): self-evaluation 12–24 months after acceptance and operation; third-party post-evaluation.

[interp] "项目验收并运行12至24个月后" — the window opens 12 calendar months after the day operation began
(the day bdb acknowledged the acceptance filing) and closes 24 months after it, both days included
(以上/以内 include the bound, RULES.md). Months are added with month-end clamping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.calendar_math import add_months
from domain.errors import DomainError, Violation

SELF_EVALUATION_OPENS_MONTHS = 12
SELF_EVALUATION_CLOSES_MONTHS = 24


class Grade(StrEnum):
    """The grade of a post-evaluation: 优 / 良 / 中 / 差."""

    EXCELLENT = "EXCELLENT"
    GOOD = "GOOD"
    FAIR = "FAIR"
    POOR = "POOR"


def self_evaluation_window(operation_started_on: date) -> tuple[date, date]:
    """(opens, closes), both inclusive: +12 and +24 calendar months from the start of operation."""
    return (
        add_months(operation_started_on, SELF_EVALUATION_OPENS_MONTHS),
        add_months(operation_started_on, SELF_EVALUATION_CLOSES_MONTHS),
    )


def check_self_evaluation(operation_started_on: date | None, today: date) -> None:
    """Refuse a self-evaluation before the project is in operation or outside the 12–24-month window."""
    if operation_started_on is None:
        raise DomainError(
            [
                Violation(
                    "NOT_IN_OPERATION",
                    "项目尚未通过验收备案并投入运行，不能提交自评价。",
                    "The project is not filed and in operation yet; no self-evaluation can be submitted.",
                    rule="R22",
                )
            ]
        )
    opens, closes = self_evaluation_window(operation_started_on)
    if not opens <= today <= closes:
        raise DomainError(
            [
                Violation(
                    "OUTSIDE_SELF_EVALUATION_WINDOW",
                    f"自评价须在运行满12个月至24个月之间提交（{opens.isoformat()} 至 {closes.isoformat()}）。",
                    f"A self-evaluation is accepted from {opens.isoformat()} to {closes.isoformat()} "
                    "(12 to 24 months of operation).",
                    rule="R22",
                )
            ]
        )


def check_post_evaluation(score: Decimal) -> None:
    """A post-evaluation score is a percentage-like mark between 0 and 100."""
    if not Decimal(0) <= score <= Decimal(100):
        raise DomainError(
            [
                Violation(
                    "SCORE_OUT_OF_RANGE",
                    "后评价得分须在 0 至 100 之间。",
                    "A post-evaluation score must be between 0 and 100.",
                    rule="R22",
                    field=("input", "score"),
                )
            ]
        )


@dataclass
class SelfEvaluation:
    """The unit's self-evaluation, delivered to the roles named (R22)."""

    project_id: int
    summary: str
    submitted_on: date
    recorded_at: datetime
    delivered_to: list[str] = field(default_factory=list)
    recorded_by_user_id: int | None = None
    id: int | None = None


@dataclass
class PostEvaluation:
    """A third-party post-evaluation bdb commissioned (R22); the evaluator files its result once.
    `evaluator_organization_id` is what the `assigned` scope looks at."""

    project_id: int
    unit_organization_id: int
    evaluator_organization_id: int | None
    score: Decimal | None = None
    grade: str | None = None
    findings: str = ""
    completed_at: datetime | None = None
    id: int | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def complete(self, *, score: Decimal, grade: Grade, findings: str, now: datetime) -> None:
        """R22: the evaluator's result (the use case checked the score, the findings and that it is open)."""
        self.score, self.grade, self.findings, self.completed_at = score, str(grade), findings, now
