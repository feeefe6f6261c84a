"""Authentication: argon2 passwords, short-lived access tokens naming a session row that every request
checks, rotating refresh tokens and integrator API tokens (both stored only as SHA-256 digests)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import asyncpg
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.actors import Actor, role_of
from domain.passwords import MAX_LENGTH

API_TOKEN_PREFIX = "ykt_"
REFRESH_TOKEN_PREFIX = "ykr_"
ACTIVATION_TOKEN_PREFIX = "yka_"
ACTIVATION_TOKEN_BYTES = 32  # 256 bits (issue 13.4a asks at least 128)
LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
# Verifying against a real hash when the user does not exist keeps the response time from telling
# an attacker which usernames exist.
_DUMMY_HASH = _hasher.hash("no such user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False  # no password that long was ever accepted: spare argon2 a megabyte
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AuthError(Exception):
    """Why a presented credential was not accepted: `expired`, `invalid` or `revoked` (the session was
    ended, or the user disabled)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_session_token(
    actor: Actor,
    *,
    session_id: int,
    secret: str,
    ttl: timedelta,
    now: datetime,
    not_after: datetime | None = None,
) -> IssuedToken:
    """An access token of one session; it never outlives the session (`not_after`)."""
    expires = now + ttl if not_after is None else min(now + ttl, not_after)
    claims = {
        "sub": str(actor.user_id),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "iss": "yingkou-projects",
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm="HS256"), expires)


def read_session_token(token: str, *, secret: str, now: datetime) -> tuple[int, int]:
    """(user id, session id) of a valid token, or AuthError."""
    subject, session, expires, issued = _verified_claims(token, secret)
    # Time claims are checked against the injectable clock, not the wall clock, so tests can move time.
    if expires <= int(now.timestamp()):
        raise AuthError("expired")
    if issued > int(now.timestamp()) + 60:
        raise AuthError("invalid")
    try:
        return int(subject), int(session)
    except ValueError as exc:
        raise AuthError("invalid") from exc


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str) -> tuple[str, str, int, int]:
    """(sub, sid, exp, iat) of a token whose signature holds: the same token and secret always give the
    same answer, so a client's every request need not pay for the check again. Refusals are not cached.
    Whether the session still stands is asked of the database, or of the NOTIFY-invalidated cache
    (api/principal.py authenticate)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer="yingkou-projects",
            options={"require": ["exp", "sub", "sid", "iat"], "verify_exp": False, "verify_iat": False},
        )
        return str(claims["sub"]), str(claims["sid"]), int(claims["exp"]), int(claims["iat"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise AuthError("invalid") from exc


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token: (the token handed to the client once, its stored hash)."""
    token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, api_token_hash(token)


def new_activation_token() -> tuple[str, str]:
    """A fresh one-time activation token: (the token shown once to the administrator, its stored hash)."""
    token = ACTIVATION_TOKEN_PREFIX + secrets.token_urlsafe(ACTIVATION_TOKEN_BYTES)
    return token, api_token_hash(token)


def new_api_token() -> tuple[str, str, str]:
    """A fresh integrator token: (the token shown once, its display prefix, its stored hash)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:12], api_token_hash(token)


def api_token_hash(token: str) -> str:
    # 256 bits of randomness need no slow hash: SHA-256 lets every request find its token by index.
    return hashlib.sha256(token.encode()).hexdigest()


# Every request checks a credential: plain SQL on the driver connection (store/driver.py), no ORM.
_ACTOR = """
    SELECT u.id, u.username, u.organization_id, u.is_admin, o.type
    FROM users u JOIN organizations o ON o.id = u.organization_id
    WHERE u.id = $1 AND u.active
"""
# The session is read with its user when the credential cache (api/credential_cache.py) does not hold it; an
# ended session or a disabled user is dropped from every process's cache by NOTIFY.
_SESSION_ACTOR = """
    SELECT u.id, u.username, u.organization_id, u.is_admin, u.active, o.type, s.revoked_at, s.expires_at
    FROM user_sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id
    WHERE s.id = $1 AND s.user_id = $2
"""
_PASSWORD = "SELECT id, password_hash FROM users WHERE username = $1 AND active"
_API_TOKEN = """
    SELECT t.id, t.name, t.organization_id, t.expires_at, t.revoked_at, t.last_used_at, o.type
    FROM api_tokens t JOIN organizations o ON o.id = t.organization_id
    WHERE t.token_hash = $1
"""
_TOUCH_API_TOKEN = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"


async def session_entry(
    connection: asyncpg.Connection, user_id: int, session_id: int, *, now: datetime
) -> tuple[Actor, datetime]:
    """The actor of a live session and when the session ends, or AuthError (`revoked` for an ended session
    or a disabled user)."""
    row = await connection.fetchrow(_SESSION_ACTOR, session_id, user_id)
    if row is None:
        raise AuthError("invalid")
    if row["revoked_at"] is not None or not row["active"]:
        raise AuthError("revoked")
    if row["expires_at"] <= now:
        raise AuthError("expired")
    actor = Actor(
        user_id=row["id"],
        organization_id=row["organization_id"],
        username=row["username"],
        role=role_of(is_admin=row["is_admin"], organization_type=row["type"]),
        session_id=session_id,
    )
    return actor, row["expires_at"]


async def actor_for_user(connection: asyncpg.Connection, user_id: int) -> Actor | None:
    row = await connection.fetchrow(_ACTOR, user_id)
    if row is None:
        return None
    return Actor(
        user_id=row["id"],
        organization_id=row["organization_id"],
        username=row["username"],
        role=role_of(is_admin=row["is_admin"], organization_type=row["type"]),
    )


async def authenticate_password(connection: asyncpg.Connection, username: str, password: str) -> Actor | None:
    row = await connection.fetchrow(_PASSWORD, username)
    if row is None or row["password_hash"] is None:  # no such user, or one not yet activated
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password):
        return None
    return await actor_for_user(connection, row["id"])


async def api_token_entry(
    connection: asyncpg.Connection, digest: str, *, now: datetime
) -> tuple[Actor, datetime | None, datetime]:
    """The actor of a valid API token (by its digest), its expiry and its use as now written, or AuthError."""
    row = await connection.fetchrow(_API_TOKEN, digest)
    if row is None or row["revoked_at"] is not None:
        raise AuthError("invalid")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise AuthError("expired")
    # To the minute: an integrator polling every second must not rewrite the token's row every second.
    last_used = row["last_used_at"]
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        await connection.execute(_TOUCH_API_TOKEN, row["id"], now)
        last_used = now
    actor = Actor(
        user_id=None,
        organization_id=row["organization_id"],
        username=f"token:{row['name']}",
        role=row["type"],
        token_id=row["id"],
    )
    return actor, row["expires_at"], last_used


def bearer_credential(header: str) -> str:
    """The credential of an `Authorization: Bearer …` value (any spelling of the scheme), or AuthError."""
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthError("invalid")
    return credential.strip()
