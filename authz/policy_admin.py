"""Administrators change the policy: validated, audited and versioned in one transaction.

A line that widens a role is only proposed (R3.2) and goes in force when another administrator approves
it; removing a line narrows and is immediate. No edit widens a role its editor holds (R3.1).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from authz import policy_store, scopes
from authz.admin_powers import grant_violations
from authz.enforcer import Authorizer
from authz.explain import article_number
from authz.operations import Operation
from authz.policy_lines import GROUPING, PERMISSION, PolicyLine
from domain.actors import ADMIN_ROLE, Actor, OrgType
from domain.errors import DomainError, NotFound, Violation
from store.uow import SqlUnitOfWork

OPERATION = Operation.POLICY_WRITE.value
LOCKOUT_OPERATIONS = (OPERATION, Operation.POLICY_CHANGE_DECIDE.value)


def _line_record(rule_id: int, line: PolicyLine, version: int) -> dict[str, object]:
    return {"id": rule_id, "line": line.text, "policyVersion": version}


def _change_record(change: policy_store.StoredChange) -> dict[str, object]:
    return {
        "id": change.id,
        "line": change.line.text,
        "status": change.status,
        "proposedBy": change.proposed_by,
        "decidedBy": change.decided_by,
        "comment": change.comment,
        "ruleId": change.rule_id,
    }


def _unknown_role(role: str, field: str) -> Violation:
    return Violation("UNKNOWN_ROLE", f"未知角色“{role}”。", f"Unknown role “{role}”.", field=("input", field))


def _check_line(line: PolicyLine, known_roles: set[str]) -> None:
    """Shape: known roles, a known scope, an article (every problem at once)."""
    problems = []
    if line.ptype == GROUPING:
        member, group = line.values
        problems += [_unknown_role(member, "role")] if member not in known_roles else []
        problems += [_unknown_role(group, "group")] if group not in known_roles else []
        if member == group:
            problems.append(
                Violation("GROUP_CYCLE", "角色不能加入自身。", "A role cannot join itself.", field=("input",))
            )
        if problems:
            raise DomainError(problems)
        return
    role, _operation, scope, article = line.values
    if role not in known_roles:
        problems.append(_unknown_role(role, "role"))
    if scope not in scopes.ALL_SCOPES:
        problems.append(
            Violation(
                "UNKNOWN_SCOPE",
                f"未知范围“{scope}”，可选：{'、'.join(scopes.ALL_SCOPES)}。",
                f"Unknown scope “{scope}”; one of {', '.join(scopes.ALL_SCOPES)}.",
                field=("input", "scope"),
            )
        )
    if article_number(article) is None:
        problems.append(
            Violation(
                "ARTICLE_REQUIRED",
                "须注明授权依据的条款，如“第七条”。",
                "Cite the article that gives the power, e.g. 第七条.",
                field=("input", "article"),
            )
        )
    if problems:
        raise DomainError(problems)


def _check_grant(line: PolicyLine, authorizer: Authorizer, actor: Actor) -> None:
    """R3.1 against the policy in force: no lifecycle power for admin, nothing for a role the actor holds."""
    problems = grant_violations(line, authorizer.roles_of(actor.role))
    if problems:
        raise DomainError(problems)


def _duplicate() -> DomainError:
    return DomainError(
        [
            Violation(
                "DUPLICATE_RULE",
                "已有相同角色、操作和范围的规则。",
                "A rule with this role, operation and scope exists.",
                field=("input",),
            )
        ]
    )


async def propose_rule(
    *, uow: SqlUnitOfWork, authorizer: Authorizer, line: PolicyLine
) -> policy_store.StoredChange:
    """R3.2: store a widening line as a proposal, audited and not in force, for another administrator."""
    known = {t.value for t in OrgType} | {ADMIN_ROLE} | {group for _, group in authorizer.groups()}
    _check_line(line, known)
    _check_grant(line, authorizer, uow.actor)
    async with uow:
        if await policy_store.find(uow.session, line) is not None:
            raise _duplicate()
        actor = uow.actor
        # The partial unique index answers a concurrent identical proposal too (no check-then-insert race).
        change_id = await policy_store.propose(
            uow.session, line, user_id=actor.user_id, username=actor.username, at=uow.now()
        )
        if change_id is None:
            raise DomainError(
                [
                    Violation(
                        "DUPLICATE_PROPOSAL",
                        "相同的授权规则变更已在等待批准。",
                        "The same policy change is already waiting for approval.",
                        rule="R3.2",
                        field=("input",),
                    )
                ]
            )
        change = await policy_store.get_change(uow.session, change_id)
        assert change is not None
        uow.record(OPERATION, "PolicyChange", change_id, None, _change_record(change))
        await uow.commit()
    return change


async def _pending_change(uow: SqlUnitOfWork, change_id: int) -> policy_store.StoredChange:
    """The proposal, locked; refused when decided already or when the decider proposed it (R3.2)."""
    change = await policy_store.get_change(uow.session, change_id)
    if change is None:
        raise NotFound("PolicyChange", change_id)
    field = ("input", "changeId")
    if change.status != policy_store.PROPOSED:
        raise DomainError(
            [
                Violation(
                    "CHANGE_ALREADY_DECIDED",
                    f"该变更已处理（{change.status}）。",
                    f"This change was already decided ({change.status}).",
                    rule="R3.2",
                    field=field,
                )
            ]
        )
    if change.proposed_by == uow.actor.username:
        raise DomainError(
            [
                Violation(
                    "OWN_PROPOSAL",
                    "不能处理自己提出的授权规则变更，须由另一名管理员处理。",
                    "You cannot decide your own policy change; another administrator must.",
                    rule="R3.2",
                    field=field,
                )
            ]
        )
    return change


async def approve_change(
    *, uow: SqlUnitOfWork, authorizer: Authorizer, change_id: int
) -> tuple[policy_store.StoredChange, int, int]:
    """Put a proposal in force; returns it decided, the new rule's id and the new policy version."""
    async with uow:
        change = await _pending_change(uow, change_id)
        # The policy may have changed since the proposal: R3.1 holds for the approver as well.
        _check_grant(change.line, authorizer, uow.actor)
        if await policy_store.find(uow.session, change.line) is not None:
            raise _duplicate()
        rule_id = await policy_store.add(uow.session, change.line)
        version = await policy_store.bump_version(uow.session)
        actor = uow.actor
        await policy_store.decide(
            uow.session,
            change_id,
            status=policy_store.APPROVED,
            user_id=actor.user_id,
            username=actor.username,
            at=uow.now(),
            comment="",
            rule_id=rule_id,
        )
        decided = await policy_store.get_change(uow.session, change_id)
        assert decided is not None
        decide_op = Operation.POLICY_CHANGE_DECIDE.value
        uow.record(decide_op, "PolicyChange", change_id, _change_record(change), _change_record(decided))
        rule_record = {**_line_record(rule_id, change.line, version), "changeId": change_id}
        rule_record |= {"proposedBy": change.proposed_by, "approvedBy": actor.username}
        uow.record(decide_op, "PolicyRule", rule_id, None, rule_record)
        await uow.commit()
    return decided, rule_id, version


async def reject_change(*, uow: SqlUnitOfWork, change_id: int, comment: str) -> policy_store.StoredChange:
    """Close a proposal without putting it in force; the policy version does not move."""
    async with uow:
        change = await _pending_change(uow, change_id)
        actor = uow.actor
        await policy_store.decide(
            uow.session,
            change_id,
            status=policy_store.REJECTED,
            user_id=actor.user_id,
            username=actor.username,
            at=uow.now(),
            comment=comment,
            rule_id=None,
        )
        decided = await policy_store.get_change(uow.session, change_id)
        assert decided is not None
        uow.record(
            Operation.POLICY_CHANGE_DECIDE.value,
            "PolicyChange",
            change_id,
            _change_record(change),
            _change_record(decided),
        )
        await uow.commit()
    return decided


async def remove_rule(*, uow: SqlUnitOfWork, rule_id: int) -> tuple[PolicyLine, int]:
    """Remove a line (permission or grouping); returns it and the new policy version."""
    async with uow:
        stored = await policy_store.get(uow.session, rule_id)
        if stored is None:
            raise NotFound("PolicyRule", rule_id)
        line = stored.line
        # Without policy:write nobody edits the policy, without policy-change:decide nothing widens again.
        if (
            line.ptype == PERMISSION
            and line.values[0] == ADMIN_ROLE
            and line.values[1] in LOCKOUT_OPERATIONS
            and await policy_store.count_permission(uow.session, ADMIN_ROLE, line.values[1]) <= 1
        ):
            raise DomainError(
                [
                    Violation(
                        "LAST_POLICY_WRITER",
                        f"不能删除管理员“{line.values[1]}”的最后一条规则。",
                        f"The administrators' last {line.values[1]} rule cannot be removed.",
                        field=("input", "ruleId"),
                    )
                ]
            )
        await policy_store.remove(uow.session, rule_id)
        version = await policy_store.bump_version(uow.session)
        uow.record(OPERATION, "PolicyRule", rule_id, _line_record(rule_id, line, version - 1), None)
        await uow.commit()
    return line, version


async def apply_database_policy(
    authorizer: Authorizer, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Put the database's policy in force in this process now, if its version differs."""
    async with session_factory() as session:
        rules, version = await policy_store.load(session)
    if version > authorizer.version:  # a slower concurrent reload must not put an older version back
        authorizer.load((rule.line for rule in rules), version=version)
