"""Administration use cases shared by GraphQL and the CLI: organizations, users, password resets, account
activation, integrator API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from domain.activation import IssuedActivation, Purpose, Unusable, expiry, unusable
from domain.actors import Actor, OrgType
from domain.errors import DomainError, Violation
from domain.passwords import password_violations
from domain.ports import AdminRepository, AdminUnitOfWork, Credentials, SecurityLog

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")


def _invalid(code: str, zh: str, en: str, field: str) -> Violation:
    return Violation(code, zh, en, field=("input", field))


async def create_organization(
    uow: AdminUnitOfWork, *, name: str, type: OrgType, district: str | None, operation: str
) -> int:
    async with uow:
        name = name.strip()
        if not name or await uow.admin.organization_name_taken(name):
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
        pk = await uow.admin.add_organization(name=name, type=type.value, district=district)
        uow.record(
            operation, "Organization", pk, None, {"name": name, "type": type.value, "district": district}
        )
        await uow.commit()
    return pk


@dataclass(frozen=True)
class CreatedUser:
    id: int
    activation: IssuedActivation | None  # None when an operator set the password (CLI bootstrap)


async def create_user(
    uow: AdminUnitOfWork,
    credentials: Credentials,
    *,
    username: str,
    display_name: str,
    organization_id: int,
    is_admin: bool,
    operation: str,
    activation_ttl: timedelta,
    password: str | None = None,
) -> CreatedUser:
    """A new user. Over the API there is no password: the person sets it with the activation token returned
    here (issue 13.4a). Only the CLI, run by an operator on the server to bootstrap the first administrator,
    passes a password."""
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
        elif await uow.admin.username_taken(username):
            problems.append(
                _invalid("USERNAME_TAKEN", "用户名已存在。", "The username is taken.", "username")
            )
        if password is not None:
            problems += _password_problems(credentials, password, username)
        org_type = await uow.admin.organization_type(organization_id)
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
        pk = await uow.admin.add_user(
            username=username,
            display_name=display_name.strip() or username,
            password_hash=credentials.hash_password(password) if password is not None else None,
            organization_id=organization_id,
            is_admin=is_admin,
        )
        activation = await _activation_unless_typed(
            uow,
            credentials,
            password,
            user_id=pk,
            purpose=Purpose.CREATE,
            now=uow.now(),
            lifetime=activation_ttl,
        )
        # Never the password or the token: the record says only when the token expires.
        uow.record(
            operation,
            "User",
            pk,
            None,
            {
                "username": username,
                "organizationId": organization_id,
                "isAdmin": is_admin,
                "activationExpiresAt": activation.expires_at.isoformat() if activation else None,
            },
        )
        await uow.commit()
    return CreatedUser(id=pk, activation=activation)


async def issue_activation(
    admin: AdminRepository,
    credentials: Credentials,
    *,
    user_id: int,
    purpose: Purpose,
    issued_by: str,
    now: datetime,
    lifetime: timedelta,
) -> IssuedActivation:
    """A one-time activation token for the user (issue 13.4a), in the caller's transaction: only its hash is
    stored, every older unused token of the user is void; the token itself is returned once."""
    token, digest = credentials.new_activation_token()
    issued = IssuedActivation(token=token, expires_at=expiry(now, lifetime))
    await admin.add_activation(
        user_id=user_id,
        token_hash=digest,
        purpose=purpose,
        issued_by=issued_by,
        issued_at=now,
        expires_at=issued.expires_at,
    )
    return issued


@dataclass(frozen=True)
class PasswordReset:
    username: str
    activation: IssuedActivation | None  # None when an operator typed the new password (CLI bootstrap)
    sessions_ended: list[int]


async def reset_password(
    uow: AdminUnitOfWork,
    credentials: Credentials,
    events: SecurityLog,
    *,
    user_id: int,
    operation: str,
    activation_ttl: timedelta,
    password: str | None = None,
) -> PasswordReset:
    """Reset a user's password: the old one stops working, every session ends, and a one-time activation
    token is returned for the person to set their own (issue 13.4a). Only the CLI, run by an operator on the
    server (the first administrator's bootstrap, as create_user), passes the new password instead."""
    async with uow:
        username = await uow.admin.lock_user(user_id)  # NotFound when there is no such user
        if password is not None and (problems := _password_problems(credentials, password, username)):
            raise DomainError(problems)
        now = uow.now()
        await uow.admin.set_password_hash(
            user_id, credentials.hash_password(password) if password is not None else None
        )
        ended = await uow.admin.end_sessions(user_id, at=now, reason="password-reset")
        activation = await _activation_unless_typed(
            uow,
            credentials,
            password,
            user_id=user_id,
            purpose=Purpose.RESET,
            now=now,
            lifetime=activation_ttl,
        )
        # Never the password or the token: the record says only when the token expires.
        after: dict[str, object] = {"sessionsEnded": ended}
        if activation is not None:
            after["activationExpiresAt"] = activation.expires_at.isoformat()
        uow.record(operation, "User", user_id, None, after)
        await uow.commit()
    # After the commit, on its own connection: the event says who reset it, never the password or token.
    await events.record(
        "PASSWORD_RESET",
        at=now,
        username=username,
        user_id=user_id,
        detail={"by": uow.actor.username, "sessionsEnded": ended},
    )
    return PasswordReset(username=username, activation=activation, sessions_ended=ended)


class ActivationRefused(DomainError):
    """accountActivate's one refusal whatever the reason, so a guesser learns nothing; the reason and the
    token's username ("" when no token matched) are for the security event only."""

    def __init__(self, reason: Unusable, username: str) -> None:
        super().__init__(
            [
                _invalid(
                    "ACTIVATION_TOKEN_INVALID",
                    "激活令牌无效、已使用、已过期或已被新令牌取代，请向管理员申请新的激活令牌。",
                    "The activation token is invalid, used, expired or replaced by a newer one; ask an "
                    "administrator for a new one.",
                    "token",
                )
            ]
        )
        self.reason = reason
        self.username = username


async def activate_account(
    uow: AdminUnitOfWork,
    credentials: Credentials,
    events: SecurityLog,
    *,
    token_hash: str | None,
    password: str,
) -> str:
    """Set one's own password with a one-time activation token (issue 13.4a), spending it; the username.

    `token_hash` None: nothing usable was presented. ActivationRefused when the token may not be used; a
    DomainError with the password's problems when the token is right but the password may not be chosen.
    """
    async with uow:
        now = uow.now()
        found = await uow.admin.lock_activation(token_hash) if token_hash is not None else None
        reason = unusable(
            found.token if found else None, user_active=found is not None and found.user_active, now=now
        )
        if reason is not None or found is None:
            raise ActivationRefused(reason or Unusable.UNKNOWN, found.username if found else "")
        if problems := _password_problems(credentials, password, found.username):
            raise DomainError(problems)
        user_id = found.token.user_id
        # The token named its user: the person sets their own password, and the audit record says so.
        uow.actor = Actor(
            user_id=user_id, organization_id=found.organization_id, role="anonymous", username=found.username
        )
        await uow.admin.set_password_hash(user_id, credentials.hash_password(password))
        await uow.admin.spend_activation(found.id, at=now)
        uow.record(
            "user:activate",
            "User",
            user_id,
            None,
            {"purpose": found.purpose.value, "activatedAt": now.isoformat()},
        )
        await uow.commit()
    # After the commit, on its own connection: never the token or the password.
    await events.record(
        "ACTIVATION_SUCCEEDED",
        at=now,
        username=found.username,
        user_id=user_id,
        detail={"purpose": found.purpose.value},
    )
    return found.username


def _password_problems(credentials: Credentials, password: str, username: str) -> list[Violation]:
    """Why an operator's typed password may not be chosen for this user (empty: it may)."""
    return password_violations(
        password, username=username, is_common=partial(credentials.is_guessable, username=username)
    )


async def _activation_unless_typed(
    uow: AdminUnitOfWork,
    credentials: Credentials,
    password: str | None,
    *,
    user_id: int,
    purpose: Purpose,
    now: datetime,
    lifetime: timedelta,
) -> IssuedActivation | None:
    """None when an operator typed the password (CLI bootstrap); else a one-time token the person sets it with."""
    if password is not None:
        return None
    return await issue_activation(
        uow.admin,
        credentials,
        user_id=user_id,
        purpose=purpose,
        issued_by=uow.actor.username,
        now=now,
        lifetime=lifetime,
    )


@dataclass(frozen=True)
class CreatedToken:
    id: int
    token: str
    prefix: str


async def create_api_token(
    uow: AdminUnitOfWork,
    credentials: Credentials,
    *,
    name: str,
    organization_id: int,
    expires_at: datetime | None,
    operation: str,
) -> CreatedToken:
    """A read-only token for an integrating system; the token itself is returned once and stored hashed."""
    async with uow:
        org_type = await uow.admin.organization_type(organization_id)
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
        token, prefix, digest = credentials.new_api_token()
        pk = await uow.admin.add_api_token(
            name=name.strip(),
            prefix=prefix,
            token_hash=digest,
            organization_id=organization_id,
            created_by=uow.actor.user_id,
            expires_at=expires_at,
        )
        uow.record(
            operation,
            "ApiToken",
            pk,
            None,
            {"name": name, "prefix": prefix, "organizationId": organization_id},
        )
        await uow.commit()
    return CreatedToken(id=pk, token=token, prefix=prefix)


async def revoke_api_token(uow: AdminUnitOfWork, *, token_id: int, operation: str) -> None:
    """Revoke an integrator token: every API process stops accepting it once this commits."""
    async with uow:
        if await uow.admin.api_token_revoked_at(token_id) is None:  # NotFound when there is no such token
            now = uow.now()
            await uow.admin.revoke_api_token(token_id, now)
            uow.record(operation, "ApiToken", token_id, {"revokedAt": None}, {"revokedAt": now.isoformat()})
        await uow.commit()
