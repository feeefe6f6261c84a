"""R16–R22 as pure rules: calendar months, quarterly due dates, acceptance window, 15 % filing limit,
disbursements before filing, self-evaluation window."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import acceptance as acc
from domain import changes as ch
from domain import evaluation as ev
from domain import funds
from domain.calendar_math import add_months
from domain.errors import DomainError
from domain.progress import quarter_due_dates, quarter_statuses

TOTAL = Decimal("3000000.00")  # 15 % = 450,000.00


def _facts(
    adjusted: str,
    *,
    total: Decimal = TOTAL,
    same: bool = True,
    reason: ch.ChangeReason = ch.ChangeReason.TECHNICAL_OPTIMISATION,
) -> ch.ChangeFacts:
    return ch.ChangeFacts(
        aspects=frozenset({ch.ChangeAspect.CONTENT}),
        new_total_investment=total,
        adjusted_funds=Decimal(adjusted),
        same_objectives=same,
        reason=reason,
    )


def _codes(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [v.code for v in error.value.violations]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 15), 3, date(2026, 6, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_calendar_months_clamp_to_the_end_of_the_month(start: date, months: int, expected: date) -> None:
    # given a date / when months are added / then the day is kept or clamped to the month's end
    assert add_months(start, months) == expected


def test_R18_a_report_is_due_on_28_may_after_approval_on_28_february() -> None:
    # given an approval on the last day of February / when the due dates of a year are listed
    dues = quarter_due_dates(date(2026, 2, 28), date(2027, 2, 28))
    # then each falls on the corresponding day, 28 (PRC Civil Code Art. 202), not on month ends
    assert dues == [date(2026, 5, 28), date(2026, 8, 28), date(2026, 11, 28), date(2027, 2, 28)]


def test_R18_mid_month_approval_keeps_its_day_and_a_quarter_is_overdue_only_after_its_due_date() -> None:
    # given an approval on 15 March
    approval = date(2026, 3, 15)
    # when the quarters are looked at on the due date and on the day after
    on_due = quarter_statuses(approval, date(2026, 6, 15), set())
    day_after = quarter_statuses(approval, date(2026, 6, 16), set())
    # then the report is due on 15 June and overdue from 16 June
    assert [(q.due_on, q.overdue) for q in on_due] == [(date(2026, 6, 15), False)]
    assert [(q.due_on, q.overdue) for q in day_after] == [(date(2026, 6, 15), True)]


def test_R17_exactly_15_percent_is_filed_and_one_fen_more_needs_approval() -> None:
    # given a 3,000,000.00 total (15 % = 450,000.00)
    # when changes of exactly 450,000.00 and 450,000.01 are classified
    exactly = ch.classify(_facts("450000.00"), approved_total=TOTAL, filed_adjustments=Decimal(0))
    above = ch.classify(_facts("450000.01"), approved_total=TOTAL, filed_adjustments=Decimal(0))
    # then the first is filed under R17, the second needs approval under R17
    assert (exactly.route, exactly.rule) == (ch.ChangeRoute.FILING, "R17")
    assert (above.route, above.rule) == (ch.ChangeRoute.APPROVAL, "R17")


def test_R17_the_15_percent_counts_all_filed_adjustments_together() -> None:
    # given two filed adjustments of 200,000.00 and 200,000.00
    filed = Decimal("400000.00")
    # when a third of 50,000.01 is classified (cumulative 450,000.01 > 450,000.00)
    third = ch.classify(_facts("50000.01"), approved_total=TOTAL, filed_adjustments=filed)
    # then it needs approval, and its cumulative figure says why
    assert third.route is ch.ChangeRoute.APPROVAL and third.cumulative_adjusted == Decimal("450000.01")


def test_R16_any_increase_of_the_total_needs_approval_and_R17_needs_same_objectives_and_a_listed_reason() -> (
    None
):
    # given small adjustments / when the total rises by one fen, the objectives change, or the reason is other
    increase = ch.classify(
        _facts("1.00", total=TOTAL + Decimal("0.01")), approved_total=TOTAL, filed_adjustments=Decimal(0)
    )
    objectives = ch.classify(_facts("1.00", same=False), approved_total=TOTAL, filed_adjustments=Decimal(0))
    other = ch.classify(
        _facts("1.00", reason=ch.ChangeReason.OTHER), approved_total=TOTAL, filed_adjustments=Decimal(0)
    )
    # then each needs approval, citing the rule that decided
    assert (increase.route, increase.rule) == (ch.ChangeRoute.APPROVAL, "R16")
    assert (objectives.route, objectives.rule) == (ch.ChangeRoute.APPROVAL, "R17")
    assert (other.route, other.rule) == (ch.ChangeRoute.APPROVAL, "R17")


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (date(2026, 6, 30), False),  # the day before 3 months
        (date(2026, 7, 1), True),  # exactly 3 months
        (date(2026, 10, 1), True),  # exactly 6 months
        (date(2026, 10, 2), False),  # one day past 6 months
    ],
)
def test_R19_1_completion_acceptance_window_is_3_to_6_months_inclusive(today: date, allowed: bool) -> None:
    # given an initial acceptance passed on 1 April 2026 and all five reports
    reports = set(acc.required_reports(False))
    # when the unit applies on `today`
    try:
        acc.check_application(
            initial_passed_on=date(2026, 4, 1), today=today, classified=False, attached=reports
        )
        refused = False
    except DomainError:
        refused = True
    # then only the window itself is open
    assert refused is not allowed


def test_R19_1_a_bdb_extension_moves_the_closing_date() -> None:
    # given an initial acceptance on 1 April 2026 and an extension to 31 October
    # when the unit applies on 31 October / then it is accepted
    acc.check_application(
        initial_passed_on=date(2026, 4, 1),
        today=date(2026, 10, 31),
        classified=False,
        attached=set(acc.required_reports(False)),
        extended_until=date(2026, 10, 31),
    )


def test_R19_2_every_missing_report_is_named_and_a_classified_system_needs_the_secrecy_evaluation() -> None:
    # given a classified system that attaches the MLPS report instead of the secrecy one, and nothing else
    with pytest.raises(DomainError) as refused:
        acc.check_application(
            initial_passed_on=date(2026, 4, 1),
            today=date(2026, 7, 1),
            classified=True,
            attached={acc.AcceptanceReport.MLPS_EVALUATION},
        )
    # then the five missing reports are listed, the secrecy evaluation among them
    assert [v.field[-1] for v in refused.value.violations] == [
        "CONSTRUCTION_SUMMARY",
        "FINANCIAL_REPORT",
        "SUPERVISION_REPORT",
        "SECURITY_SECRECY_EVALUATION",
        "CRYPTO_EVALUATION",
    ]


def test_R20_rectification_deadline_is_three_calendar_months() -> None:
    # given a failure on 30 November / then rectification ends on 28 February (clamped)
    assert acc.rectification_deadline(date(2026, 11, 30)) == date(2027, 2, 28)


def test_R21_a_final_disbursement_waits_for_the_filing_and_nothing_exceeds_the_approved_investment() -> None:
    # given 2,900,000.00 disbursed of 3,000,000.00
    base = {"already_disbursed": Decimal("2900000.00"), "approved_investment": TOTAL}
    # when the remaining 100,000.00 is paid before filing, 100,000.01 after filing, 100,000.00 after filing
    with pytest.raises(DomainError) as before_filing:
        funds.check_disbursement(
            kind=funds.DisbursementKind.FINAL, amount=Decimal("100000.00"), filed=False, **base
        )
    with pytest.raises(DomainError) as above:
        funds.check_disbursement(
            kind=funds.DisbursementKind.FINAL, amount=Decimal("100000.01"), filed=True, **base
        )
    funds.check_disbursement(
        kind=funds.DisbursementKind.FINAL, amount=Decimal("100000.00"), filed=True, **base
    )
    # then the first two are refused for their reasons, the last is allowed
    assert _codes(before_filing) == ["FINAL_PAYMENT_BEFORE_FILING"]
    assert _codes(above) == ["DISBURSEMENT_ABOVE_APPROVED"]


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (date(2027, 5, 31), False),  # 11 months 30 days after 1 June 2026
        (date(2027, 6, 1), True),  # 12 months
        (date(2028, 6, 1), True),  # 24 months
        (date(2028, 6, 2), False),  # 24 months and a day
    ],
)
def test_R22_self_evaluation_only_12_to_24_months_into_operation(today: date, allowed: bool) -> None:
    # given operation began on 1 June 2026 / when the unit self-evaluates on `today`
    try:
        ev.check_self_evaluation(date(2026, 6, 1), today)
        refused = False
    except DomainError:
        refused = True
    # then only the window accepts it
    assert refused is not allowed
