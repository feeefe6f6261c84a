"""Sign-in sessions (issue 13): throttled sign-in, rotating refresh tokens, sign-out, password change, and
the administrator's powers to disable users and end sessions. Shared by GraphQL and the CLI.

Every use case runs in one transaction with its audit record; its security event is written apart
(api/security_events.py), so a refused attempt leaves its trace although it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api import credential_cache as credentials
from api import security_events
from api.auth import (
    IssuedToken,
    api_token_hash,
    authenticate_password,
    hash_password,
    issue_session_token,
    new_refresh_token,
)
from api.passwords import require_acceptable_password
from api.security_events import SecurityEventKind
from api.settings import Settings
from domain.actors import Actor, role_of
from domain.clock import Clock
from domain.errors import DomainError, NotFound, Violation
from domain.login_throttle import (
    ThrottlePolicy,
    ThrottleState,
    after_failure,
    after_success,
    decide,
    newly_locked,
)
from store import session_store, tables
from store.driver import driver_connection
from store.uow import SqlUnitOfWork

OWN_CREDENTIAL = (
    "OwnCredential"  # performs(None, on=…): acts on the caller's own sign-in, granted to everyone
)
SESSION_RETENTION = timedelta(days=30)  # ended sessions stay listed (sessions query) this long
ANONYMOUS = Actor(user_id=None, organization_id=0, role="anonymous", username="anonymous")


class Deps(Protocol):
    """What the use cases need: the request context has it, the CLI builds it."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock


@dataclass(frozen=True)
class Client:
    address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    access: IssuedToken
    refresh_token: str
    refresh_expires_at: datetime


def _violation(code: str, zh: str, en: str, field: str | None = None) -> Violation:
    return Violation(code, zh, en, field=("input", field) if field else ())


def _invalid_credentials() -> DomainError:
    return DomainError(
        [_violation("INVALID_CREDENTIALS", "用户名或密码错误。", "Wrong username or password.", "password")]
    )


def _throttled(retry_after: timedelta, field: str) -> DomainError:
    seconds = max(1, int(retry_after.total_seconds() + 0.999))
    return DomainError(
        [
            _violation(
                "LOGIN_THROTTLED",
                f"登录失败次数过多，请在 {seconds} 秒后重试。",
                f"Too many failed sign-ins; try again in {seconds} s.",
                field,
            )
        ]
    )


# --- throttling (domain/login_throttle.py decides; counters in PostgreSQL, shared by every process) ---


def username_key(username: str) -> str:
    return "username:" + username.strip().lower()[:100]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")[:64]


def policies(settings: Settings) -> tuple[ThrottlePolicy, ThrottlePolicy]:
    """(per username, per address)."""
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    common = {
        "lockout": lockout,
        "base_delay": timedelta(seconds=settings.login_delay_base_seconds),
        "max_delay": timedelta(seconds=settings.login_delay_max_seconds),
        "window": lockout,
    }
    return (
        ThrottlePolicy(max_failures=settings.login_max_failures_per_username, **common),
        ThrottlePolicy(
            max_failures=settings.login_max_failures_per_address,
            free_failures=settings.login_address_free_failures,
            **common,
        ),
    )


@dataclass(frozen=True)
class _Attempt:
    """An attempt counted in advance as a failure: the states before and after, per key."""

    policies: dict[str, ThrottlePolicy]
    before: dict[str, ThrottleState | None]
    after: dict[str, ThrottleState]
    username_key: str


async def _count_attempt(
    deps: Deps, keys: dict[str, ThrottlePolicy], username: str, client: Client, field: str = "password"
) -> _Attempt:
    """Count the attempt before checking anything, or refuse it unchecked (LOGIN_THROTTLED)."""
    now = deps.clock()
    async with driver_connection(deps.engine) as connection:
        async with connection.transaction():
            before = await session_store.lock_throttle(connection, list(keys), now)
            refusals = [d for d in (decide(before[k], now, p) for k, p in keys.items()) if not d.allowed]
            after: dict[str, ThrottleState] = {}
            if not refusals:
                for key, policy in keys.items():
                    after[key] = after_failure(before[key], now, policy)
                    await session_store.write_throttle(connection, key, after[key])
        window = max(p.window for p in keys.values())
        await session_store.forget_stale_throttles(connection, older_than=now - window, now=now)
    if refusals:
        wait = max(d.retry_after for d in refusals)
        await security_events.record(
            deps.engine,
            SecurityEventKind.LOGIN_THROTTLED,
            now=now,
            username=username,
            address=client.address,
            request_id=client.request_id,
            detail={
                "retryAfterSeconds": int(wait.total_seconds()),
                "locked": any(d.locked for d in refusals),
            },
        )
        raise _throttled(wait, field)
    return _Attempt(policies=keys, before=before, after=after, username_key=username_key(username))


async def _failed(
    deps: Deps,
    attempt: _Attempt,
    kind: SecurityEventKind,
    username: str,
    client: Client,
    detail: dict[str, object] | None = None,
) -> None:
    """The events of a failure that stands: the failure, and each lockout it started."""
    now = deps.clock()
    await security_events.record(
        deps.engine,
        kind,
        now=now,
        username=username or None,
        address=client.address,
        request_id=client.request_id,
        detail=detail,
    )
    for key, state in attempt.after.items():
        if newly_locked(attempt.before[key], state, now):
            await security_events.record(
                deps.engine,
                SecurityEventKind.LOGIN_LOCKED,
                now=now,
                username=username,
                address=client.address,
                request_id=client.request_id,
                detail={
                    "key": key.partition(":")[0],
                    "failures": state.failures,
                    "lockedUntil": state.locked_until.isoformat() if state.locked_until else None,
                },
            )


async def _forgive(deps: Deps, attempt: _Attempt) -> None:
    """The password was right: forgive the attempt counted in advance."""
    now = deps.clock()
    async with driver_connection(deps.engine) as connection, connection.transaction():
        current = await session_store.lock_throttle(connection, list(attempt.policies), now)
        for key, policy in attempt.policies.items():
            forgiven = after_success(current[key], forgive_all=key == attempt.username_key, policy=policy)
            await session_store.write_throttle(connection, key, forgiven)


# --- sign-in and refresh ---


async def sign_in(deps: Deps, *, username: str, password: str, client: Client) -> SignedIn:
    """A new session for the right password; DomainError (INVALID_CREDENTIALS, LOGIN_THROTTLED) otherwise."""
    name = username.strip()
    per_username, per_address = policies(deps.settings)
    attempt = await _count_attempt(
        deps, {username_key(name): per_username, address_key(client.address): per_address}, name, client
    )
    async with driver_connection(deps.engine) as connection:
        actor = await authenticate_password(connection, name, password)
    if actor is None:
        await _failed(deps, attempt, SecurityEventKind.LOGIN_FAILED, name, client)
        raise _invalid_credentials()
    await _forgive(deps, attempt)
    return await _open_session(deps, actor, client)


async def _open_session(deps: Deps, actor: Actor, client: Client) -> SignedIn:
    now = deps.clock()
    expires_at = now + timedelta(minutes=deps.settings.session_ttl_minutes)
    refresh, digest = new_refresh_token()
    uow = SqlUnitOfWork(deps.session_factory, actor=actor, clock=deps.clock, request_id=client.request_id)
    async with uow:
        await session_store.purge_ended_sessions(
            uow.session,
            user_id=actor.user_id,  # type: ignore[arg-type]
            ended_before=now - SESSION_RETENTION,
        )
        session_id = await session_store.create_session(
            uow.session,
            user_id=actor.user_id,  # type: ignore[arg-type]
            now=now,
            expires_at=expires_at,
            address=client.address,
            user_agent=client.user_agent,
        )
        await session_store.add_refresh_token(uow.session, session_id=session_id, token_hash=digest, now=now)
        uow.record(
            "auth:login",
            "User",
            actor.user_id,
            None,
            {"sessionId": session_id, "expiresAt": expires_at.isoformat()},
        )
        await uow.commit()
    signed_in = replace(actor, session_id=session_id)
    await security_events.record(
        deps.engine,
        SecurityEventKind.LOGIN_SUCCEEDED,
        now=now,
        username=actor.username,
        user_id=actor.user_id,
        session_id=session_id,
        address=client.address,
        request_id=client.request_id,
    )
    return SignedIn(signed_in, _access_token(deps, signed_in, expires_at), refresh, expires_at)


def _access_token(deps: Deps, actor: Actor, session_expires_at: datetime) -> IssuedToken:
    return issue_session_token(
        actor,
        session_id=actor.session_id,  # type: ignore[arg-type]
        secret=deps.settings.token_secret.get_secret_value(),
        ttl=timedelta(minutes=deps.settings.token_ttl_minutes),
        now=deps.clock(),
        not_after=session_expires_at,
    )


def _refresh_refused() -> DomainError:
    return DomainError(
        [
            _violation(
                "REFRESH_TOKEN_INVALID",
                "刷新令牌无效、已使用或登录已结束，请重新登录。",
                "The refresh token is invalid, already used, or its session has ended; sign in again.",
                "refreshToken",
            )
        ]
    )


async def refresh(deps: Deps, *, refresh_token: str, client: Client) -> SignedIn:
    """Trade a refresh token for a new access token and a new refresh token (the old one is spent).

    A spent token presented again means two parties hold it: the whole session is revoked, so the thief's
    copy and the victim's both stop, and the victim signs in again."""
    now = deps.clock()
    digest = api_token_hash(refresh_token.strip())
    uow = SqlUnitOfWork(deps.session_factory, actor=ANONYMOUS, clock=deps.clock, request_id=client.request_id)
    reused: int | None = None
    async with uow:
        session_id = await session_store.use_refresh_token(uow.session, token_hash=digest, now=now)
        row = None if session_id is None else await _live_session_actor(uow.session, session_id, now)
        if session_id is None:
            reused = await session_store.session_of_used_token(uow.session, token_hash=digest)
            if reused is not None:
                await session_store.revoke_sessions(
                    uow.session, now=now, reason="refresh-reuse", session_id=reused
                )
                await credentials.announce(uow.session, [credentials.session_notice(reused)])
                uow.record("auth:refresh-reuse", "Session", reused, None, {"revokedReason": "refresh-reuse"})
                await uow.commit()
                credentials.forget_here(deps, [credentials.session_notice(reused)])
        elif row is not None:
            actor, expires_at = row
            uow.actor = actor
            fresh, fresh_digest = new_refresh_token()
            await session_store.add_refresh_token(
                uow.session, session_id=session_id, token_hash=fresh_digest, now=now
            )
            await session_store.touch_session(uow.session, session_id=session_id, now=now)
            uow.record("auth:token-refresh", "Session", session_id, None, {"refreshedAt": now.isoformat()})
            await uow.commit()
            return SignedIn(actor, _access_token(deps, actor, expires_at), fresh, expires_at)
    if reused is not None:
        await security_events.record(
            deps.engine,
            SecurityEventKind.REFRESH_TOKEN_REUSED,
            now=now,
            session_id=reused,
            address=client.address,
            request_id=client.request_id,
        )
    raise _refresh_refused()


async def _live_session_actor(
    session: AsyncSession, session_id: int, now: datetime
) -> tuple[Actor, datetime] | None:
    row = await session_store.live_session(session, session_id=session_id, now=now)
    if row is None:
        return None
    o, u = tables.organizations, tables.users
    user = (
        await session.execute(
            select(u.c.organization_id, u.c.is_admin, o.c.type)
            .join(o, o.c.id == u.c.organization_id)
            .where(u.c.id == row.user_id)
        )
    ).one()
    actor = Actor(
        user_id=row.user_id,
        organization_id=user.organization_id,
        role=role_of(is_admin=user.is_admin, organization_type=user.type),
        username=row.username,
        session_id=session_id,
    )
    return actor, row.expires_at


# --- ending sessions ---


def _own_session(actor: Actor) -> int:
    if actor.session_id is None:
        raise DomainError(
            [
                _violation(
                    "NOT_A_SESSION",
                    "接口令牌没有登录会话；如需停用，请管理员吊销该令牌。",
                    "An API token has no session; an administrator revokes the token instead.",
                )
            ]
        )
    return actor.session_id


async def logout(deps: Deps, *, actor: Actor, client: Client) -> list[int]:
    """End the actor's own session: its access and refresh tokens stop working in every process."""
    session_id = _own_session(actor)
    return await _end_sessions(
        deps,
        actor,
        client,
        kind=SecurityEventKind.LOGOUT,
        reason="logout",
        operation="auth:logout",
        session_id=session_id,
    )


async def logout_everywhere(deps: Deps, *, actor: Actor, client: Client) -> list[int]:
    """End every session of the actor's user, this one included."""
    _own_session(actor)
    return await _end_sessions(
        deps,
        actor,
        client,
        kind=SecurityEventKind.LOGOUT_EVERYWHERE,
        reason="logout-everywhere",
        operation="auth:logout-everywhere",
        user_id=actor.user_id,
    )


async def revoke_session(
    deps: Deps, *, actor: Actor, session_id: int, client: Client, operation: str
) -> list[int]:
    """An administrator ends one session (NotFound if there is none; an ended one stays ended)."""
    async with deps.session_factory() as session:
        exists = (
            await session.execute(select(session_store.s.c.id).where(session_store.s.c.id == session_id))
        ).first()
    if exists is None:
        raise NotFound("Session", session_id)
    return await _end_sessions(
        deps,
        actor,
        client,
        kind=SecurityEventKind.SESSION_REVOKED,
        reason="administrator",
        operation=operation,
        session_id=session_id,
    )


async def _end_sessions(
    deps: Deps,
    actor: Actor,
    client: Client,
    *,
    kind: SecurityEventKind,
    reason: str,
    operation: str,
    session_id: int | None = None,
    user_id: int | None = None,
) -> list[int]:
    now = deps.clock()
    notices = [
        credentials.session_notice(session_id) if session_id is not None else credentials.user_notice(user_id)  # type: ignore[arg-type]
    ]
    uow = SqlUnitOfWork(deps.session_factory, actor=actor, clock=deps.clock, request_id=client.request_id)
    async with uow:
        ended = await session_store.revoke_sessions(
            uow.session, now=now, reason=reason, session_id=session_id, user_id=user_id
        )
        await credentials.announce(uow.session, notices)  # every process drops them once this commits
        target = session_id if session_id is not None else user_id
        uow.record(
            operation,
            "Session" if session_id is not None else "User",
            target,
            None,
            {"ended": ended, "reason": reason},
        )
        await uow.commit()
    credentials.forget_here(deps, notices)
    await security_events.record(
        deps.engine,
        kind,
        now=now,
        username=actor.username,
        user_id=actor.user_id,
        session_id=actor.session_id,
        address=client.address,
        request_id=client.request_id,
        detail={"ended": ended},
    )
    return ended


# --- passwords and accounts ---


async def change_password(
    deps: Deps, *, actor: Actor, current_password: str, new_password: str, client: Client
) -> list[int]:
    """Needs the current password (throttled like sign-in); ends every other session of the user."""
    session_id = _own_session(actor)
    per_username, _ = policies(deps.settings)
    attempt = await _count_attempt(
        deps, {username_key(actor.username): per_username}, actor.username, client, "currentPassword"
    )
    async with driver_connection(deps.engine) as connection:
        verified = await authenticate_password(connection, actor.username, current_password)
    if verified is None or verified.user_id != actor.user_id:
        await _failed(deps, attempt, SecurityEventKind.PASSWORD_CHANGE_FAILED, actor.username, client)
        raise DomainError(
            [
                _violation(
                    "WRONG_PASSWORD", "当前密码不正确。", "The current password is wrong.", "currentPassword"
                )
            ]
        )
    await _forgive(deps, attempt)
    require_acceptable_password(new_password, username=actor.username, field="newPassword")
    now = deps.clock()
    uow = SqlUnitOfWork(deps.session_factory, actor=actor, clock=deps.clock, request_id=client.request_id)
    async with uow:
        await uow.session.execute(
            update(tables.users)
            .where(tables.users.c.id == actor.user_id)
            .values(password_hash=hash_password(new_password))
        )
        ended = await session_store.revoke_sessions(
            uow.session, now=now, reason="password-change", user_id=actor.user_id, keep=session_id
        )
        notices = [credentials.user_notice(actor.user_id)]  # type: ignore[arg-type]
        await credentials.announce(uow.session, notices)
        uow.record("auth:password-change", "User", actor.user_id, None, {"sessionsEnded": ended})
        await uow.commit()
    credentials.forget_here(deps, notices)
    await security_events.record(
        deps.engine,
        SecurityEventKind.PASSWORD_CHANGED,
        now=now,
        username=actor.username,
        user_id=actor.user_id,
        session_id=session_id,
        address=client.address,
        request_id=client.request_id,
        detail={"sessionsEnded": ended},
    )
    return ended


async def set_user_active(
    deps: Deps, *, actor: Actor, user_id: int, active: bool, client: Client, operation: str
) -> str:
    """Disable (every session ends at once) or enable a user; the username."""
    now = deps.clock()
    users = tables.users
    uow = SqlUnitOfWork(deps.session_factory, actor=actor, clock=deps.clock, request_id=client.request_id)
    async with uow:
        row = (
            await uow.session.execute(
                select(users.c.username, users.c.active).where(users.c.id == user_id).with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("User", user_id)
        if not active and user_id == actor.user_id:
            raise DomainError(
                [
                    _violation(
                        "CANNOT_DISABLE_SELF",
                        "不能停用自己的账号。",
                        "You cannot disable your own account.",
                        "userId",
                    )
                ]
            )
        ended: list[int] = []
        if row.active != active:
            await uow.session.execute(update(users).where(users.c.id == user_id).values(active=active))
            if not active:
                ended = await session_store.revoke_sessions(
                    uow.session, now=now, reason="user-disabled", user_id=user_id
                )
            await credentials.announce(uow.session, [credentials.user_notice(user_id)])
            uow.record(
                operation, "User", user_id, {"active": row.active}, {"active": active, "sessionsEnded": ended}
            )
        await uow.commit()
    credentials.forget_here(deps, [credentials.user_notice(user_id)])
    await security_events.record(
        deps.engine,
        SecurityEventKind.USER_ENABLED if active else SecurityEventKind.USER_DISABLED,
        now=now,
        username=row.username,
        user_id=user_id,
        address=client.address,
        request_id=client.request_id,
        detail={"by": actor.username, "sessionsEnded": ended},
    )
    return str(row.username)


def client_of(ctx: object) -> Client:
    """The request's client, as the security events record it."""
    from api.principal import client_address

    request = ctx.request  # type: ignore[attr-defined]
    return Client(
        address=client_address(request.scope),
        user_agent=request.headers.get("user-agent"),
        request_id=ctx.request_id,  # type: ignore[attr-defined]
    )
