"""R6, R8 and submission in the domain alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.lifecycle import Status
from domain.money import cny, format_cny
from domain.projects import (
    CatalogueItem,
    FundingSource,
    Participant,
    Project,
    ProjectCategory,
    ProjectKind,
    check_draft,
    project_code,
    submit_to_reserve,
)

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _project(**kwargs: object) -> Project:
    values: dict[str, object] = dict(
        name="项目",
        kind=ProjectKind.BUILD,
        category=ProjectCategory.BUSINESS_SYSTEM,
        funding_source=FundingSource.FISCAL,
        total_investment=Decimal("2000000.00"),
        lead_organization_id=1,
        description="建设内容",
        id=1,
    )
    values.update(kwargs)
    return Project(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cloud", "platform", "reason", "refused"),
    [
        (True, True, None, False),
        (False, True, None, True),
        (True, False, "", True),
        (False, False, "省有关规定要求独立部署", False),
    ],
)
def test_R6_an_exemption_from_cloud_or_platform_needs_a_reason(
    cloud: bool, platform: bool, reason: str | None, refused: bool
) -> None:
    problems = check_draft(
        _project(
            deploys_on_government_cloud=cloud,
            connects_resource_platform=platform,
            platform_exemption_reason=reason,
        )
    )
    assert [v.rule for v in problems] == (["R6"] if refused else [])


def test_R8_every_missing_part_of_every_participant_is_listed() -> None:
    project = _project(
        participants=[Participant(2, business_flow="b"), Participant(3)],
        catalogue=[CatalogueItem("C1", "目录")],
    )
    with pytest.raises(DomainError) as refused:
        submit_to_reserve(project, code="YK-2026-0001", year=2026, now=NOW, catalogue_claimed_elsewhere={})
    assert [v.field for v in refused.value.violations] == [
        ("input", "participants", "0", "dataFlow"),
        ("input", "participants", "0", "interfaces"),
        ("input", "participants", "1", "businessFlow"),
        ("input", "participants", "1", "dataFlow"),
        ("input", "participants", "1", "interfaces"),
    ]
    assert project.status is Status.DRAFT and project.code is None


def test_R8_the_lead_unit_is_not_its_own_participant() -> None:
    problems = check_draft(_project(participants=[Participant(1, "b", "d", "i")]))
    assert [v.code for v in problems] == ["DUPLICATE_PARTICIPANT"]


def test_R8_a_catalogue_item_claimed_elsewhere_blocks_only_new_construction() -> None:
    claimed = {"C1": "YK-2026-0009"}
    reuse = _project(catalogue=[CatalogueItem("C1", "目录", new_construction=False)])
    build = _project(catalogue=[CatalogueItem("C1", "目录")])
    submit_to_reserve(reuse, code="YK-2026-0001", year=2026, now=NOW, catalogue_claimed_elsewhere=claimed)
    with pytest.raises(DomainError) as refused:
        submit_to_reserve(build, code="YK-2026-0002", year=2026, now=NOW, catalogue_claimed_elsewhere=claimed)
    assert reuse.status is Status.RESERVE_REVIEW
    assert refused.value.violations[0].code == "CATALOGUE_ITEM_ALREADY_CLAIMED"


def test_a_resubmission_keeps_the_first_code() -> None:
    project = _project(code="YK-2025-0042", year=2025)
    submit_to_reserve(project, code=None, year=2026, now=NOW, catalogue_claimed_elsewhere={})
    assert (project.code, project.year) == ("YK-2025-0042", 2025)


def test_codes_are_readable_and_zero_padded() -> None:
    assert project_code(2026, 1) == "YK-2026-0001"
    assert project_code(2026, 12345) == "YK-2026-12345"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000000", "2000000.00"),
        ("2000000.00", "2000000.00"),
        ("1999999.99", "1999999.99"),
        ("0.01", "0.01"),
    ],
)
def test_money_parses_exact_amounts(text: str, expected: str) -> None:
    assert format_cny(cny(text)) == expected


@pytest.mark.parametrize("text", ["2000000.001", "abc", "NaN", "Infinity", ""])
def test_money_refuses_what_is_not_exact_cny(text: str) -> None:
    with pytest.raises(ValueError, match=r"CNY|amount"):
        cny(text)


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        cny(1.5)  # type: ignore[arg-type]


def test_investment_must_be_positive() -> None:
    assert [v.code for v in check_draft(_project(total_investment=Decimal("0.00")))] == ["INVALID_AMOUNT"]
    assert check_draft(_project(total_investment=Decimal("0.01"))) == []
