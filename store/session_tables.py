"""Issue-13 tables on the shared metadata: sign-in sessions, rotating refresh tokens, login throttling and
security events (kept apart from the project audit log)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.dialects.postgresql import JSONB

from store.tables import NOW, _id, metadata

# One row per sign-in: every access token names its session, and every request checks the row, so ending a
# session (logout, password change, disabled user, administrator) is in force in every process at once.
user_sessions = Table(
    "user_sessions",
    metadata,
    _id(),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("expires_at", DateTime(timezone=True), nullable=False),  # absolute: refreshing never extends it
    Column("last_refreshed_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_reason", String(40), nullable=True),
    Column("address", String(64), nullable=True),
    Column("user_agent", String(200), nullable=True),
)

# A session's refresh tokens, one used per refresh (rotation); only their SHA-256 is stored. A token
# presented after it was used means someone else holds a copy: the whole session (the family) is revoked.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    _id(),
    Column("session_id", BigInteger, ForeignKey("user_sessions.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

# Failed sign-ins per key (`username:<name>` or `address:<ip>`), shared by every API process.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)

# Security events: written on their own autocommit connection, so a refused request's rollback keeps them.
security_events = Table(
    "security_events",
    metadata,
    _id(),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("kind", String(40), nullable=False),
    Column("username", String(160), nullable=True),
    Column("user_id", BigInteger, nullable=True),  # no foreign key: an event outlives what it names
    Column("api_token_id", BigInteger, nullable=True),
    Column("session_id", BigInteger, nullable=True),
    Column("address", String(64), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("detail", JSONB, nullable=True),
    Index("ix_security_events_kind_id", "kind", "id"),
    Index("ix_security_events_username_id", "username", "id"),
)

# One-time activation tokens (issue 13.4a): a new user, or one whose password an administrator reset, sets
# the password with one. Only the SHA-256 is stored; a token works once (used_at), until expires_at, and a
# newer token for the same user supersedes every older unused one (superseded_at).
activation_tokens = Table(
    "activation_tokens",
    metadata,
    _id(),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(10), nullable=False),  # domain.activation.Purpose
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", String(160), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("superseded_at", DateTime(timezone=True), nullable=True),
)
