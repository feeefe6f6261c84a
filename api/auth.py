"""Authentication: argon2 passwords, signed expiring session tokens, hashed integrator API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actors import ADMIN_ROLE, Actor
from store import tables

API_TOKEN_PREFIX = "ykt_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
# Verifying against a real hash when the user does not exist keeps the response time from telling
# an attacker which usernames exist.
_DUMMY_HASH = _hasher.hash("no such user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AuthError(Exception):
    """Why a presented credential was not accepted: `expired` or `invalid`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_session_token(actor: Actor, *, secret: str, ttl: timedelta, now: datetime) -> IssuedToken:
    expires = now + ttl
    claims = {"sub": str(actor.user_id), "iat": int(now.timestamp()), "exp": int(expires.timestamp()),
              "iss": "yingkou-projects"}
    return IssuedToken(jwt.encode(claims, secret, algorithm="HS256"), expires)


def read_session_token(token: str, *, secret: str, now: datetime) -> int:
    """The user id in a valid token, or AuthError."""
    subject, expires, issued = _verified_claims(token, secret)
    # Time claims are checked against the injectable clock, not the wall clock, so tests can move time.
    if expires <= int(now.timestamp()):
        raise AuthError("expired")
    if issued > int(now.timestamp()) + 60:
        raise AuthError("invalid")
    try:
        return int(subject)
    except ValueError as exc:
        raise AuthError("invalid") from exc


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str) -> tuple[str, int, int]:
    """(sub, exp, iat) of a token whose signature holds: the same token and secret always give the same
    answer, so a client's every request need not pay for the check again. Refusals are not cached."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="yingkou-projects",
                            options={"require": ["exp", "sub", "iat"], "verify_exp": False, "verify_iat": False})
        return str(claims["sub"]), int(claims["exp"]), int(claims["iat"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise AuthError("invalid") from exc


def new_api_token() -> tuple[str, str, str]:
    """A fresh integrator token: (the token shown once, its display prefix, its stored hash)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:12], api_token_hash(token)


def api_token_hash(token: str) -> str:
    # 256 bits of randomness need no slow hash: SHA-256 lets every request find its token by index.
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: the statement's shape never changes, only the user id bound into it.
_ACTOR = (
    select(tables.users.c.id, tables.users.c.username, tables.users.c.organization_id, tables.users.c.is_admin,
           tables.organizations.c.type)
    .join(tables.organizations, tables.organizations.c.id == tables.users.c.organization_id)
    .where(tables.users.c.id == bindparam("user_id"), tables.users.c.active.is_(True))
)


async def actor_for_user(session: AsyncSession, user_id: int) -> Actor | None:
    row = (await session.execute(_ACTOR, {"user_id": user_id})).one_or_none()
    if row is None:
        return None
    return Actor(user_id=row.id, organization_id=row.organization_id, username=row.username,
                 role=ADMIN_ROLE if row.is_admin else row.type)


async def authenticate_password(session: AsyncSession, username: str, password: str) -> Actor | None:
    row = (
        await session.execute(
            select(tables.users.c.id, tables.users.c.password_hash)
            .where(tables.users.c.username == username, tables.users.c.active.is_(True))
        )
    ).one_or_none()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    return await actor_for_user(session, row.id)


async def actor_for_api_token(session: AsyncSession, token: str, *, now: datetime) -> Actor:
    t, orgs = tables.api_tokens, tables.organizations
    row = (
        await session.execute(
            select(t.c.id, t.c.name, t.c.organization_id, t.c.expires_at, t.c.revoked_at, t.c.last_used_at,
                   orgs.c.type)
            .join(orgs, orgs.c.id == t.c.organization_id)
            .where(t.c.token_hash == api_token_hash(token))
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise AuthError("invalid")
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthError("expired")
    # To the minute: an integrator polling every second must not rewrite the token's row every second.
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        await session.execute(update(t).where(t.c.id == row.id).values(last_used_at=now))
        await session.commit()
    return Actor(user_id=None, organization_id=row.organization_id, username=f"token:{row.name}",
                 role=row.type, token_id=row.id)


async def resolve_bearer(session: AsyncSession, header: str | None, *, secret: str, now: datetime) -> Actor | None:
    """The actor behind an Authorization header; None without one; AuthError for a bad one."""
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthError("invalid")
    credential = credential.strip()
    if credential.startswith(API_TOKEN_PREFIX):
        return await actor_for_api_token(session, credential, now=now)
    actor = await actor_for_user(session, read_session_token(credential, secret=secret, now=now))
    if actor is None:
        raise AuthError("invalid")
    return actor
