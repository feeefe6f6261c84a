"""R11: the approval path, at its boundaries — one function decides which document comes next."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.approval_path import DocumentType, PathFacts, allowed_steps, ensure_step_allowed, next_step
from domain.errors import DomainError

P, FS, PD = DocumentType.PROPOSAL, DocumentType.FEASIBILITY_STUDY, DocumentType.PRELIMINARY_DESIGN


def facts(
    approved: set[DocumentType] = frozenset(),
    *,
    in_plan: bool = False,
    urgent: str | None = None,  # type: ignore[assignment]
    simple: bool = False,
    single: bool = False,
    total: str = "5000000.00",
) -> PathFacts:
    return PathFacts(
        approved=frozenset(approved),
        in_plan=in_plan,
        urgent_legal_basis=urgent,
        technically_simple=simple,
        single_content=single,
        total_investment=Decimal(total),
    )


def steps(f: PathFacts) -> list[tuple[DocumentType, str]]:
    return [(s.document, s.rule) for s in allowed_steps(f)]


def test_R11_0_the_default_path_starts_with_the_proposal() -> None:
    assert steps(facts()) == [(P, "R11.0")]


def test_R11_0_each_document_is_approved_before_the_next() -> None:
    assert steps(facts({P})) == [(FS, "R11.0")]
    assert steps(facts({P, FS})) == [(PD, "R11.0")]
    assert steps(facts({P, FS, PD})) == []
    assert next_step(facts({P, FS, PD})) is None


def test_R11_1_a_planned_project_may_start_at_the_feasibility_study() -> None:
    assert steps(facts(in_plan=True)) == [(FS, "R11.1"), (P, "R11.0")]


def test_R11_2_an_urgent_project_with_its_legal_basis_may_start_at_the_preliminary_design() -> None:
    assert steps(facts(urgent="《营口市防汛应急预案》")) == [(PD, "R11.2"), (P, "R11.0")]
    assert steps(facts(urgent="   ")) == [(P, "R11.0")]


@pytest.mark.parametrize(
    ("total", "may_skip"), [("1999999.99", True), ("2000000.00", True), ("2000000.01", False)]
)
def test_R11_3_at_most_two_million_may_skip_feasibility_after_the_proposal(
    total: str, may_skip: bool
) -> None:
    expected = [(PD, "R11.3"), (FS, "R11.0")] if may_skip else [(FS, "R11.0")]
    assert steps(facts({P}, total=total)) == expected


@pytest.mark.parametrize(("simple", "single"), [(True, False), (False, True)])
def test_R11_3_technically_simple_or_single_content_may_skip_feasibility(simple: bool, single: bool) -> None:
    assert steps(facts({P}, simple=simple, single=single, total="9000000.00"))[0] == (PD, "R11.3")


def test_R11_3_the_shortcut_needs_the_proposal_approved_first() -> None:
    assert steps(facts(simple=True, single=True, total="100.00")) == [(P, "R11.0")]


def test_a_forbidden_shortcut_is_refused_naming_what_is_allowed() -> None:
    with pytest.raises(DomainError) as refused:
        ensure_step_allowed(facts(total="100.00"), PD)
    violation = refused.value.violations[0]
    assert violation.code == "APPROVAL_STEP_NOT_ALLOWED" and "项目建议书" in violation.zh
    with pytest.raises(DomainError) as after_proposal:
        ensure_step_allowed(facts({P}, total="2000000.01"), PD)
    assert after_proposal.value.violations[0].rule == "R11.3"


def test_the_step_that_allowed_a_document_is_returned() -> None:
    assert ensure_step_allowed(facts({P}, total="2000000.00"), PD).rule == "R11.3"
    assert ensure_step_allowed(facts({P}, total="2000000.00"), FS).rule == "R11.0"


def test_nothing_is_next_while_a_document_is_under_review_or_outside_the_reserve() -> None:
    under_review = PathFacts(
        approved=frozenset({P}),
        in_plan=False,
        urgent_legal_basis=None,
        technically_simple=False,
        single_content=False,
        total_investment=Decimal("1.00"),
        document_under_review=True,
    )
    draft = PathFacts(
        approved=frozenset(),
        in_plan=True,
        urgent_legal_basis=None,
        technically_simple=False,
        single_content=False,
        total_investment=Decimal("1.00"),
        in_reserve=False,
    )
    assert allowed_steps(under_review) == [] and next_step(draft) is None
