"""Chronology — the one module that decides whether a date a user states can be true.

A stated date is checked, before anything is written, against today (Asia/Shanghai, from the injected
clock) and against the project's own history: the instants the system recorded (a document's submission,
evaluation, crypto review) and the dates stated for the steps before it. The chain is
approval → contract (construction starts) → initial acceptance → completion acceptance → filing →
operation → evaluation; the later steps are dated by the system itself (the day they are recorded), so
only the first three and the payments are stated, and each is bounded by the step before it.

[interp] R24.1 (Art. 24 "如实提供建设项目有关资料和情况"): the regulation does not say how late a step may
be entered. A stated date up to BACKDATING_TOLERANCE_DAYS (30) days before today is accepted as it is — an
approval or a contract is often entered a few days after it was signed. An earlier one needs a written
reason (`lateEntryReason`), kept in the audit record. 30 days is shorter than any period the regulation
counts (3 months for R18 reports, R19 trial operation and R20 rectification), so an entry without a
reason can never pass off a whole period as elapsed; with a reason, the chronology still binds it.

"By a date" deadlines (R9 call, R19 window, R20/R23 rectification, R22 window) compare legal dates: any
instant of the China-time day is in time, 00:00:00 of the next day is late (`in_time`).

See docs/chronology.md for every rule, what it compares and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.clock import legal_date
from domain.errors import DomainError, Violation
from domain.rules import RuleId

BACKDATING_TOLERANCE_DAYS = 30
LATE_ENTRY_RULE: RuleId = "R24.1"
LATE_ENTRY_FIELD = ("input", "lateEntryReason")


@dataclass(frozen=True, slots=True)
class Bound:
    """The earliest day a stated date may fall on, and what set it (named in both languages)."""

    day: date
    zh: str
    en: str

    @staticmethod
    def recorded(instant: datetime | None, zh: str, en: str) -> Bound | None:
        """A bound from an instant the system recorded (its China-time day), or None when not recorded."""
        return None if instant is None else Bound(legal_date(instant), zh, en)

    @staticmethod
    def stated(day: date | None, zh: str, en: str) -> Bound | None:
        """A bound from a date stated for an earlier step, or None when that step has none."""
        return None if day is None else Bound(day, zh, en)


# Deadlines "by a date" ------------------------------------------------------------------------------


def in_time(now: datetime, due: date) -> bool:
    """True at every instant of the China-time day `due` and before; 00:00:00 the next day is late."""
    return legal_date(now) <= due


def is_late(now: datetime, due: date) -> bool:
    """The complement of in_time: the China-time day of `now` is after `due`."""
    return not in_time(now, due)


# Stated past dates ----------------------------------------------------------------------------------


def past_date_violations(
    stated: date,
    *,
    today: date,
    bounds: Iterable[Bound | None],
    late_reason: str | None,
    rule: RuleId,
    field: tuple[str, ...],
    what_zh: str,
    what_en: str,
    code: str = "DATE_IN_FUTURE",
) -> list[Violation]:
    """Every problem of a date stated for something that already happened: not after today, not before
    any bound, and — more than BACKDATING_TOLERANCE_DAYS before today — explained (R24.1)."""
    problems: list[Violation] = []
    if stated > today:
        problems.append(
            Violation(
                code,
                f"{what_zh}（{stated.isoformat()}）不能晚于今天（{today.isoformat()}）。",
                f"The {what_en} ({stated.isoformat()}) cannot be after today ({today.isoformat()}).",
                rule=rule,
                field=field,
            )
        )
    # Only the latest bound is reported: it is the one that decides, and naming it says what to fix.
    present = [b for b in bounds if b is not None]
    if present:
        latest = max(present, key=lambda b: b.day)
        if stated < latest.day:
            problems.append(
                Violation(
                    "DATE_BEFORE_PRECEDING_STEP",
                    f"{what_zh}（{stated.isoformat()}）不能早于{latest.zh}（{latest.day.isoformat()}）。",
                    f"The {what_en} ({stated.isoformat()}) cannot be before the {latest.en} "
                    f"({latest.day.isoformat()}).",
                    rule=rule,
                    field=field,
                )
            )
    if stated < today - timedelta(days=BACKDATING_TOLERANCE_DAYS) and not (late_reason or "").strip():
        problems.append(
            Violation(
                "LATE_ENTRY_REASON_REQUIRED",
                f"{what_zh}早于今天{BACKDATING_TOLERANCE_DAYS}日以上，须说明补录理由。",
                f"The {what_en} lies more than {BACKDATING_TOLERANCE_DAYS} days before today: give the "
                "reason for the late entry.",
                rule=LATE_ENTRY_RULE,
                field=LATE_ENTRY_FIELD,
            )
        )
    return problems


def approval_date_violations(
    approval_date: date,
    *,
    today: date,
    submitted_at: datetime,
    evaluated_at: datetime | None,
    crypto_reviewed_at: datetime | None,
    earlier_approvals: Iterable[date],
    late_reason: str | None,
) -> list[Violation]:
    """R13.3: an approval is dated on or after the document's recorded submission, evaluation and crypto
    review, and on or after every earlier approval of the project (R11.0 order)."""
    earlier = max(earlier_approvals, default=None)
    return past_date_violations(
        approval_date,
        today=today,
        bounds=(
            Bound.recorded(submitted_at, "文件提交日", "document's submission"),
            Bound.recorded(evaluated_at, "评估论证日", "third-party evaluation"),
            Bound.recorded(crypto_reviewed_at, "密码审核日", "crypto review"),
            Bound.stated(earlier, "前一审批文件的批复日期", "approval of the previous document"),
        ),
        late_reason=late_reason,
        rule="R13.3",
        field=("input", "approvalDate"),
        what_zh="批复日期",
        what_en="approval date",
        code="APPROVAL_DATE_IN_FUTURE",
    )


def contract_date_violations(
    signed_on: date, *, today: date, approval_date: date | None, late_reason: str | None
) -> list[Violation]:
    """R14.1: a contract is signed on or after the project's approval (R13.1: no construction before it)."""
    return past_date_violations(
        signed_on,
        today=today,
        bounds=(Bound.stated(approval_date, "项目批复日期", "project's approval date"),),
        late_reason=late_reason,
        rule="R14.1",
        field=("input", "signedOn"),
        what_zh="合同签订日期",
        what_en="contract's signing date",
    )


def initial_acceptance_violations(
    on: date,
    *,
    today: date,
    construction_started_on: date | None,
    previous_initial_on: date | None,
    late_reason: str | None,
) -> list[Violation]:
    """R19.3: the initial acceptance falls on or after the start of construction (the first contract's
    signing) and on or after any earlier initial acceptance of the project (a retry follows a failure)."""
    return past_date_violations(
        on,
        today=today,
        bounds=(
            Bound.stated(construction_started_on, "开工（首份合同签订）日期", "start of construction"),
            Bound.stated(previous_initial_on, "上一次初步验收日期", "previous initial acceptance"),
        ),
        late_reason=late_reason,
        rule="R19.3",
        field=("input", "date"),
        what_zh="初步验收日期",
        what_en="initial acceptance date",
    )


def payment_date_violations(
    paid_on: date,
    *,
    today: date,
    approval_date: date | None,
    filed_on: date | None,
    final: bool,
    late_reason: str | None,
) -> list[Violation]:
    """R21.1: no payment is dated before the approval; the remaining funds not before the filing (R21)."""
    return past_date_violations(
        paid_on,
        today=today,
        bounds=(
            Bound.stated(approval_date, "项目批复日期", "project's approval date"),
            Bound.stated(filed_on if final else None, "验收备案日期", "acceptance filing"),
        ),
        late_reason=late_reason,
        rule="R21.1",
        field=("input", "paidOn"),
        what_zh="拨付日期",
        what_en="payment date",
    )


# Stated future dates (deadlines an agency sets) ----------------------------------------------------------


def plan_call_violations(*, deadline: date, budget_compilation_date: date, today: date) -> list[Violation]:
    """R9: the call's deadline is today or later and falls before the budget compilation date."""
    problems: list[Violation] = []
    if deadline >= budget_compilation_date:
        problems.append(
            Violation(
                "DEADLINE_NOT_BEFORE_BUDGET",
                "征集截止日期须早于财政预算编制时间节点。",
                "The call's deadline must fall before the budget compilation date.",
                rule="R9",
                field=("input", "deadline"),
            )
        )
    if deadline < today:
        problems.append(
            Violation(
                "DEADLINE_IN_PAST",
                "征集截止日期不能早于今天。",
                "The deadline is in the past.",
                rule="R9",
                field=("input", "deadline"),
            )
        )
    return problems


def rectification_deadline_violations(deadline: date | None, *, today: date) -> list[Violation]:
    """R23.1: a rectification is ordered by a day after today (a deadline of today leaves no time)."""
    if deadline is None or deadline > today:
        return []
    return [
        Violation(
            "DEADLINE_NOT_IN_FUTURE",
            "整改期限须晚于今天。",
            "The rectification deadline must be after today.",
            rule="R23.1",
            field=("input", "rectificationDeadline"),
        )
    ]


def extension_violations(until: date, *, today: date, closes: date) -> list[Violation]:
    """R19.1 [interp]: an extension ends after the current closing date, and not before today (an extension
    that ended in the past would open nothing)."""
    problems: list[Violation] = []
    if until <= closes:
        problems.append(
            Violation(
                "EXTENSION_NOT_LATER",
                f"延期截止日须晚于 {closes.isoformat()}。",
                f"The extension must end after {closes.isoformat()}.",
                rule="R19.1",
                field=("input", "until"),
            )
        )
    if until < today:
        problems.append(
            Violation(
                "EXTENSION_IN_PAST",
                f"延期截止日不能早于今天（{today.isoformat()}）。",
                f"The extension cannot end before today ({today.isoformat()}).",
                rule="R19.1",
                field=("input", "until"),
            )
        )
    return problems


def late_entry_audit(reason: str | None) -> dict[str, str]:
    """The R24.1 reason as it joins the audit record's "after" (nothing when none was given)."""
    text = (reason or "").strip()
    return {"lateEntryReason": text} if text else {}


def check(problems: list[Violation]) -> None:
    """Raise every collected problem at once, or return when there are none."""
    if problems:
        raise DomainError(problems)
