"""R19–R21 (Art. 19–21): initial acceptance, completion acceptance, rectification and filing.

[interp] R19.1 "系统稳定运行3个月以上至6个月内" — the completion-acceptance window opens 3 calendar months
after the date of the passed initial acceptance and closes 6 calendar months after it, both days included;
months are added with month-end clamping (31 Aug → opens 30 Nov, closes 28/29 Feb). Outside the window
an application is refused unless bdb recorded an extension, which then sets the new closing date.
[interp] R20 "3个月内完成整改" — the rectification deadline is 3 calendar months after the day bdb
recorded the failed result, that day included. The resubmission for re-examination is accepted through the
deadline's China-time day and refused from the next day (Art. 20 "应在3个月内完成整改"); bdb may record an
extension with a reason (acceptanceExtensionRecord, as for the R19.1 window), which sets a later deadline.
"""

from __future__ import annotations

from datetime import date
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
        opens, closes = window(initial_passed_on)
        if extended_until is not None and extended_until > closes:
            closes = extended_until
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
