"""Every mutation of the schema declares the operation it performs, and the policy grants it to someone."""

from __future__ import annotations

from api.graphql.authz import PROJECT_ACTIONS, Performs
from api.graphql.schema import build_schema
from api.sessions import OWN_CREDENTIAL
from authz.enforcer import Authorizer
from authz.operations import Operation
from domain.actors import ADMIN_ROLE, OrgType

ROLES = [t.value for t in OrgType] + [ADMIN_ROLE]
# Issue 3's mutations were written while the registry was being built (they use ctx.gate/ctx.require but
# do not declare yet). Declare each with extensions=[Performs(...)] and delete its name here; this set only
# ever shrinks — a mutation added from now on must declare its operation.
AWAITING_DECLARATION: frozenset[str] = frozenset()
HOW_TO_FIX = (
    'declare it: @strawberry.mutation(..., extensions=[Performs(Operation.X[, on="Project"])]) '
    "and give Operation.X a line in authz/policy.csv"
)


def _declarations() -> dict[str, Performs | None]:
    mutation = build_schema().get_type_by_name("Mutation")
    assert mutation is not None
    return {
        field.name: next((e for e in field.extensions if isinstance(e, Performs)), None)
        for field in mutation.fields
    }


def test_every_mutation_declares_the_operation_it_performs():
    # given the schema the code serves
    declarations = _declarations()
    # when looking for mutations without a declaration
    undeclared = sorted(
        name
        for name, performs in declarations.items()
        if performs is None and name not in AWAITING_DECLARATION
    )
    # then there are none
    assert undeclared == [], f"{undeclared}: {HOW_TO_FIX}"


def test_every_declared_operation_has_a_policy_line():
    # given the operations the mutations perform and the policy
    authorizer = Authorizer()
    operations = {p.operation for p in _declarations().values() if p is not None and p.operation is not None}
    # when looking for one no role is granted
    ungranted = sorted(op.value for op in operations if not any(authorizer.grants(r, op) for r in ROLES))
    # then there is none
    assert ungranted == [], f"no policy line for {ungranted}: add one to authz/policy.csv citing its article"


def test_only_sign_in_token_refresh_and_account_activation_are_declared_public():
    # given the declarations
    public = sorted(
        name
        for name, p in _declarations().items()
        if p is not None and p.operation is None and p.target is None
    )
    # then only the mutations that take their credential in the input perform no operation
    assert public == ["account_activate", "login", "token_refresh"]


def test_only_ending_ones_own_sessions_is_open_to_every_signed_in_user():
    # given the declarations acting on the caller's own credential (no policy line can take them away)
    own = sorted(
        name
        for name, p in _declarations().items()
        if p is not None and p.operation is None and p.target == OWN_CREDENTIAL
    )
    # then they are sign-out and password change
    assert own == ["logout", "logout_everywhere", "password_change"]


def test_project_actions_are_the_mutations_declared_on_a_project():
    # given the schema built
    build_schema()
    # then availableActions lists the project mutations, and not project creation (there is no project yet)
    assert Operation.PROJECT_SUBMIT_TO_RESERVE in PROJECT_ACTIONS
    assert Operation.RESERVE_REVIEW_RECORD in PROJECT_ACTIONS
    assert Operation.PROJECT_CREATE not in PROJECT_ACTIONS
