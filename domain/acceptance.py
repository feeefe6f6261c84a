"""R19–R21 (Art. 19–21): initial acceptance, completion acceptance, rectification and filing.

[interp] R19.1 "系统稳定运行3个月以上至6个月内" — the completion-acceptance window opens 3 calendar months
after the date of the passed initial acceptance and closes 6 calendar months after it, both days included;
months are added with month-end clamping (31 Aug → opens 30 Nov, closes 28/29 Feb). Outside the window
an application is refused unless bdb recorded an extension, which then sets the new closing date.
[interp] R20 "3个月内完成整改" — the rectification deadline is 3 calendar months after the day bdb
recorded the failed result, that day included. The resubmission for re-examination is accepted through the
deadline's China-time day and refused from the next day (Art. 20 "应在3个月内完成整改"); bdb may record an
extension with a reason (acceptanceExtensionRecord, as for the R19.1 window), which sets a later deadline.

The acceptance history is an aggregate (`Acceptance`): the events in order, each of an `AcceptanceEventKind`,
and every fact the use cases, the obligations calendar, the action facts and GraphQL read is one of its
properties, so the history is interpreted here only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from domain.calendar_math import add_months
from domain.errors import DomainError, Violation

WINDOW_OPENS_MONTHS = 3
WINDOW_CLOSES_MONTHS = 6
RECTIFICATION_MONTHS = 3


class AcceptanceReport(StrEnum):
    """The documents a completion-acceptance application attaches (R19.2)."""

    CONSTRUCTION_SUMMARY = "CONSTRUCTION_SUMMARY"
    FINANCIAL_REPORT = "FINANCIAL_REPORT"
    SUPERVISION_REPORT = "SUPERVISION_REPORT"
    SECURITY_SECRECY_EVALUATION = "SECURITY_SECRECY_EVALUATION"  # 涉密: 安全保密测评
    MLPS_EVALUATION = "MLPS_EVALUATION"  # otherwise: 网络安全等级保护测评
    CRYPTO_EVALUATION = "CRYPTO_EVALUATION"  # 密码应用安全性评估
    INITIAL_ACCEPTANCE = "INITIAL_ACCEPTANCE"  # 初步验收报告 (R19.4, before a passed initial acceptance)
    COMPLETION_ACCEPTANCE = "COMPLETION_ACCEPTANCE"  # 竣工验收报告 (R21.2, before the filing)


REPORT_LABELS_ZH: dict[AcceptanceReport, str] = {
    AcceptanceReport.CONSTRUCTION_SUMMARY: "建设总结报告",
    AcceptanceReport.FINANCIAL_REPORT: "财务报告",
    AcceptanceReport.SUPERVISION_REPORT: "监理报告",
    AcceptanceReport.SECURITY_SECRECY_EVALUATION: "安全保密测评报告",
    AcceptanceReport.MLPS_EVALUATION: "网络安全等级保护测评报告",
    AcceptanceReport.CRYPTO_EVALUATION: "密码应用安全性评估报告",
    AcceptanceReport.INITIAL_ACCEPTANCE: "初步验收报告",
    AcceptanceReport.COMPLETION_ACCEPTANCE: "竣工验收报告",
}


class AcceptanceOutcome(StrEnum):
    """bdb's result of a completion acceptance (R20)."""

    PASSED = "PASSED"
    FAILED = "FAILED"


def window(initial_acceptance_date: date) -> tuple[date, date]:
    """(opens, closes) of the completion-acceptance window, both inclusive (R19.1, see [interp])."""
    return (
        add_months(initial_acceptance_date, WINDOW_OPENS_MONTHS),
        add_months(initial_acceptance_date, WINDOW_CLOSES_MONTHS),
    )


def r19_1_closing_date(initial_passed_on: date, extended_until: date | None) -> date:
    """R19.1 [interp]: the window closes 6 months after the passed initial acceptance, or on bdb's extension
    when that is later — the one place this rule is written."""
    closes = window(initial_passed_on)[1]
    return extended_until if extended_until is not None and extended_until > closes else closes


def rectification_deadline(failed_on: date) -> date:
    """The last day to finish rectification after a failed completion acceptance (R20)."""
    return add_months(failed_on, RECTIFICATION_MONTHS)


def required_reports(classified: bool) -> tuple[AcceptanceReport, ...]:
    """The five R19.2 reports; the security report depends on whether the system is classified (涉密)."""
    security = (
        AcceptanceReport.SECURITY_SECRECY_EVALUATION if classified else AcceptanceReport.MLPS_EVALUATION
    )
    return (
        AcceptanceReport.CONSTRUCTION_SUMMARY,
        AcceptanceReport.FINANCIAL_REPORT,
        AcceptanceReport.SUPERVISION_REPORT,
        security,
        AcceptanceReport.CRYPTO_EVALUATION,
    )


def missing_reports(classified: bool, attached: set[AcceptanceReport]) -> list[AcceptanceReport]:
    return [r for r in required_reports(classified) if r not in attached]


def check_application(
    *,
    initial_passed_on: date | None,
    today: date,
    classified: bool,
    attached: set[AcceptanceReport],
    extended_until: date | None = None,
) -> None:
    """Refuse a completion-acceptance application, listing every problem (R19.1 window, R19.2 reports)."""
    problems: list[Violation] = []
    if initial_passed_on is None:
        problems.append(
            Violation(
                "NO_INITIAL_ACCEPTANCE",
                "项目尚未通过初步验收，不能申请竣工验收。",
                "The project has not passed its initial acceptance; completion acceptance cannot be applied for.",
                rule="R19.1",
            )
        )
    else:
        opens = window(initial_passed_on)[0]
        closes = r19_1_closing_date(initial_passed_on, extended_until)
        if today < opens:
            problems.append(
                Violation(
                    "ACCEPTANCE_TOO_EARLY",
                    f"系统自初步验收起稳定运行须满3个月，{opens.isoformat()} 起方可申请竣工验收。",
                    f"The system must run stably for 3 months after the initial acceptance; apply from "
                    f"{opens.isoformat()}.",
                    rule="R19.1",
                )
            )
        elif today > closes:
            problems.append(
                Violation(
                    "ACCEPTANCE_WINDOW_CLOSED",
                    f"竣工验收申请期限已于 {closes.isoformat()} 届满，需大数据局登记延期。",
                    f"The completion-acceptance window closed on {closes.isoformat()}; bdb must record an "
                    "extension.",
                    rule="R19.1",
                )
            )
    problems.extend(report_violations(classified, attached))
    if problems:
        raise DomainError(problems)


def report_violations(classified: bool, attached: set[AcceptanceReport]) -> list[Violation]:
    """One violation per missing R19.2 report, each naming it."""
    return [
        Violation(
            "MISSING_ACCEPTANCE_REPORT",
            f"竣工验收申请缺少{REPORT_LABELS_ZH[report]}。",
            f"The completion-acceptance application is missing the {report.name.lower().replace('_', ' ')}.",
            rule="R19.2",
            field=("input", "reports", str(report)),
        )
        for report in missing_reports(classified, attached)
    ]


def check_resubmission(
    classified: bool,
    attached: set[AcceptanceReport],
    *,
    today: date | None = None,
    deadline: date | None = None,
) -> None:
    """R20: the resubmission after rectification carries the same five reports and comes by the deadline
    (the module [interp]: bdb's extension moves the deadline; a late one is refused)."""
    problems = report_violations(classified, attached)
    if today is not None and deadline is not None and today > deadline:
        problems.insert(
            0,
            Violation(
                "RECTIFICATION_OVERDUE",
                f"整改期限已于 {deadline.isoformat()} 届满（第二十条：3个月内完成整改），不能申请复验；"
                "需大数据局登记延期。",
                f"The rectification deadline passed on {deadline.isoformat()} (Art. 20: rectify within 3 "
                "months): no re-examination unless bdb records an extension.",
                rule="R20",
            ),
        )
    if problems:
        raise DomainError(problems)


def refuse_before_filing(what_zh: str, what_en: str, code: str, field: tuple[str, ...] = ()) -> DomainError:
    """R21: until the acceptance report is filed with bdb, remaining funds and data-centre resources wait."""
    return DomainError(
        [
            Violation(
                code,
                f"项目验收报告尚未向大数据局备案，不得{what_zh}。",
                f"The acceptance report is not filed with bdb yet: no {what_en}.",
                rule="R21",
                field=field,
            )
        ]
    )


def is_filed(filed_on: date | None) -> bool:
    """R21: a project is filed once bdb acknowledged its acceptance report."""
    return filed_on is not None


# The acceptance history (R19–R21) ---------------------------------------------------------------------


class AcceptanceEventKind(StrEnum):
    """What an acceptance event records (R19–R21)."""

    INITIAL = "INITIAL"  # the unit's initial acceptance (R19.1), passed or not
    EXTENSION = "EXTENSION"  # bdb extends the R19.1 window, or the R20 rectification deadline
    APPLICATION = "APPLICATION"  # the completion-acceptance application (R19)
    RESUBMISSION = "RESUBMISSION"  # the application again after rectification (R20)
    RESULT = "RESULT"  # bdb's result (R20); a failed one carries the rectification deadline
    FILING = "FILING"  # the unit files its acceptance report (R21)
    FILING_ACKNOWLEDGED = "FILING_ACKNOWLEDGED"  # bdb acknowledges it: the project is in operation (R21/R22)


FILING_KINDS = (AcceptanceEventKind.FILING, AcceptanceEventKind.FILING_ACKNOWLEDGED)


@dataclass
class AcceptanceEvent:
    """One step of the acceptance history; `reports` are the R19.2 reports an application attached."""

    project_id: int
    kind: AcceptanceEventKind
    event_date: date
    recorded_at: datetime
    passed: bool | None = None
    reports: list[str] = field(default_factory=list)
    deadline: date | None = None
    note: str = ""
    recorded_by_user_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AcceptanceFailure:
    """A failed completion acceptance (R20): done once the unit resubmitted after rectifying."""

    failed_on: date
    deadline: date
    resubmitted: bool


@dataclass(frozen=True, slots=True)
class _Facts:
    initial_passed_on: date | None = None
    extended_until: date | None = None
    completion_applied: bool = False
    failures: tuple[AcceptanceFailure, ...] = ()
    rectifying: bool = False
    accepted_on: date | None = None
    filed_on: date | None = None
    operation_started_on: date | None = None
    filing_pending: bool = False


def _fold(events: Iterable[AcceptanceEvent]) -> _Facts:
    """The facts, in event order: an extension while a failure awaits its resubmission extends that
    failure's R20 rectification deadline, any other extends the R19.1 window."""
    k = AcceptanceEventKind
    f = _Facts()
    for e in events:
        if e.kind == k.INITIAL and e.passed:
            f = replace(f, initial_passed_on=e.event_date, completion_applied=False)
        elif (
            e.kind == k.EXTENSION and e.deadline is not None and f.failures and not f.failures[-1].resubmitted
        ):
            last = f.failures[-1]
            last = replace(last, deadline=max(last.deadline, e.deadline))
            f = replace(f, failures=(*f.failures[:-1], last))
        elif e.kind == k.EXTENSION:
            f = replace(f, extended_until=e.deadline)
        elif e.kind == k.APPLICATION:
            f = replace(f, completion_applied=True)
        elif e.kind == k.RESULT and e.passed:
            f = replace(f, accepted_on=e.event_date, rectifying=False)
        elif e.kind == k.RESULT:
            failure = AcceptanceFailure(
                failed_on=e.event_date,
                deadline=e.deadline or rectification_deadline(e.event_date),
                resubmitted=False,
            )
            f = replace(f, failures=(*f.failures, failure), rectifying=True)
        elif e.kind == k.RESUBMISSION and f.failures:
            f = replace(f, failures=(*f.failures[:-1], replace(f.failures[-1], resubmitted=True)))
        elif e.kind == k.FILING:
            f = replace(f, filed_on=f.filed_on or e.event_date, filing_pending=True)
        elif e.kind == k.FILING_ACKNOWLEDGED:
            f = replace(f, operation_started_on=f.operation_started_on or e.event_date, filing_pending=False)
    return f


@dataclass
class Acceptance:
    """A project's acceptance history (R19–R21) and what follows from it."""

    project_id: int
    events: list[AcceptanceEvent] = field(default_factory=list)

    def record(self, event: AcceptanceEvent) -> AcceptanceEvent:
        """Append the next event (the repository stores it)."""
        self.events.append(event)
        return event

    @property
    def _facts(self) -> _Facts:
        return _fold(self.events)

    @property
    def initial_passed_on(self) -> date | None:
        """R19.1: the date of the (last) passed initial acceptance; the window counts from it."""
        return self._facts.initial_passed_on

    @property
    def last_initial_on(self) -> date | None:
        """R19.3: the date of the latest initial acceptance recorded, passed or not."""
        initials = [e.event_date for e in self.events if e.kind == AcceptanceEventKind.INITIAL]
        return max(initials, default=None)

    @property
    def extended_until(self) -> date | None:
        """R19.1 [interp]: bdb's last extension of the completion-acceptance window."""
        return self._facts.extended_until

    @property
    def window_opens_on(self) -> date | None:
        """R19.1: the first day to apply for completion acceptance; None before a passed initial acceptance."""
        passed = self.initial_passed_on
        return None if passed is None else window(passed)[0]

    @property
    def window_closes_on(self) -> date | None:
        """R19.1: the last day to apply, bdb's extension included (`r19_1_closing_date`)."""
        facts = self._facts
        if facts.initial_passed_on is None:
            return None
        return r19_1_closing_date(facts.initial_passed_on, facts.extended_until)

    @property
    def completion_applied(self) -> bool:
        """R19: the unit applied for completion acceptance since its last passed initial acceptance."""
        return self._facts.completion_applied

    @property
    def failures(self) -> tuple[AcceptanceFailure, ...]:
        """R20: every failed completion acceptance, with its (extended) rectification deadline."""
        return self._facts.failures

    @property
    def rectification_deadline(self) -> date | None:
        """R20: the deadline of the rectification under way (the last result failed), extensions included."""
        facts = self._facts
        return facts.failures[-1].deadline if facts.rectifying else None

    @property
    def accepted_on(self) -> date | None:
        """R20: the day bdb recorded a passed completion acceptance."""
        return self._facts.accepted_on

    @property
    def filed_on(self) -> date | None:
        """R21: the day the unit first filed its acceptance report."""
        return self._facts.filed_on

    @property
    def filing_pending(self) -> bool:
        """R21: the acceptance report is filed and bdb has not acknowledged it yet."""
        return self._facts.filing_pending

    @property
    def operation_started_on(self) -> date | None:
        """R21/R22: the day bdb acknowledged the filing — the project is in operation from then."""
        return self._facts.operation_started_on

    @property
    def reporting_ends_on(self) -> date | None:
        """R18: progress reports are due until the acceptance filing (bdb's acknowledgement); None while
        reporting goes on."""
        return self.operation_started_on
