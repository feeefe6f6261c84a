"""R3.1: the admin role holds platform administration only, whatever the policy says; no self-widening."""

from __future__ import annotations

import pytest

from authz import scopes
from authz.admin_powers import ADMIN_OPERATIONS, grant_violations
from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.policy_lines import PolicyLine
from domain.actors import ADMIN_ROLE, Actor

ADMIN = Actor(user_id=1, organization_id=1, role=ADMIN_ROLE, username="admin")
EVERYTHING = frozenset({scopes.ANY, *scopes.ALL_SCOPES})


def test_R3_1_policy_csv_gives_the_admin_role_only_administration() -> None:
    # given the policy file as shipped
    authorizer = Authorizer()
    # when listing what the admin role may do at all
    held = set(authorizer.operations(ADMIN))
    # then it is exactly the administration set, nothing of the lifecycle
    assert held == set(ADMIN_OPERATIONS)
    assert Operation.PROJECT_READ not in held and Operation.AUDIT_LOG_READ not in held


def test_R3_1_a_lifecycle_line_for_admin_in_the_policy_is_not_in_force() -> None:
    # given a policy that (edited behind the API's back) grants admin project:read and joins it to bdb
    authorizer = Authorizer()
    extra = [
        PolicyLine("p", (ADMIN_ROLE, "project:read", "any", "第三条")),
        PolicyLine("g", (ADMIN_ROLE, "bdb")),
    ]
    authorizer.load([*authorizer.lines, *extra], version=1)
    # when asking about admin
    # then no lifecycle operation is allowed or even listed as granted, administration still is
    assert not authorizer.allowed(ADMIN, Operation.PROJECT_READ, EVERYTHING)
    assert not authorizer.allowed(ADMIN, Operation.RESERVE_REVIEW_RECORD, EVERYTHING)
    assert authorizer.grants(ADMIN_ROLE, Operation.PROJECT_READ) == []
    assert authorizer.scopes(ADMIN, Operation.PROJECT_READ) == frozenset()
    assert authorizer.allowed(ADMIN, Operation.USER_CREATE)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (PolicyLine("p", (ADMIN_ROLE, "project:read", "any", "第三条")), "ADMIN_LIFECYCLE_POWER"),
        (PolicyLine("p", (ADMIN_ROLE, "user:create", "lead", "第三条")), "SELF_WIDENING"),
        (PolicyLine("g", (ADMIN_ROLE, "supervisor")), "ADMIN_LIFECYCLE_POWER"),
        (PolicyLine("p", ("supervisor", "audit-log:read", "any", "第三条")), "SELF_WIDENING"),
        (PolicyLine("g", ("supervisor", "audit")), "SELF_WIDENING"),
        (PolicyLine("p", ("finance", "audit-log:read", "any", "第四条")), None),
        (PolicyLine("g", ("evaluator", "supervisor")), None),
    ],
)
def test_R3_1_no_grant_to_a_role_the_editor_holds_nor_lifecycle_to_admin(line: PolicyLine, code: str) -> None:
    # given an editor holding the admin role and (through a group) supervisor
    editor_roles = {ADMIN_ROLE, "supervisor"}
    # when checking a new line
    violations = grant_violations(line, editor_roles)
    # then only lines that widen the editor's roles or give admin a lifecycle power are refused, citing R3.1
    assert [v.code for v in violations] == ([code] if code else [])
    assert all(v.rule == "R3.1" for v in violations)
