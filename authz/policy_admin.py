"""Administrators change the policy: validated, audited and versioned in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from authz import policy_store, scopes
from authz.enforcer import Authorizer
from authz.explain import article_number
from authz.operations import Operation
from authz.policy_lines import PERMISSION, PolicyLine
from domain.actors import ADMIN_ROLE, OrgType
from domain.errors import DomainError, NotFound, Violation
from store.uow import SqlUnitOfWork

OPERATION = Operation.POLICY_WRITE.value


def _line_record(rule_id: int, line: PolicyLine, version: int) -> dict[str, object]:
    return {"id": rule_id, "line": line.text, "policyVersion": version}


def _check_permission_line(line: PolicyLine, known_roles: set[str]) -> None:
    role, _operation, scope, article = line.values
    problems = []
    if role not in known_roles:
        problems.append(
            Violation(
                "UNKNOWN_ROLE", f"未知角色“{role}”。", f"Unknown role “{role}”.", field=("input", "role")
            )
        )
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


async def add_rule(*, uow: SqlUnitOfWork, authorizer: Authorizer, line: PolicyLine) -> tuple[int, int]:
    """Add a permission line; returns (rule id, new policy version)."""
    known = {t.value for t in OrgType} | {ADMIN_ROLE} | {group for _, group in authorizer.groups()}
    _check_permission_line(line, known)
    async with uow:
        if await policy_store.find(uow.session, line) is not None:
            raise DomainError(
                [
                    Violation(
                        "DUPLICATE_RULE",
                        "已有相同角色、操作和范围的规则。",
                        "A rule with this role, operation and scope exists.",
                        field=("input",),
                    )
                ]
            )
        rule_id = await policy_store.add(uow.session, line)
        version = await policy_store.bump_version(uow.session)
        uow.record(OPERATION, "PolicyRule", rule_id, None, _line_record(rule_id, line, version))
        await uow.commit()
    return rule_id, version


async def remove_rule(*, uow: SqlUnitOfWork, rule_id: int) -> tuple[PolicyLine, int]:
    """Remove a line (permission or grouping); returns it and the new policy version."""
    async with uow:
        stored = await policy_store.get(uow.session, rule_id)
        if stored is None:
            raise NotFound("PolicyRule", rule_id)
        line = stored.line
        if (
            line.ptype == PERMISSION
            and line.values[:2] == (ADMIN_ROLE, OPERATION)
            and await policy_store.count_permission(uow.session, ADMIN_ROLE, OPERATION) <= 1
        ):
            raise DomainError(
                [
                    Violation(
                        "LAST_POLICY_WRITER",
                        "不能删除管理员修改授权规则的最后一条规则。",
                        "The administrators' last policy:write rule cannot be removed.",
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
