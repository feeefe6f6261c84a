"""The obligations calendar: every deadline the regulation sets, derived from a project's facts and today.

One function, `obligations(facts, today)`, is the calendar; nothing is stored, so a fact recorded anywhere
changes the calendar at once. Dates are legal dates in Asia/Shanghai; a due date includes its whole China-time
day (domain.chronology.in_time), so an obligation is OVERDUE from the day after its due date, OPEN from its opening day, UPCOMING before.

[interp] R18: the n-th report opens the day after the (n−1)-th due date (the first on the approval date) and
is due on the n-th due date of domain/progress.py; the calendar lists every quarter opened so far plus the
next one, and stops at the acceptance filing. R19: the completion-acceptance window of domain/acceptance.py
(closing at bdb's extension when there is one). R20: each failed completion acceptance, due on its
rectification deadline (or the later one bdb recorded as an extension), done once the unit resubmitted.
R21: the regulation gives no filing deadline; the calendar shows it due one month after acceptance, for
reminders only (nothing is refused on that date). R22: the 12–24-month self-evaluation window of
domain/evaluation.py. R23: each ordered rectification, due on the deadline the agency set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain import acceptance
from domain.acceptance import AcceptanceFailure as AcceptanceFailure  # the calendar's R20 items
from domain.calendar_math import add_months
from domain.evaluation import self_evaluation_window
from domain.progress import quarter_due_date
from domain.rules import RuleId

FILING_REMINDER_MONTHS = 1


class ObligationState(StrEnum):
    UPCOMING = "UPCOMING"
    OPEN = "OPEN"
    DONE = "DONE"
    OVERDUE = "OVERDUE"


TITLES: dict[str, tuple[str, str]] = {
    "R18": ("报送季度建设进度", "quarterly progress report"),
    "R19.1": ("申请竣工验收", "apply for completion acceptance"),
    "R20": ("验收整改", "rectify after a failed acceptance"),
    "R21": ("验收报告备案", "file the acceptance report"),
    "R22": ("提交项目自评价", "submit the self-evaluation"),
    "R23.1": ("监督检查限期整改", "rectify as the supervising agency ordered"),
}


@dataclass(frozen=True, slots=True)
class Rectification:
    """An ordered rectification (R23.1): done once a report was accepted, or one awaits review in time."""

    inspection_id: int
    ordered_on: date
    deadline: date
    done: bool


@dataclass(frozen=True)
class ProjectFacts:
    """What the calendar needs to know about one project."""

    project_id: int
    organization_id: int
    terminated: bool = False
    approval_date: date | None = None
    progress_reports: frozenset[int] = frozenset()
    initial_acceptance_passed_on: date | None = None
    acceptance_extended_until: date | None = None
    completion_applied: bool = False
    acceptance_failures: tuple[AcceptanceFailure, ...] = ()
    accepted_on: date | None = None
    filed_on: date | None = None
    operation_started_on: date | None = None
    self_evaluated: bool = False
    rectifications: tuple[Rectification, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Obligation:
    key: str  # stable across days: the notifications' idempotency key
    project_id: int
    organization_id: int
    rule: RuleId
    opens_on: date
    due_on: date
    state: ObligationState

    @property
    def title_zh(self) -> str:
        return TITLES[self.rule][0]

    @property
    def title_en(self) -> str:
        return TITLES[self.rule][1]


def state_of(opens_on: date, due_on: date, done: bool, today: date) -> ObligationState:
    """UPCOMING before the opening day, OPEN through the due date, OVERDUE from the day after."""
    if done:
        return ObligationState.DONE
    if today < opens_on:
        return ObligationState.UPCOMING
    if today <= due_on:
        return ObligationState.OPEN
    return ObligationState.OVERDUE


def _progress(facts: ProjectFacts, today: date) -> Iterator[tuple[str, date, date, bool]]:
    """R18: the quarters opened so far, plus the next one; none after the acceptance filing."""
    if facts.approval_date is None:
        return
    n, opens = 1, facts.approval_date
    while True:
        due = quarter_due_date(facts.approval_date, n)
        if facts.filed_on is not None and due > facts.filed_on:
            return
        yield f"{n}", opens, due, n in facts.progress_reports
        if opens > today:
            return
        n, opens = n + 1, due + timedelta(days=1)


def _raw(facts: ProjectFacts, today: date) -> Iterator[tuple[RuleId, str, date, date, bool]]:
    for part, opens, due, done in _progress(facts, today):
        yield "R18", part, opens, due, done
    if facts.initial_acceptance_passed_on is not None:
        opens = acceptance.window(facts.initial_acceptance_passed_on)[0]
        closes = acceptance.r19_1_closing_date(
            facts.initial_acceptance_passed_on, facts.acceptance_extended_until
        )
        yield "R19.1", "", opens, closes, facts.completion_applied
    for failure in facts.acceptance_failures:
        yield "R20", failure.failed_on.isoformat(), failure.failed_on, failure.deadline, failure.resubmitted
    if facts.accepted_on is not None:
        yield (
            "R21",
            "",
            facts.accepted_on,
            add_months(facts.accepted_on, FILING_REMINDER_MONTHS),
            facts.filed_on is not None,
        )
    if facts.operation_started_on is not None:
        opens, closes = self_evaluation_window(facts.operation_started_on)
        yield "R22", "", opens, closes, facts.self_evaluated
    for r in facts.rectifications:
        yield "R23.1", f"inspection-{r.inspection_id}", r.ordered_on, r.deadline, r.done


def obligations(facts: ProjectFacts, today: date) -> list[Obligation]:
    """Every obligation of the project on `today`, in due-date order. A terminated project owes nothing."""
    if facts.terminated:
        return []
    found = [
        Obligation(
            key=f"{facts.project_id}:{rule}:{part}",
            project_id=facts.project_id,
            organization_id=facts.organization_id,
            rule=rule,
            opens_on=opens,
            due_on=due,
            state=state_of(opens, due, done, today),
        )
        for rule, part, opens, due, done in _raw(facts, today)
    ]
    return sorted(found, key=lambda o: (o.due_on, o.key))


def earliest_unmet_due(facts: ProjectFacts) -> date | None:
    """The earliest due date of an obligation not met, whatever today is: the project has an OVERDUE
    obligation on `today` exactly when this date is before today (what `projects.obligations_due_on` stores
    for the list filter). Only the R18 quarters depend on today, and they are met or not in due-date order of
    their numbers: the calendar seen on the first unreported quarter's due date lists it."""
    if facts.terminated:
        return None
    horizon = date.min
    if facts.approval_date is not None:
        n = 1
        while n in facts.progress_reports:
            n += 1
        horizon = quarter_due_date(facts.approval_date, n)
    unmet = [o.due_on for o in obligations(facts, horizon) if o.state is not ObligationState.DONE]
    return min(unmet, default=None)


def next_obligation(facts: ProjectFacts, today: date) -> Obligation | None:
    """The project's earliest obligation not yet met on `today` (due-date order), or None."""
    return next((o for o in obligations(facts, today) if o.state is not ObligationState.DONE), None)


class NoticeKind(StrEnum):
    OPENED = "OPENED"
    DUE_IN_30_DAYS = "DUE_IN_30_DAYS"
    DUE_IN_7_DAYS = "DUE_IN_7_DAYS"
    OVERDUE = "OVERDUE"


def notices_due(obligation: Obligation, today: date) -> list[NoticeKind]:
    """The notices an obligation has earned by today; the store sends each (obligation, kind) once.

    A reminder whose moment has passed is not sent late: an obligation first seen overdue (a backlog, or a
    worker that was down) earns only its OVERDUE notice, not four at once.
    """
    if obligation.state in (ObligationState.DONE, ObligationState.UPCOMING):
        return []
    if obligation.state is ObligationState.OVERDUE:
        return [NoticeKind.OVERDUE]
    kinds = [NoticeKind.OPENED]
    if today >= obligation.due_on - timedelta(days=30):
        kinds.append(NoticeKind.DUE_IN_30_DAYS)
    if today >= obligation.due_on - timedelta(days=7):
        kinds.append(NoticeKind.DUE_IN_7_DAYS)
    return kinds
