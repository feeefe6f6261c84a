"""domain/chronology.py at its boundaries: stated dates against today, recorded instants, the step before,
the R24.1 late-entry tolerance; and "by a date" deadlines compared by the China-time day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import acceptance as acc
from domain import chronology as chron
from domain import evaluation as ev
from domain import implementation as impl
from domain import plans
from domain import supervision as sv
from domain.clock import CHINA, legal_date
from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.projects import FundingSource, Project, ProjectCategory, ProjectKind

TODAY = date(2026, 5, 6)
SUBMITTED = datetime(2026, 4, 20, 1, 0, tzinfo=UTC)  # 09:00 on 20 April in Yingkou
EVALUATED = datetime(2026, 4, 27, 16, 30, tzinfo=UTC)  # 00:30 on 28 April in Yingkou — the 28th counts
REVIEWED = datetime(2026, 4, 29, 2, 0, tzinfo=UTC)


def _codes(problems: list[Violation]) -> list[tuple[str, str | None]]:
    return [(v.code, v.rule) for v in problems]


def _approval(on: date, *, earlier: tuple[date, ...] = (), reason: str | None = None) -> list[Violation]:
    return chron.approval_date_violations(
        on,
        today=TODAY,
        submitted_at=SUBMITTED,
        evaluated_at=EVALUATED,
        crypto_reviewed_at=REVIEWED,
        earlier_approvals=earlier,
        late_reason=reason,
    )


# R13.3 — approval date ------------------------------------------------------------------------------


def test_R13_3_an_approval_is_dated_from_the_day_of_the_last_recorded_step_to_today() -> None:
    # given a document submitted, evaluated and crypto-reviewed (the review recorded on 29 April)
    # when approvals dated 28 April, 29 April, today and tomorrow are checked
    # then only the day of the review through today are accepted
    assert _codes(_approval(date(2026, 4, 28))) == [("DATE_BEFORE_PRECEDING_STEP", "R13.3")]
    assert _approval(date(2026, 4, 29)) == []
    assert _approval(TODAY) == []
    assert _codes(_approval(TODAY + timedelta(days=1))) == [("APPROVAL_DATE_IN_FUTURE", "R13.3")]


def test_R13_3_a_recorded_instant_counts_on_its_china_time_day() -> None:
    # given only a submission recorded at 00:30 on 28 April in Yingkou (27 April in UTC)
    def on(day: date) -> list[Violation]:
        return chron.approval_date_violations(
            day,
            today=TODAY,
            submitted_at=EVALUATED,
            evaluated_at=None,
            crypto_reviewed_at=None,
            earlier_approvals=(),
            late_reason=None,
        )

    # when / then: 27 April is before it, 28 April is not
    assert _codes(on(date(2026, 4, 27))) == [("DATE_BEFORE_PRECEDING_STEP", "R13.3")]
    assert on(date(2026, 4, 28)) == []


def test_R13_3_an_approval_is_not_dated_before_the_previous_documents_approval() -> None:
    # given a feasibility study approved on 2 May / when the design's approval is dated 1 May and 2 May
    # then the day before is refused, naming the previous approval, and the same day is accepted
    refused = _approval(date(2026, 5, 1), earlier=(date(2026, 5, 2),))
    assert _codes(refused) == [("DATE_BEFORE_PRECEDING_STEP", "R13.3")]
    assert "2026-05-02" in refused[0].zh and "previous document" in refused[0].en
    assert _approval(date(2026, 5, 2), earlier=(date(2026, 5, 2),)) == []


def test_R13_3_the_2019_approval_of_a_document_submitted_this_year_is_refused() -> None:
    # given the document submitted on 20 April 2026 / when the approval says 1 January 2019
    refused = _approval(date(2019, 1, 1), reason="补录")
    # then it is refused even with a late-entry reason: the reason never moves the chronology
    assert _codes(refused) == [("DATE_BEFORE_PRECEDING_STEP", "R13.3")]


# R24.1 — late entries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_back", "reason", "problems"),
    [
        (30, None, []),
        (31, None, [("LATE_ENTRY_REASON_REQUIRED", "R24.1")]),
        (31, "  ", [("LATE_ENTRY_REASON_REQUIRED", "R24.1")]),
        (31, "合同原件归档后补录", []),
    ],
)
def test_R24_1_a_date_more_than_30_days_back_needs_a_reason(
    days_back: int, reason: str | None, problems: list[tuple[str, str]]
) -> None:
    # given a contract of a project approved long ago / when it is dated 30 or 31 days before today
    found = chron.contract_date_violations(
        TODAY - timedelta(days=days_back), today=TODAY, approval_date=date(2025, 1, 1), late_reason=reason
    )
    # then 30 days pass as they are; 31 need a non-blank reason, asked for in its own field
    assert _codes(found) == problems
    assert all(v.field == ("input", "lateEntryReason") for v in found)


# R14.1, R19.3, R21.1 — each stated date bounds the next step ---------------------------------------------


def test_R14_1_a_contract_is_signed_on_or_after_the_approval_date_and_not_after_today() -> None:
    # given a project approved on 2 May
    def signed(day: date) -> list[tuple[str, str | None]]:
        return _codes(
            chron.contract_date_violations(day, today=TODAY, approval_date=date(2026, 5, 2), late_reason=None)
        )

    # when / then
    assert signed(date(2026, 5, 1)) == [("DATE_BEFORE_PRECEDING_STEP", "R14.1")]
    assert signed(date(2026, 5, 2)) == []
    assert signed(TODAY) == []
    assert signed(TODAY + timedelta(days=1)) == [("DATE_IN_FUTURE", "R14.1")]


def test_R19_3_an_initial_acceptance_is_not_dated_before_construction_started_or_an_earlier_one() -> None:
    # given construction started (first contract) on 2 March and a failed initial acceptance on 1 April
    def initial(day: date) -> list[tuple[str, str | None]]:
        return _codes(
            chron.initial_acceptance_violations(
                day,
                today=TODAY,
                construction_started_on=date(2026, 3, 2),
                previous_initial_on=date(2026, 4, 1),
                late_reason="验收纪要归档后补录",
            )
        )

    # when / then: before the retry's predecessor is refused; the same day and today are fine
    assert initial(date(2026, 3, 31)) == [("DATE_BEFORE_PRECEDING_STEP", "R19.3")]
    assert initial(date(2026, 4, 1)) == []
    assert initial(TODAY + timedelta(days=1)) == [("DATE_IN_FUTURE", "R19.3")]


def test_R19_3_an_initial_acceptance_100_days_back_on_a_contract_signed_today_is_refused() -> None:
    # given everything submitted, approved and contracted today
    found = chron.initial_acceptance_violations(
        TODAY - timedelta(days=100),
        today=TODAY,
        construction_started_on=TODAY,
        previous_initial_on=None,
        late_reason=None,
    )
    # when / then: it predates construction, and it lies beyond the tolerance without a reason
    assert _codes(found) == [("DATE_BEFORE_PRECEDING_STEP", "R19.3"), ("LATE_ENTRY_REASON_REQUIRED", "R24.1")]


@pytest.mark.parametrize(
    ("paid_on", "final", "problems"),
    [
        (date(2026, 3, 1), False, [("DATE_BEFORE_PRECEDING_STEP", "R21.1")]),  # before the approval
        (date(2026, 3, 2), False, []),
        (date(2026, 5, 4), True, [("DATE_BEFORE_PRECEDING_STEP", "R21.1")]),  # remaining funds before filing
        (date(2026, 5, 5), True, []),
        (date(2026, 5, 4), False, []),  # a progress payment may precede the filing
    ],
)
def test_R21_1_payments_follow_the_approval_and_the_remaining_funds_follow_the_filing(
    paid_on: date, final: bool, problems: list[tuple[str, str]]
) -> None:
    # given a project approved on 2 March and filed (in operation) on 5 May
    found = chron.payment_date_violations(
        paid_on,
        today=TODAY,
        approval_date=date(2026, 3, 2),
        filed_on=date(2026, 5, 5),
        final=final,
        late_reason="补录",
    )
    # when / then
    assert _codes(found) == problems


# Future dates an agency sets -------------------------------------------------------------------------------


def test_R19_1_an_extension_ends_after_the_closing_date_and_not_before_today() -> None:
    # given a window that closed on 1 May, today 6 May
    closes = date(2026, 5, 1)
    # when / then: after the close but before today is useless; today or later is accepted
    assert _codes(chron.extension_violations(date(2026, 5, 5), today=TODAY, closes=closes)) == [
        ("EXTENSION_IN_PAST", "R19.1")
    ]
    assert chron.extension_violations(TODAY, today=TODAY, closes=closes) == []
    assert _codes(chron.extension_violations(closes, today=date(2026, 4, 1), closes=closes)) == [
        ("EXTENSION_NOT_LATER", "R19.1")
    ]


def test_R23_1_a_rectification_deadline_is_after_today() -> None:
    assert _codes(chron.rectification_deadline_violations(TODAY, today=TODAY)) == [
        ("DEADLINE_NOT_IN_FUTURE", "R23.1")
    ]
    assert chron.rectification_deadline_violations(TODAY + timedelta(days=1), today=TODAY) == []
    assert chron.rectification_deadline_violations(None, today=TODAY) == []


def test_R9_a_call_deadline_is_today_or_later() -> None:
    def call(deadline: date) -> list[tuple[str, str | None]]:
        return _codes(
            chron.plan_call_violations(
                deadline=deadline, budget_compilation_date=date(2026, 10, 1), today=TODAY
            )
        )

    assert call(TODAY - timedelta(days=1)) == [("DEADLINE_IN_PAST", "R9")]
    assert call(TODAY) == []


# "By that day": 23:59:59.999 is in time, 00:00:00.000 the next day is late -----------------------------------

LAST_INSTANT = datetime(2026, 9, 30, 23, 59, 59, 999000, tzinfo=CHINA)
NEXT_DAY = datetime(2026, 10, 1, 0, 0, 0, tzinfo=CHINA)
DUE = date(2026, 9, 30)


def test_by_a_date_every_instant_of_that_china_day_is_in_time_and_midnight_is_late() -> None:
    assert chron.in_time(LAST_INSTANT, DUE) and not chron.is_late(LAST_INSTANT, DUE)
    assert chron.in_time(datetime(2026, 9, 30, 15, 59, 59, 400000, tzinfo=UTC), DUE)  # 23:59:59.4 CST
    assert chron.is_late(NEXT_DAY, DUE)
    assert chron.is_late(datetime(2026, 9, 30, 16, 0, tzinfo=UTC), DUE)  # the same midnight in UTC


CALL = plans.PlanCall(
    year=2027,
    deadline=DUE,
    budget_compilation_date=date(2026, 10, 15),
    requirements="按要求报送",
    opened_at=datetime(2026, 9, 1, tzinfo=UTC),
    id=1,
)


@pytest.mark.parametrize(("now", "late"), [(LAST_INSTANT, False), (NEXT_DAY, True)])
def test_R9_plan_entries_are_taken_through_the_deadline_day(now: datetime, late: bool) -> None:
    # given a call closing on 30 September / when an entry arrives at 23:59:59.999 or 00:00:00.000
    def submit() -> None:
        plans.check_entry(CALL, project_status=Status.IN_RESERVE, amount=Decimal("1.00"), now=now)

    # then the first is accepted and the second refused (and the call says whether it is open)
    if late:
        with pytest.raises(DomainError) as refused:
            submit()
        assert [v.code for v in refused.value.violations] == ["PLAN_CALL_CLOSED"]
    else:
        submit()
    assert CALL.is_open(now) is not late


@pytest.mark.parametrize(("now", "late"), [(LAST_INSTANT, False), (NEXT_DAY, True)])
def test_R19_1_the_window_closes_with_its_last_day(now: datetime, late: bool) -> None:
    # given an initial acceptance whose window closes on 30 September (31 March + 6 months)
    initial = date(2026, 3, 31)
    assert acc.window(initial)[1] == DUE

    def apply() -> None:
        acc.check_application(
            initial_passed_on=initial,
            today=legal_date(now),
            classified=False,
            attached=set(acc.required_reports(False)),
        )

    # when the application arrives at the last instant or at midnight / then in time, then closed
    if late:
        with pytest.raises(DomainError) as refused:
            apply()
        assert [v.code for v in refused.value.violations] == ["ACCEPTANCE_WINDOW_CLOSED"]
    else:
        apply()


@pytest.mark.parametrize(("now", "late"), [(LAST_INSTANT, False), (NEXT_DAY, True)])
def test_R22_the_self_evaluation_window_closes_with_its_last_day(now: datetime, late: bool) -> None:
    # given operation from 30 September 2024: the window closes on 30 September 2026
    started = date(2024, 9, 30)

    def submit() -> None:
        ev.check_self_evaluation(started, legal_date(now))

    if late:
        with pytest.raises(DomainError):
            submit()
    else:
        submit()


@pytest.mark.parametrize(("now", "failed"), [(LAST_INSTANT, False), (NEXT_DAY, True)])
def test_R23_2_a_rectification_fails_only_from_the_day_after_its_deadline(
    now: datetime, failed: bool
) -> None:
    # given a rectification ordered by 30 September, nothing reported
    inspection = sv.Inspection(
        project_id=1,
        agency_organization_id=2,
        agency_role="bdb",
        subject=sv.Subject.FUND_USE,
        opened_at=datetime(2026, 9, 1, tzinfo=UTC),
        rectification_deadline=DUE,
        status=sv.InspectionStatus.RECTIFICATION_ORDERED,
        id=1,
    )
    # when / then
    assert sv.rectification_failed(inspection, [], legal_date(now)) is failed


@pytest.mark.parametrize(("now", "late"), [(LAST_INSTANT, False), (NEXT_DAY, True)])
def test_R20_the_resubmission_is_accepted_through_the_rectification_deadline_day(
    now: datetime, late: bool
) -> None:
    # given a rectification due on 30 September and the five reports attached
    def resubmit() -> None:
        acc.check_resubmission(False, set(acc.required_reports(False)), today=legal_date(now), deadline=DUE)

    # when the unit resubmits at 23:59:59.999 or at 00:00:00.000 the next day
    # then the first goes to bdb's re-examination and the second is refused citing Art. 20
    if late:
        with pytest.raises(DomainError) as refused:
            resubmit()
        assert [(v.code, v.rule) for v in refused.value.violations] == [("RECTIFICATION_OVERDUE", "R20")]
    else:
        resubmit()


def _approved_project() -> Project:
    return Project(
        name="营口市城市运行管理服务平台",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("3000000.00"),
        lead_organization_id=1,
        status=Status.UNDER_CONSTRUCTION,
        id=1,
        approval_date=date(2026, 3, 2),
        approved_investment=Decimal("3000000.00"),
    )


@pytest.mark.parametrize(
    ("amount", "refused"), [("149999.99", False), ("150000.00", False), ("150000.01", True)]
)
def test_R16_contracts_never_add_up_above_the_approved_investment(amount: str, refused: bool) -> None:
    # given 2,850,000.00 already contracted of 3,000,000.00 approved
    contract = impl.Contract(
        project_id=1,
        legal_person="营口市住建局",
        regime=impl.ProcurementRegime.GOVERNMENT_PROCUREMENT,
        method=impl.ProcurementMethod.PUBLIC_TENDER,
        procurement_reference="YKZC-2026-1",
        winning_bidder="辽宁数字科技有限公司",
        supervision_firm="营口信达工程监理有限公司",
        contract_number="HT-2",
        amount=Decimal(amount),
        signed_on=TODAY,
        recorded_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC),
    )

    def record() -> None:
        impl.check_contract(
            contract,
            _approved_project(),
            start_problems=[],
            om_by_bdb=False,
            already_contracted=Decimal("2850000.00"),
        )

    # when a second contract is checked / then up to the approved total it passes, one fen above is refused
    if refused:
        with pytest.raises(DomainError) as error:
            record()
        assert [(v.code, v.rule) for v in error.value.violations] == [("CONTRACT_ABOVE_APPROVED", "R16")]
    else:
        record()
