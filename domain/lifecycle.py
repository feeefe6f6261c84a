"""Project states and the transitions between them, as data."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError, Violation
from domain.rules import RuleId


class Status(StrEnum):
    DRAFT = "DRAFT"
    RESERVE_REVIEW = "RESERVE_REVIEW"
    IN_RESERVE = "IN_RESERVE"
    PLANNED = "PLANNED"
    APPROVED = "APPROVED"
    UNDER_CONSTRUCTION = "UNDER_CONSTRUCTION"
    TRIAL_OPERATION = "TRIAL_OPERATION"
    ACCEPTANCE_REVIEW = "ACCEPTANCE_REVIEW"
    RECTIFYING = "RECTIFYING"
    ACCEPTED = "ACCEPTED"
    FILED = "FILED"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"


_ACTIVE = frozenset(Status) - {Status.TERMINATED, Status.SUSPENDED}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.RESERVE_REVIEW}),
    Status.RESERVE_REVIEW: frozenset({Status.IN_RESERVE, Status.DRAFT}),
    # A preliminary design may be approved before the plan (R11.2 urgent path); a plan revision may drop a
    # planned project back into the reserve (R10.1 [interp]).
    Status.IN_RESERVE: frozenset({Status.PLANNED, Status.APPROVED}),
    Status.PLANNED: frozenset({Status.APPROVED, Status.IN_RESERVE}),
    Status.APPROVED: frozenset({Status.UNDER_CONSTRUCTION}),
    Status.UNDER_CONSTRUCTION: frozenset({Status.TRIAL_OPERATION}),
    Status.TRIAL_OPERATION: frozenset({Status.ACCEPTANCE_REVIEW}),
    Status.ACCEPTANCE_REVIEW: frozenset({Status.ACCEPTED, Status.RECTIFYING}),
    Status.RECTIFYING: frozenset({Status.ACCEPTANCE_REVIEW}),
    Status.ACCEPTED: frozenset({Status.FILED}),
    Status.FILED: frozenset(),
    Status.SUSPENDED: frozenset({Status.TERMINATED}),  # resuming returns to the state it was suspended in
    Status.TERMINATED: frozenset(),
}
# Art. 23: suspension and termination reach every active state.
for _state in _ACTIVE - {Status.FILED}:
    TRANSITIONS[_state] = TRANSITIONS[_state] | {Status.SUSPENDED, Status.TERMINATED}

STATUS_LABELS_ZH: dict[Status, str] = {
    Status.DRAFT: "草稿",
    Status.RESERVE_REVIEW: "入库审核中",
    Status.IN_RESERVE: "已入储备库",
    Status.PLANNED: "已列入年度计划",
    Status.APPROVED: "已批复",
    Status.UNDER_CONSTRUCTION: "建设中",
    Status.TRIAL_OPERATION: "试运行",
    Status.ACCEPTANCE_REVIEW: "竣工验收中",
    Status.RECTIFYING: "验收整改中",
    Status.ACCEPTED: "已通过验收",
    Status.FILED: "已备案",
    Status.SUSPENDED: "已暂停",
    Status.TERMINATED: "已终止",
}


def transition(current: Status, target: Status, *, rule: RuleId | None = None) -> Status:
    """Return the new state, or refuse a move the lifecycle does not allow."""
    if target in TRANSITIONS[current]:
        return target
    raise DomainError(
        [
            Violation(
                code="INVALID_TRANSITION",
                rule=rule,
                zh=f"项目当前状态为「{STATUS_LABELS_ZH[current]}」，不能转为「{STATUS_LABELS_ZH[target]}」。",
                en=f"A project in state {current} cannot move to {target}.",
            )
        ]
    )
