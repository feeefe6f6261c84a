"""What the administrator may ever hold, and which policy edits need a second administrator (R3.1, R3.2).

[interp] Art. 3 makes the Big Data Bureau the competent department; the platform's administrator only runs
the platform (users, organizations, API tokens, the policy itself). Keeping lifecycle powers out of its
reach, and four eyes on every widening, is our reading of that separation — lawyers read it here.
"""

from __future__ import annotations

from collections.abc import Iterable

from authz.operations import Operation
from authz.policy_lines import GROUPING, PERMISSION, PolicyLine
from domain.actors import ADMIN_ROLE
from domain.errors import Violation

# Every operation the admin role may ever hold: platform administration and audit-free reads. Anything
# else — every project, plan, document, supervision or audit-log operation — is refused to it, whatever
# the policy says (authz.enforcer drops such grants too).
ADMIN_OPERATIONS: frozenset[Operation] = frozenset(
    {
        Operation.ORGANIZATION_READ,
        Operation.ORGANIZATION_CREATE,
        Operation.USER_CREATE,
        Operation.USER_DISABLE,  # ending sessions is administration, not a lifecycle power (issue 13.3)
        Operation.USER_ENABLE,
        Operation.USER_PASSWORD_RESET,  # issues an activation token: the admin never learns the password
        Operation.SESSION_READ,
        Operation.SESSION_REVOKE,
        Operation.API_TOKEN_CREATE,
        Operation.API_TOKEN_READ,
        Operation.API_TOKEN_REVOKE,
        Operation.WEBHOOK_SUBSCRIPTION_READ,
        Operation.POLICY_READ,
        Operation.POLICY_WRITE,
        Operation.POLICY_CHANGE_READ,
        Operation.POLICY_CHANGE_DECIDE,
    }
)
_ADMIN_OPERATION_VALUES = frozenset(op.value for op in ADMIN_OPERATIONS)


def admin_may_hold(role: str, operation: str) -> bool:
    """False for a lifecycle operation on the admin role; every other role is up to the policy."""
    return role != ADMIN_ROLE or operation in _ADMIN_OPERATION_VALUES


def widened_role(line: PolicyLine) -> str:
    """The role a new line gives more: the `p` line's role, or the `g` line's member."""
    return line.values[0]


def grant_violations(line: PolicyLine, editor_roles: Iterable[str]) -> list[Violation]:
    """R3.1: a new line may not widen a role the editor holds, nor give the admin role a lifecycle power."""
    role = widened_role(line)
    field = ("input", "role")
    if line.ptype == PERMISSION and not admin_may_hold(role, line.values[1]):
        return [
            Violation(
                "ADMIN_LIFECYCLE_POWER",
                f"管理员角色只能管理用户、单位、接口令牌和授权规则，不能被授予“{line.values[1]}”。",
                f"The admin role only administers users, organizations, API tokens and the policy; "
                f"it cannot be granted “{line.values[1]}”.",
                rule="R3.1",
                field=field,
            )
        ]
    if line.ptype == GROUPING and role == ADMIN_ROLE:
        return [
            Violation(
                "ADMIN_LIFECYCLE_POWER",
                "管理员角色不能加入其他角色组。",
                "The admin role cannot join another role's group.",
                rule="R3.1",
                field=field,
            )
        ]
    if role in set(editor_roles):
        return [
            Violation(
                "SELF_WIDENING",
                f"不能扩大自己所持角色“{role}”的权限。",
                f"You cannot widen “{role}”, a role you hold yourself.",
                rule="R3.1",
                field=field,
            )
        ]
    return []
