"""R9–R10: the yearly call, plan entries and their joint review, the annual investment plan and its revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain import chronology
from domain.clock import end_of_legal_day
from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.rules import RuleId


class EntryKind(StrEnum):
    """建设计划 / 运维计划 (Art. 10: 项目建设和运维计划)."""

    BUILD = "BUILD"
    OPERATION_MAINTENANCE = "OPERATION_MAINTENANCE"


class PlanStatus(StrEnum):
    COMPILED = "COMPILED"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"
    SUPERSEDED = "SUPERSEDED"


class PlanSource(StrEnum):
    CALL = "CALL"
    MID_YEAR = "MID_YEAR"


JOINT_REVIEWERS = ("bdb", "finance")  # R10.1: 市大数据管理局会同市财政局 review every entry


@dataclass
class PlanCall:
    """R9: bdb's yearly call for next year's build and O&M plans."""

    year: int
    deadline: date
    budget_compilation_date: date
    requirements: str
    opened_at: datetime
    id: int | None = None

    def closes_at(self) -> datetime:
        """The last instant entries are taken (display only: rules compare days, chronology.in_time)."""
        return end_of_legal_day(self.deadline)

    def is_open(self, now: datetime) -> bool:
        """R9: entries are taken through every instant of the deadline's China-time day."""
        return chronology.in_time(now, self.deadline)


@dataclass
class EntryReview:
    reviewer_role: str
    reviewer_user_id: int
    opinion: str
    recommended_amount: Decimal
    reviewed_at: datetime
    id: int | None = None
    entry_id: int | None = None


@dataclass
class PlanEntry:
    call_id: int
    project_id: int
    kind: EntryKind
    requested_amount: Decimal
    description: str
    submitted_at: datetime
    id: int | None = None
    reviews: list[EntryReview] = field(default_factory=list)

    def review_by(self, role: str) -> EntryReview | None:
        return next((r for r in self.reviews if r.reviewer_role == role), None)


@dataclass
class PlanItem:
    project_id: int
    amount: Decimal
    source: PlanSource
    entry_id: int | None = None
    mid_year_request_id: int | None = None
    id: int | None = None
    plan_id: int | None = None


@dataclass
class AnnualPlan:
    """One revision of a year's investment plan. Approved revisions are never edited (R10.1 [interp])."""

    year: int
    revision: int
    status: PlanStatus
    compiled_at: datetime
    note: str = ""
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None
    call_id: int | None = None
    id: int | None = None
    items: list[PlanItem] = field(default_factory=list)

    @property
    def total_investment(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal("0.00"))

    def project_ids(self) -> set[int]:
        return {i.project_id for i in self.items}


def open_call(
    *, year: int, deadline: date, budget_compilation_date: date, requirements: str, today: date, now: datetime
) -> PlanCall:
    """R9: the call's deadline falls before budget compilation, and not in the past (domain/chronology.py)."""
    problems = chronology.plan_call_violations(
        deadline=deadline, budget_compilation_date=budget_compilation_date, today=today
    )
    if year < today.year:
        problems.append(
            Violation(
                "PLAN_YEAR_IN_PAST",
                "计划年度不能早于本年度。",
                "The plan year is in the past.",
                rule="R9",
                field=("input", "year"),
            )
        )
    if not requirements.strip():
        problems.append(
            Violation(
                "REQUIREMENTS_REQUIRED",
                "须明确项目报送要求。",
                "State the submission requirements.",
                rule="R9",
                field=("input", "requirements"),
            )
        )
    if problems:
        raise DomainError(problems)
    return PlanCall(
        year=year,
        deadline=deadline,
        budget_compilation_date=budget_compilation_date,
        requirements=requirements.strip(),
        opened_at=now,
    )


def entry_state_problems(project_status: Status) -> list[Violation]:
    """R9: only reserve projects (planned and approved ones too, for a later year) enter a plan."""
    if project_status in (Status.IN_RESERVE, Status.PLANNED, Status.APPROVED):
        return []
    return [
        Violation(
            "PROJECT_NOT_IN_RESERVE",
            "只有已入储备库的项目可以报送年度计划。",
            "Only projects in the reserve library may enter the plan.",
            rule="R9",
            field=("input", "projectId"),
        )
    ]


def check_entry(call: PlanCall, *, project_status: Status, amount: Decimal, now: datetime) -> None:
    """R9: reserve projects submit until the deadline's last second, China time; later ones are refused."""
    problems = []
    if chronology.is_late(now, call.deadline):
        problems.append(
            Violation(
                "PLAN_CALL_CLOSED",
                f"{call.year}年度项目计划征集已于{call.deadline.isoformat()}（北京时间当日结束时）截止，不再受理报送。",
                f"The {call.year} plan call closed at the end of {call.deadline.isoformat()}, China time.",
                rule="R9",
            )
        )
    problems.extend(entry_state_problems(project_status))
    if amount <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "申报金额须大于0元。",
                "The requested amount must be > 0.",
                rule="R9",
                field=("input", "requestedAmount"),
            )
        )
    if problems:
        raise DomainError(problems)


def record_entry_review(
    entry: PlanEntry,
    *,
    role: str,
    user_id: int,
    opinion: str,
    recommended: Decimal,
    now: datetime,
    plan_compiled: bool,
) -> EntryReview:
    """R10.1: bdb and finance each record (or revise, until compilation) their review of an entry."""
    problems = []
    if plan_compiled:
        problems.append(
            Violation(
                "PLAN_ALREADY_COMPILED",
                "该条目已列入报批或已批准的年度计划，审核意见不能再修改。",
                "The entry is in a plan sent to or approved by the government; its reviews are closed.",
                rule="R10.1",
            )
        )
    if not opinion.strip():
        problems.append(
            Violation(
                "OPINION_REQUIRED",
                "请填写审核意见。",
                "The review needs an opinion.",
                rule="R10.1",
                field=("input", "opinion"),
            )
        )
    if recommended < 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "建议金额不能为负。",
                "The recommended amount cannot be negative.",
                rule="R10.1",
                field=("input", "recommendedAmount"),
            )
        )
    if problems:
        raise DomainError(problems)
    existing = entry.review_by(role)
    if existing is not None:
        existing.opinion, existing.recommended_amount, existing.reviewed_at = (
            opinion.strip(),
            recommended,
            now,
        )
        existing.reviewer_user_id = user_id
        return existing
    review = EntryReview(
        reviewer_role=role,
        reviewer_user_id=user_id,
        opinion=opinion.strip(),
        recommended_amount=recommended,
        reviewed_at=now,
    )
    entry.reviews.append(review)
    return review


def compile_plan(
    *,
    year: int,
    call_id: int | None,
    revision: int,
    selections: list[tuple[PlanEntry, Decimal]],
    statuses: dict[int, Status],
    previous: AnnualPlan | None,
    note: str,
    now: datetime,
    deferred: frozenset[int] = frozenset(),
) -> AnnualPlan:
    """R10.1: bdb compiles the project list and total scale from jointly reviewed entries."""
    problems: list[Violation] = []
    seen: set[tuple[int, EntryKind]] = set()
    for index, (entry, amount) in enumerate(selections):
        at = ("input", "items", str(index))
        for role in JOINT_REVIEWERS:
            if entry.review_by(role) is None:
                label = "市大数据管理局" if role == "bdb" else "市财政局"
                problems.append(
                    Violation(
                        "ENTRY_NOT_REVIEWED",
                        f"计划条目尚未经{label}审核。",
                        f"The entry has no review by {role} yet.",
                        rule="R10.1",
                        field=at,
                    )
                )
        if entry.call_id != call_id:
            problems.append(
                Violation(
                    "ENTRY_OF_ANOTHER_CALL",
                    "条目不属于本年度征集。",
                    "The entry belongs to another year's call.",
                    rule="R10.1",
                    field=at,
                )
            )
        if statuses.get(entry.project_id) not in (Status.IN_RESERVE, Status.PLANNED, Status.APPROVED):
            problems.append(
                Violation(
                    "PROJECT_NOT_PLANNABLE",
                    "项目不在储备库中，或已被暂缓安排投资计划、暂停或终止。",
                    "The project is not in the reserve, or is deferred, suspended or terminated.",
                    rule="R10.1",
                    field=at,
                )
            )
        if entry.project_id in deferred:
            problems.append(
                Violation(
                    "PROJECT_PLAN_DEFERRED",
                    "项目因整改不到位被暂缓安排投资计划（第二十三条）。",
                    "The project's investment plan is deferred for failed rectification (Art. 23).",
                    rule="R23.2",
                    field=at,
                )
            )
        if amount <= 0:
            problems.append(
                Violation(
                    "INVALID_AMOUNT",
                    "计划金额须大于0元。",
                    "The planned amount must be > 0.",
                    rule="R10.1",
                    field=(*at, "amount"),
                )
            )
        if (entry.project_id, entry.kind) in seen:
            problems.append(
                Violation(
                    "DUPLICATE_PLAN_ITEM",
                    "同一项目的同类计划只能列入一次。",
                    "A project's plan of one kind is listed once.",
                    rule="R10.1",
                    field=at,
                )
            )
        seen.add((entry.project_id, entry.kind))
    kept = {entry.project_id for entry, _ in selections}
    if previous is not None:
        for pid in previous.project_ids() - kept:
            if statuses.get(pid) not in (Status.PLANNED, Status.IN_RESERVE):
                problems.append(
                    Violation(
                        "PLAN_ITEM_CANNOT_BE_REMOVED",
                        "项目已批复或已开工，不能从计划中移出。",
                        "The project is already approved or under way: it stays in the plan.",
                        rule="R10.1",
                        field=("input", "items"),
                    )
                )
    if not selections:
        problems.append(
            Violation(
                "PLAN_EMPTY",
                "年度计划至少包含一个项目。",
                "A plan lists at least one project.",
                rule="R10.1",
                field=("input", "items"),
            )
        )
    if problems:
        raise DomainError(problems)
    items = [
        PlanItem(project_id=e.project_id, amount=a, source=PlanSource.CALL, entry_id=e.id)
        for e, a in selections
    ]
    if previous is not None:  # mid-year additions approved since stay unless bdb lists them again
        items += [i for i in previous.items if i.source is PlanSource.MID_YEAR and i.project_id not in kept]
    return AnnualPlan(
        year=year,
        revision=revision,
        status=PlanStatus.COMPILED,
        compiled_at=now,
        note=note,
        call_id=call_id,
        items=[
            PlanItem(
                project_id=i.project_id,
                amount=i.amount,
                source=i.source,
                entry_id=i.entry_id,
                mid_year_request_id=i.mid_year_request_id,
            )
            for i in items
        ],
    )


def _plan_state(plan: AnnualPlan, expected: PlanStatus, rule: RuleId = "R10.1") -> None:
    if plan.status is not expected:
        raise DomainError(
            [
                Violation(
                    "PLAN_STATE",
                    f"年度计划当前状态为{plan.status.value}，不能执行此操作。",
                    f"The plan is {plan.status.value}; this step is not possible now.",
                    rule=rule,
                )
            ]
        )


def send_to_government(plan: AnnualPlan, *, now: datetime) -> None:
    _plan_state(plan, PlanStatus.COMPILED)
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, now


def decide(plan: AnnualPlan, *, approve: bool, comment: str, now: datetime) -> None:
    """R10.1: the City Government approves the plan or returns it (with reasons) to bdb."""
    _plan_state(plan, PlanStatus.SUBMITTED)
    if not approve and not comment.strip():
        raise DomainError(
            [
                Violation(
                    "RETURN_REASON_REQUIRED",
                    "退回须说明理由。",
                    "A return needs its reason.",
                    rule="R10.1",
                    field=("input", "comment"),
                )
            ]
        )
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_at, plan.decision_comment = now, comment.strip() or None


def planned_status(current: Status) -> Status:
    """What entering an approved plan does to a project: reserve → planned; an approved one stays approved."""
    return Status.PLANNED if current is Status.IN_RESERVE else current


def unplanned_status(current: Status) -> Status:
    """What leaving the plan does: planned → back to the reserve."""
    return Status.IN_RESERVE if current is Status.PLANNED else current
