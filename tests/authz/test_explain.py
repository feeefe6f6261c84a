"""Decisions explain themselves: the policy line and article that allow, or what is missing."""

from __future__ import annotations

from authz import scopes
from authz.enforcer import Authorizer
from authz.explain import Decision, article_in
from authz.operations import Operation
from authz.policy_lines import PolicyLine, parse_line
from domain.actors import Actor

unit = Actor(user_id=1, organization_id=1, role="unit", username="u")
authorizer = Authorizer()


def test_allowed_decision_cites_the_matching_policy_line_and_its_article():
    # when the lead unit asks to submit its project
    decision = authorizer.explain(
        unit, Operation.PROJECT_SUBMIT_TO_RESERVE, frozenset({scopes.ANY, scopes.LEAD})
    )
    # then it is allowed by the Art. 7 line
    assert decision.allowed and decision.code == Decision.GRANTED
    assert (
        decision.grant is not None
        and decision.grant.rule == "p, unit, project:submit-to-reserve, lead, 第七条"
    )
    assert "第七条" in decision.reason("zh") and "Art. 7" in decision.reason("en")


def test_refusal_outside_the_scope_says_which_scope_is_needed():
    # when a participating unit asks to submit a project it does not lead
    decision = authorizer.explain(
        unit, Operation.PROJECT_SUBMIT_TO_RESERVE, frozenset({scopes.ANY, scopes.PARTICIPANT})
    )
    # then it is refused, naming the lead scope
    assert not decision.allowed and decision.code == Decision.OUT_OF_SCOPE
    assert decision.needed == (scopes.LEAD,)
    assert "leads" in decision.reason("en") and "牵头" in decision.reason("zh")


def test_refusal_without_any_grant_and_for_read_only_tokens():
    # given a finance user and an integrator token
    finance = Actor(user_id=2, organization_id=2, role="finance", username="f")
    token = Actor(user_id=None, organization_id=3, role="unit", username="token:t", token_id=9)
    # when they ask to record a review or create a project
    review = authorizer.explain(
        finance, Operation.RESERVE_REVIEW_RECORD, frozenset({scopes.ANY, scopes.SUBMITTED})
    )
    create = authorizer.explain(token, Operation.PROJECT_CREATE, frozenset({scopes.ANY, scopes.LEAD}))
    # then each is refused with its own code
    assert (review.allowed, review.code, review.grant) == (False, Decision.NO_GRANT, None)
    assert (create.allowed, create.code) == (False, Decision.READ_ONLY)


def test_a_new_policy_version_forgets_memoised_decisions():
    # given an authorizer that allowed and memoised a decision
    fresh = Authorizer()
    facts = frozenset({scopes.ANY, scopes.LEAD})
    assert fresh.allowed(unit, Operation.PROJECT_CREATE, facts)
    # when a version without that line is loaded
    fresh.load([line for line in fresh.lines if "project:create" not in line.text], version=7)
    # then the decision changes at once
    assert fresh.version == 7
    assert not fresh.allowed(unit, Operation.PROJECT_CREATE, facts)


def test_articles_are_cited_in_english_as_article_numbers():
    assert [article_in(a, "en") for a in ("第七条", "第十条", "第二十四条")] == [
        "Art. 7",
        "Art. 10",
        "Art. 24",
    ]
    assert article_in("第七条", "zh") == "第七条"


def test_policy_lines_parse_as_casbin_spells_them():
    assert parse_line("p, unit, project:create, lead, 第七条") == PolicyLine(
        "p", ("unit", "project:create", "lead", "第七条")
    )
    assert parse_line("  # a comment") is None
    assert parse_line("g, bdb, supervisor") == PolicyLine("g", ("bdb", "supervisor"))


def test_deciding_per_scope_equals_asking_casbin_about_every_set_of_facts():
    # given a policy with several scopes per role, a role group, an `any` line and a role without lines
    import itertools

    fresh = Authorizer()
    fresh.load(
        [
            parse_line(text)
            for text in (  # type: ignore[misc]
                "p, unit, project:update, lead, 第七条",
                "p, unit, project:update, submitted, 第七条",
                "p, supervisor, project:update, participant, 第八条",
                "g, unit, supervisor",
                "g, bdb, supervisor",
                "p, audit, project:update, any, 第二十四条",
                "p, unit, project:read, assigned, 第十三条",
            )
        ],
        version=1,
    )
    others = [s for s in scopes.ALL_SCOPES if s != scopes.ANY]
    subsets = [
        frozenset({scopes.ANY, *c}) for n in range(len(others) + 1) for c in itertools.combinations(others, n)
    ]
    # when the memoised per-scope decision is compared with one casbin call on the whole fact set
    mismatches = [
        (role, op.value, sorted(facts))
        for role, op, facts in itertools.product(
            ("unit", "bdb", "audit", "finance"), (Operation.PROJECT_UPDATE, Operation.PROJECT_READ), subsets
        )
        if fresh.allowed(Actor(user_id=1, organization_id=1, role=role, username="u"), op, facts)
        != fresh.enforce(role, op.value, facts)
    ]
    # then they never differ
    assert mismatches == []
