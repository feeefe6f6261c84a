"""One-time activation tokens (issue 13.4a): the administrator never knows a password someone else signs in with.

A new user, and a user whose password an administrator reset, gets a random token (≥ 128 bits) instead of a
password; the administrator hands it over out of band and the person sets the password with it. A token is
stored only as its SHA-256, works once, expires, and is replaced by a newer one for the same user. Which of
these makes a token unusable is decided here; the caller always answers the same refusal, so a guesser learns
nothing, while the security event records the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_TTL = timedelta(hours=72)
MIN_TOKEN_BITS = 128


class Purpose(StrEnum):
    """Why the token was issued."""

    CREATE = "create"  # a new user sets their first password
    RESET = "reset"  # an administrator reset the password; the old one no longer works


class Unusable(StrEnum):
    """Why a presented token cannot set a password (recorded in the security event, never answered)."""

    UNKNOWN = "unknown"
    USED = "used"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    USER_DISABLED = "user-disabled"


@dataclass(frozen=True, slots=True)
class ActivationToken:
    """A stored token's state (its hash is the key it was found by)."""

    user_id: int
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FoundActivation:
    """A stored activation token found by its hash (locked until commit), with what `unusable` and spending it
    need of its user."""

    id: int
    token: ActivationToken
    purpose: Purpose
    username: str
    user_active: bool
    organization_id: int


@dataclass(frozen=True, slots=True)
class IssuedActivation:
    """A token as handed to the administrator, once (only its SHA-256 is stored)."""

    token: str
    expires_at: datetime


def expiry(issued_at: datetime, ttl: timedelta) -> datetime:
    """When a token issued now stops working; a TTL of zero or less is refused as a configuration error."""
    if ttl <= timedelta(0):
        raise ValueError("an activation token needs a positive lifetime")
    return issued_at + ttl


def unusable(token: ActivationToken | None, *, user_active: bool, now: datetime) -> Unusable | None:
    """Why this token may not set a password now (None: it may). Expiry is exclusive: at `expires_at` it is over."""
    if token is None:
        return Unusable.UNKNOWN
    if token.used_at is not None:
        return Unusable.USED
    if token.superseded_at is not None:
        return Unusable.SUPERSEDED
    if now >= token.expires_at:
        return Unusable.EXPIRED
    if not user_active:
        return Unusable.USER_DISABLED
    return None
