"""One-time activation tokens (issue 13.4a): new users and administrator resets get a token, never a password.

The administrator receives the token once, in the mutation's payload, and hands it over out of band; the
person sets their own password with `accountActivate`. Only the token's SHA-256 is stored; it is never
written to the audit record, a security event or a log. domain/activation.py decides whether a token is
usable and domain/services/admin.py issues them (userCreate, passwordReset, the CLI); this module finds and
spends them, throttled like sign-in per client address.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from api import security_events
from api.auth import api_token_hash, hash_password
from api.passwords import require_acceptable_password
from api.security_events import SecurityEventKind, SecurityEventLog
from api.sessions import (
    ANONYMOUS,
    Client,
    Deps,
    _count_attempt,
    _failed,
    _forgive,
    _violation,
    address_key,
    policies,
)
from domain.activation import ActivationToken, Unusable, unusable
from domain.actors import Actor
from domain.errors import DomainError
from store import tables
from store.session_tables import activation_tokens
from store.uow import SqlUnitOfWork

# The longest a token may be; anything longer is refused unread (no hashing of a megabyte).
MAX_TOKEN_LENGTH = 100


def ttl(deps: Deps) -> timedelta:
    return timedelta(hours=deps.settings.activation_ttl_hours)


def security_log(deps: Deps, client: Client) -> SecurityEventLog:
    """The security events of this client's request, for a use case behind domain.ports.SecurityLog."""
    return SecurityEventLog(deps.engine, address=client.address, request_id=client.request_id)


def _token_refused() -> DomainError:
    return DomainError(
        [
            _violation(
                "ACTIVATION_TOKEN_INVALID",
                "激活令牌无效、已使用、已过期或已被新令牌取代，请向管理员申请新的激活令牌。",
                "The activation token is invalid, used, expired or replaced by a newer one; ask an "
                "administrator for a new one.",
                "token",
            )
        ]
    )


async def activate(deps: Deps, *, token: str, password: str, client: Client) -> str:
    """Set one's password with an activation token (spent by it); the username. Throttled per address."""
    _, per_address = policies(deps.settings)
    attempt = await _count_attempt(deps, {address_key(client.address): per_address}, "", client, "token")
    presented = token.strip()
    now = deps.clock()
    a, users = activation_tokens, tables.users
    uow = SqlUnitOfWork(deps.session_factory, actor=ANONYMOUS, clock=deps.clock, request_id=client.request_id)
    refused: tuple[Unusable, str] | None = None
    async with uow:
        row = None
        if presented and len(presented) <= MAX_TOKEN_LENGTH:
            row = (
                await uow.session.execute(
                    select(a, users.c.username, users.c.active, users.c.organization_id)
                    .join(users, users.c.id == a.c.user_id)
                    .where(a.c.token_hash == api_token_hash(presented))
                    .with_for_update(of=a)
                )
            ).first()
        state = (
            None
            if row is None
            else ActivationToken(row.user_id, row.issued_at, row.expires_at, row.used_at, row.superseded_at)
        )
        reason = unusable(state, user_active=bool(row is not None and row.active), now=now)
        if reason is not None or row is None:
            refused = (reason or Unusable.UNKNOWN, str(row.username) if row is not None else "")
        else:
            # The token is right: the attempt is forgiven whether or not the password may be chosen.
            await _forgive(deps, attempt)
            require_acceptable_password(password, username=row.username)
            uow.actor = Actor(
                user_id=row.user_id,
                organization_id=row.organization_id,
                role="anonymous",
                username=str(row.username),
            )
            await uow.session.execute(
                update(users).where(users.c.id == row.user_id).values(password_hash=hash_password(password))
            )
            await uow.session.execute(update(a).where(a.c.id == row.id).values(used_at=now))
            uow.record(
                "user:activate",
                "User",
                row.user_id,
                None,
                {"purpose": row.purpose, "activatedAt": now.isoformat()},
            )
            await uow.commit()
    if refused is not None or row is None:
        why, username = refused or (Unusable.UNKNOWN, "")
        await _failed(
            deps,
            attempt,
            SecurityEventKind.ACTIVATION_FAILED,
            username,
            client,
            detail={"reason": why.value},
        )
        raise _token_refused()
    await security_events.record(
        deps.engine,
        SecurityEventKind.ACTIVATION_SUCCEEDED,
        now=now,
        username=str(row.username),
        user_id=int(row.user_id),
        address=client.address,
        request_id=client.request_id,
        detail={"purpose": row.purpose},
    )
    return str(row.username)
