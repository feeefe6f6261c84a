"""Administration use cases shared by GraphQL and the CLI: organizations, users, integrator API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from api import credentials
from api.auth import hash_password, new_api_token
from api.credentials import CredentialCache
from api.passwords import guessable_for
from domain.actors import OrgType
from domain.errors import DomainError, NotFound, Violation
from domain.passwords import password_violations
from store import tables
from store.uow import SqlUnitOfWork

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")


def _invalid(code: str, zh: str, en: str, field: str) -> Violation:
    return Violation(code, zh, en, field=("input", field))


async def create_organization(
    uow: SqlUnitOfWork, *, name: str, type: OrgType, district: str | None, operation: str
) -> int:
    async with uow:
        name = name.strip()
        exists = (
            await uow.session.execute(
                select(tables.organizations.c.id).where(tables.organizations.c.name == name)
            )
        ).first()
        if not name or exists:
            raise DomainError(
                [
                    _invalid(
                        "ORGANIZATION_NAME_TAKEN",
                        "单位名称为空或已存在。",
                        "The organization name is empty or already taken.",
                        "name",
                    )
                ]
            )
        pk = (
            await uow.session.execute(
                insert(tables.organizations)
                .values(name=name, type=type.value, district=district)
                .returning(tables.organizations.c.id)
            )
        ).scalar_one()
        uow.record(
            operation, "Organization", pk, None, {"name": name, "type": type.value, "district": district}
        )
        await uow.commit()
    return int(pk)


async def create_user(
    uow: SqlUnitOfWork,
    *,
    username: str,
    display_name: str,
    password: str,
    organization_id: int,
    is_admin: bool,
    operation: str,
) -> int:
    async with uow:
        problems = []
        if not USERNAME.match(username):
            problems.append(
                _invalid(
                    "INVALID_USERNAME",
                    "用户名须为3–50位小写字母、数字、点、下划线或连字符。",
                    "A username is 3–50 lowercase letters, digits, dots, underscores or hyphens.",
                    "username",
                )
            )
        elif (
            await uow.session.execute(select(tables.users.c.id).where(tables.users.c.username == username))
        ).first():
            problems.append(
                _invalid("USERNAME_TAKEN", "用户名已存在。", "The username is taken.", "username")
            )
        problems += password_violations(password, username=username, is_common=guessable_for(username))
        org_type = (
            await uow.session.execute(
                select(tables.organizations.c.type).where(tables.organizations.c.id == organization_id)
            )
        ).scalar()
        if org_type is None:
            problems.append(
                _invalid("UNKNOWN_ORGANIZATION", "单位不存在。", "No such organization.", "organizationId")
            )
        elif is_admin and org_type != OrgType.BDB:
            problems.append(
                _invalid(
                    "ADMIN_OUTSIDE_BDB",
                    "系统管理员须为市大数据管理局工作人员。",
                    "Administrators are staff of the Big Data Bureau.",
                    "isAdmin",
                )
            )
        if problems:
            raise DomainError(problems)
        pk = (
            await uow.session.execute(
                insert(tables.users)
                .values(
                    username=username,
                    display_name=display_name.strip() or username,
                    password_hash=hash_password(password),
                    organization_id=organization_id,
                    is_admin=is_admin,
                )
                .returning(tables.users.c.id)
            )
        ).scalar_one()
        uow.record(
            operation,
            "User",
            pk,
            None,
            {"username": username, "organizationId": organization_id, "isAdmin": is_admin},
        )
        await uow.commit()
    return int(pk)


@dataclass(frozen=True)
class CreatedToken:
    id: int
    token: str
    prefix: str


async def create_api_token(
    uow: SqlUnitOfWork, *, name: str, organization_id: int, expires_at: datetime | None, operation: str
) -> CreatedToken:
    """A read-only token for an integrating system; the token itself is returned once and stored hashed."""
    async with uow:
        org_type = (
            await uow.session.execute(
                select(tables.organizations.c.type).where(tables.organizations.c.id == organization_id)
            )
        ).scalar()
        problems = []
        if org_type != OrgType.INTEGRATOR:
            problems.append(
                _invalid(
                    "NOT_AN_INTEGRATOR",
                    "接口令牌只能签发给对接系统单位。",
                    "API tokens are issued to integrator organizations only.",
                    "organizationId",
                )
            )
        if not name.strip():
            problems.append(_invalid("NAME_REQUIRED", "请填写令牌名称。", "Give the token a name.", "name"))
        if expires_at is not None and expires_at <= uow.now():
            problems.append(
                _invalid(
                    "EXPIRY_IN_PAST", "到期时间须晚于现在。", "The expiry must be in the future.", "expiresAt"
                )
            )
        if problems:
            raise DomainError(problems)
        token, prefix, digest = new_api_token()
        created_by = uow.actor.user_id
        pk = (
            await uow.session.execute(
                insert(tables.api_tokens)
                .values(
                    name=name.strip(),
                    prefix=prefix,
                    token_hash=digest,
                    organization_id=organization_id,
                    created_by=created_by,
                    expires_at=expires_at,
                )
                .returning(tables.api_tokens.c.id)
            )
        ).scalar_one()
        uow.record(
            operation,
            "ApiToken",
            pk,
            None,
            {"name": name, "prefix": prefix, "organizationId": organization_id},
        )
        await uow.commit()
    return CreatedToken(id=int(pk), token=token, prefix=prefix)


async def revoke_api_token(
    uow: SqlUnitOfWork, *, token_id: int, operation: str, cache: CredentialCache | None = None
) -> None:
    """Revoke an integrator token: every process stops accepting it once this commits (NOTIFY)."""
    async with uow:
        t = tables.api_tokens
        row = (
            await uow.session.execute(select(t.c.revoked_at).where(t.c.id == token_id).with_for_update())
        ).first()
        if row is None:
            raise NotFound("ApiToken", token_id)
        if row.revoked_at is None:
            now = uow.now()
            await uow.session.execute(update(t).where(t.c.id == token_id).values(revoked_at=now))
            await credentials.announce(uow.session, [credentials.token_notice(token_id)])
            uow.record(operation, "ApiToken", token_id, {"revokedAt": None}, {"revokedAt": now.isoformat()})
        await uow.commit()
    if cache is not None:
        cache.drop([credentials.token_notice(token_id)])
