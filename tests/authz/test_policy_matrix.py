"""The policy as a table: every (role, operation, relation) triple, and lists filtered in SQL equal per-row checks."""

from __future__ import annotations

import itertools

import pytest

from authz import scopes
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import ADMIN_ROLE, Actor, OrgType

ROLES = [t.value for t in OrgType] + [ADMIN_ROLE]
SUPERVISORS = {"bdb", "finance", "cac", "psb", "crypto", "audit", "government"}
INSPECTORS = ("bdb", "cac", "finance", "crypto", "psb")  # Art. 23, each within its field

# What each role may do, by the relation it needs. Anything not listed is denied.
EXPECTED: dict[Operation, dict[str, set[str]]] = {
    Operation.PROJECT_READ: {
        **{role: {scopes.SUBMITTED} for role in SUPERVISORS},
        "audit": {scopes.ANY, scopes.SUBMITTED},
        "unit": {scopes.LEAD, scopes.PARTICIPANT},
        "integrator": {scopes.PUBLISHED},
        "evaluator": {scopes.ASSIGNED},
    },
    Operation.PROJECT_CREATE: {"unit": {scopes.LEAD}},
    Operation.PROJECT_UPDATE: {"unit": {scopes.LEAD}},
    Operation.PROJECT_PARTICIPATION_UPDATE: {"unit": {scopes.PARTICIPANT}},
    Operation.PROJECT_SUBMIT_TO_RESERVE: {"unit": {scopes.LEAD}},
    Operation.RESERVE_REVIEW_RECORD: {"bdb": {scopes.SUBMITTED}},
    Operation.AUDIT_LOG_READ: {"bdb": {scopes.ANY}, "audit": {scopes.ANY}},
    Operation.ORGANIZATION_READ: {
        role: {scopes.ANY} for role in [*SUPERVISORS, "unit", "evaluator", ADMIN_ROLE]
    },
    Operation.ORGANIZATION_CREATE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.USER_CREATE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.API_TOKEN_CREATE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.API_TOKEN_READ: {ADMIN_ROLE: {scopes.ANY}},
    Operation.API_TOKEN_REVOKE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.USER_DISABLE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.USER_ENABLE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.USER_PASSWORD_RESET: {ADMIN_ROLE: {scopes.ANY}},
    Operation.SESSION_READ: {ADMIN_ROLE: {scopes.ANY}},
    Operation.SESSION_REVOKE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.SECURITY_EVENT_READ: {"bdb": {scopes.ANY}, "audit": {scopes.ANY}},
    Operation.WEBHOOK_SUBSCRIPTION_MANAGE: {"integrator": {scopes.LEAD}},  # its own organization's only
    Operation.WEBHOOK_SUBSCRIPTION_READ: {ADMIN_ROLE: {scopes.ANY}, "integrator": {scopes.LEAD}},
    Operation.PROJECT_CONTACT_READ: {"unit": {scopes.LEAD}, "bdb": {scopes.SUBMITTED}},
    Operation.POLICY_READ: {ADMIN_ROLE: {scopes.ANY}},
    Operation.POLICY_WRITE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.POLICY_CHANGE_READ: {ADMIN_ROLE: {scopes.ANY}},
    Operation.POLICY_CHANGE_DECIDE: {ADMIN_ROLE: {scopes.ANY}},
    Operation.PLAN_CALL_OPEN: {"bdb": {scopes.ANY}},
    Operation.PLAN_READ: {role: {scopes.ANY} for role in [*SUPERVISORS, "unit"]},
    Operation.PLAN_ENTRY_SUBMIT: {"unit": {scopes.LEAD}},
    Operation.PLAN_ENTRY_REVIEW: {"bdb": {scopes.SUBMITTED}, "finance": {scopes.SUBMITTED}},
    Operation.ANNUAL_PLAN_COMPILE: {"bdb": {scopes.ANY}},
    Operation.ANNUAL_PLAN_SEND: {"bdb": {scopes.ANY}},
    Operation.ANNUAL_PLAN_DECIDE: {"government": {scopes.ANY}},
    Operation.MID_YEAR_SUBMIT: {"unit": {scopes.LEAD}},
    Operation.MID_YEAR_BDB_REVIEW: {"bdb": {scopes.SUBMITTED}},
    Operation.MID_YEAR_FINANCE_OPINION: {"finance": {scopes.SUBMITTED}},
    Operation.MID_YEAR_DECIDE: {"government": {scopes.SUBMITTED}},
    Operation.APPROVAL_FACTS_UPDATE: {"unit": {scopes.LEAD}},
    Operation.APPROVAL_DOCUMENT_READ: {
        **{role: {scopes.SUBMITTED} for role in SUPERVISORS},
        "unit": {scopes.LEAD, scopes.PARTICIPANT},
        "evaluator": {scopes.ASSIGNED},
    },
    Operation.APPROVAL_DOCUMENT_SUBMIT: {"unit": {scopes.LEAD}},
    Operation.APPROVAL_DOCUMENT_ASSIGN_EVALUATOR: {"bdb": {scopes.SUBMITTED}},
    Operation.APPROVAL_DOCUMENT_EVALUATE: {"evaluator": {scopes.ASSIGNED}},
    Operation.APPROVAL_DOCUMENT_CRYPTO_REVIEW: {"crypto": {scopes.SUBMITTED}},
    Operation.APPROVAL_DOCUMENT_APPROVE: {"bdb": {scopes.SUBMITTED}},
    Operation.APPROVAL_DOCUMENT_RETURN: {"bdb": {scopes.SUBMITTED}},
    Operation.POST_EVALUATION_HISTORY_READ: {"bdb": {scopes.ANY}, "audit": {scopes.ANY}},
    # Art. 14–22 (issue 4)
    **{
        op: {"unit": {scopes.LEAD}}
        for op in (
            Operation.CONTRACT_RECORD,
            Operation.CHANGE_REQUEST_FILE,
            Operation.PROGRESS_REPORT_SUBMIT,
            Operation.ACCEPTANCE_INITIAL_RECORD,
            Operation.ACCEPTANCE_APPLY,
            Operation.ACCEPTANCE_REPORT_FILE,
            Operation.ACCEPTANCE_REPORT_UPLOAD,
            Operation.SELF_EVALUATION_SUBMIT,
        )
    },
    **{
        op: {"bdb": {scopes.SUBMITTED}}
        for op in (
            Operation.OM_PROCUREMENT_RECORD,
            Operation.CHANGE_REQUEST_DECIDE,
            Operation.ACCEPTANCE_EXTEND,
            Operation.ACCEPTANCE_DECIDE,
            Operation.ACCEPTANCE_FILING_ACKNOWLEDGE,
            Operation.RESOURCE_ALLOCATE,
            Operation.POST_EVALUATION_COMMISSION,
        )
    },
    Operation.DISBURSEMENT_RECORD: {"finance": {scopes.SUBMITTED}},
    Operation.DISBURSEMENT_READ: {
        "finance": {scopes.SUBMITTED},
        "bdb": {scopes.SUBMITTED},
        "audit": {scopes.ANY},
        "unit": {scopes.LEAD},
    },
    Operation.POST_EVALUATION_FILE: {"evaluator": {scopes.ASSIGNED}},
    # Art. 23–24 (issue 5)
    Operation.INSPECTION_READ: {
        **{role: {scopes.SUBMITTED} for role in SUPERVISORS},
        "audit": {scopes.ANY, scopes.SUBMITTED},
        "unit": {scopes.LEAD},
    },
    **{
        op: {role: {scopes.SUBMITTED} for role in INSPECTORS}
        for op in (
            Operation.INSPECTION_OPEN,
            Operation.INSPECTION_CONCLUDE,
            Operation.RECTIFICATION_REPORT_REVIEW,
        )
    },
    Operation.RECTIFICATION_REPORT_SUBMIT: {"unit": {scopes.LEAD}},
    **{
        op: {"bdb": {scopes.SUBMITTED}}
        for op in (
            Operation.PROJECT_PLAN_DEFER,
            Operation.PROJECT_SUSPEND,
            Operation.PROJECT_RESUME,
            Operation.PROJECT_TERMINATE,
        )
    },
    Operation.INFO_REQUEST_SEND: {role: {scopes.SUBMITTED} for role in ("bdb", "finance", "audit")},
    Operation.INFO_REQUEST_ANSWER: {"unit": {scopes.LEAD}},
    Operation.OBLIGATION_READ: {**{role: {scopes.SUBMITTED} for role in SUPERVISORS}, "unit": {scopes.LEAD}},
    **{
        op: {role: {scopes.ANY} for role in [*SUPERVISORS, "unit", "evaluator"]}
        for op in (Operation.NOTIFICATION_READ, Operation.NOTIFICATION_MARK_READ)
    },
}

authorizer = Authorizer()


def test_every_operation_has_a_policy_and_an_expectation() -> None:
    """A new operation without a policy line (or without a row here) fails the build."""
    assert set(EXPECTED) == set(Operation)
    for operation in Operation:
        assert any(authorizer.grants(role, operation) for role in ROLES), operation


def test_every_policy_line_cites_an_article() -> None:
    for role, operation in itertools.product(ROLES, Operation):
        for grant in authorizer.grants(role, operation):
            assert grant.article.startswith("第") and grant.article.endswith("条"), grant


@pytest.mark.parametrize(
    ("role", "operation", "scope"),
    list(itertools.product(ROLES, Operation, [s for s in scopes.ALL_SCOPES if s != scopes.ANY])),
)
def test_matrix(role: str, operation: Operation, scope: str) -> None:
    actor = Actor(user_id=1, organization_id=1, role=role, username="u")
    granted = EXPECTED[operation].get(role, set())
    expected = scopes.ANY in granted or scope in granted
    assert authorizer.allowed(actor, operation, frozenset({scopes.ANY, scope})) is expected


@pytest.mark.parametrize("role", ROLES)
def test_nothing_is_allowed_without_the_relation_the_policy_needs(role: str) -> None:
    actor = Actor(user_id=1, organization_id=1, role=role, username="u")
    for operation in Operation:
        granted = EXPECTED[operation].get(role, set())
        assert authorizer.allowed(actor, operation, frozenset({scopes.ANY})) is (scopes.ANY in granted)


def test_api_tokens_never_write_whatever_the_policy_says() -> None:
    token = Actor(user_id=None, organization_id=1, role="unit", username="token:x", token_id=1)
    assert authorizer.allowed(token, Operation.PROJECT_READ, frozenset({scopes.ANY, scopes.LEAD}))
    assert not authorizer.allowed(token, Operation.PROJECT_CREATE, frozenset({scopes.ANY, scopes.LEAD}))
    assert authorizer.scopes(token, Operation.PROJECT_UPDATE) == frozenset()


def test_decisions_are_memoised_so_a_page_costs_a_constant_number_of_enforcer_calls() -> None:
    fresh = Authorizer()
    actor = Actor(user_id=1, organization_id=1, role="bdb", username="u")
    for n in range(100):  # projects in every relation to the actor
        fresh.allowed(
            actor,
            Operation.PROJECT_READ,
            frozenset({scopes.ANY, scopes.ALL_SCOPES[n % len(scopes.ALL_SCOPES)]}),
        )
    assert fresh.enforce_calls == len(scopes.ALL_SCOPES)
