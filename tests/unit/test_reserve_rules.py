"""R7 in the domain alone: the five Article 7 checks decide the outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.lifecycle import Status
from domain.projects import FundingSource, Project, ProjectCategory, ProjectKind
from domain.reserve import CheckResult, ReserveCheck, ReserveOutcome, record_reserve_review

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _project() -> Project:
    return Project(
        name="项目",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("1.00"),
        lead_organization_id=1,
        status=Status.RESERVE_REVIEW,
        id=7,
        code="YK-2026-0001",
    )


def _checks(failed: set[ReserveCheck] = frozenset()) -> list[CheckResult]:  # type: ignore[assignment]
    return [CheckResult(check=c, passed=c not in failed, note="意见") for c in ReserveCheck]


def test_R7_all_five_passed_enters_the_reserve() -> None:
    project = _project()
    review = record_reserve_review(project, reviewer_user_id=1, results=_checks(), comment="", now=NOW)
    assert project.status is Status.IN_RESERVE and review.outcome is ReserveOutcome.ACCEPTED
    assert review.return_reasons == []


@pytest.mark.parametrize("failed", list(ReserveCheck))
def test_R7_any_single_failed_check_returns_the_project(failed: ReserveCheck) -> None:
    project = _project()
    review = record_reserve_review(
        project, reviewer_user_id=1, results=_checks({failed}), comment="", now=NOW
    )
    assert project.status is Status.DRAFT and review.outcome is ReserveOutcome.RETURNED
    assert len(review.return_reasons) == 1


def test_R7_four_checks_are_not_enough() -> None:
    project = _project()
    with pytest.raises(DomainError) as refused:
        record_reserve_review(project, reviewer_user_id=1, results=_checks()[:4], comment="", now=NOW)
    assert [(v.code, v.rule) for v in refused.value.violations] == [("RESERVE_CHECK_MISSING", "R7")]
    assert project.status is Status.RESERVE_REVIEW


def test_R7_a_check_recorded_twice_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        record_reserve_review(
            _project(), reviewer_user_id=1, results=[*_checks(), _checks()[0]], comment="", now=NOW
        )
    assert [v.code for v in refused.value.violations] == ["RESERVE_CHECK_DUPLICATED"]


def test_R7_only_a_project_under_review_can_be_reviewed() -> None:
    project = _project()
    project.status = Status.DRAFT
    with pytest.raises(DomainError) as refused:
        record_reserve_review(project, reviewer_user_id=1, results=_checks(), comment="", now=NOW)
    assert refused.value.violations[0].code == "INVALID_TRANSITION"
