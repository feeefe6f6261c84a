"""The lifecycle table and the article citations."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.lifecycle import TRANSITIONS, Status, transition
from domain.rules import RULE_ARTICLES, article_label, chinese_number


def test_terminated_is_final_and_filed_projects_are_not_suspended() -> None:
    assert TRANSITIONS[Status.TERMINATED] == frozenset()
    assert Status.SUSPENDED not in TRANSITIONS[Status.FILED]


@pytest.mark.parametrize(
    "state", [s for s in Status if s not in (Status.TERMINATED, Status.SUSPENDED, Status.FILED)]
)
def test_R23_2_every_active_state_can_be_suspended_or_terminated(state: Status) -> None:
    assert {Status.SUSPENDED, Status.TERMINATED} <= TRANSITIONS[state]


def test_a_move_outside_the_table_is_refused_with_both_states_named() -> None:
    with pytest.raises(DomainError) as refused:
        transition(Status.DRAFT, Status.IN_RESERVE, rule="R7")
    violation = refused.value.violations[0]
    assert (violation.code, violation.rule) == ("INVALID_TRANSITION", "R7")
    assert "草稿" in violation.zh and "已入储备库" in violation.zh


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (7, "七"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (27, "二十七")],
)
def test_article_numbers_in_chinese(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_every_rule_cites_an_article_of_the_regulation() -> None:
    assert all(1 <= article <= 27 for article in RULE_ARTICLES.values())
    assert article_label("R11.3") == "第十一条" and article_label("R11.3", "en") == "Art. 11"
    assert article_label(None) is None and article_label("NOT_A_RULE") is None
