"""The schema as SQLAlchemy Core tables. Alembic migrations create it; nothing here ever does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects.postgresql import JSONB

from domain.lifecycle import Status
from domain.projects import FundingSource, ProjectCategory, ProjectKind
from domain.reserve import ReserveCheck, ReserveOutcome

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NOW = text("now()")
ORG_TYPES = "('bdb','finance','cac','psb','crypto','audit','government','unit','evaluator','integrator')"


def _enum(enum: type, length: int = 30) -> SqlEnum:
    """Domain enums stored as plain strings (no PostgreSQL ENUM types: adding a value needs no DDL lock)."""
    return SqlEnum(enum, native_enum=False, length=length, create_constraint=False)


def _id() -> Column[int]:
    return Column("id", BigInteger, Identity(), primary_key=True)


organizations = Table(
    "organizations",
    metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("district", String(50), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint(f"type IN {ORG_TYPES}", name="type"),
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    # NULL until the user sets a password with an activation token (issue 13.4a): no password signs in.
    Column("password_hash", String(200), nullable=True),
    Column("organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=True),  # null: issued from the CLI
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)

projects = Table(
    "projects",
    metadata,
    _id(),
    Column("code", String(20), nullable=True, unique=True),
    Column("year", SmallInteger, nullable=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("kind", _enum(ProjectKind), nullable=False),
    Column("category", _enum(ProjectCategory), nullable=False),
    Column("funding_source", _enum(FundingSource, 10), nullable=False),
    Column("total_investment", Numeric(14, 2), nullable=False),
    Column("lead_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("deploys_on_government_cloud", Boolean, nullable=False),
    Column("connects_resource_platform", Boolean, nullable=False),
    Column("platform_exemption_reason", Text, nullable=True),
    Column("contact_name", String(50), nullable=False, server_default=""),
    Column("contact_phone", String(30), nullable=False, server_default=""),
    Column("contact_email", String(100), nullable=False, server_default=""),
    Column("status", _enum(Status), nullable=False),
    Column("listed_plan_reference", Text, nullable=True),
    Column("urgent_legal_basis", Text, nullable=True),
    Column("technically_simple", Boolean, nullable=False, server_default=text("false")),
    Column("single_content", Boolean, nullable=False, server_default=text("false")),
    Column("plan_year", SmallInteger, nullable=True),
    Column("approval_date", Date, nullable=True),
    Column("approved_investment", Numeric(14, 2), nullable=True),
    Column("plan_deferred", Boolean, nullable=False, server_default=text("false")),  # Art. 23 (issue 5)
    Column("suspended_from", _enum(Status), nullable=True),
    Column("classified", Boolean, nullable=False, server_default=text("false")),  # 涉密 (R19.2, issue 4)
    Column("operation_started_on", Date, nullable=True),  # acceptance filed, in operation (R21–R22)
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("total_investment > 0", name="positive_investment"),
    CheckConstraint("funding_source IN ('FISCAL','PPP')", name="funding_source"),
    Index("ix_projects_status_id", "status", "id"),
    # `orderBy: NAME` (issue 15.4): the app writes the pinyin key (store/sort_keys.py) on create and rename
    Column("name_sort_key", Text(collation="C"), nullable=False, server_default=""),
    Index("ix_projects_name_sort_key_id", "name_sort_key", "id"),
    # `hasOverdueObligations` (issue 15.4): earliest unmet due date, kept by the unit of work
    Column("obligations_due_on", Date, nullable=True),
    Index("ix_projects_obligations_due_on", "obligations_due_on"),
)

project_participants = Table(
    "project_participants",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False),
    Column("organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("business_flow", Text, nullable=False, server_default=""),
    Column("data_flow", Text, nullable=False, server_default=""),
    Column("interfaces", Text, nullable=False, server_default=""),
    UniqueConstraint("project_id", "organization_id", name="uq_project_participants_project_org"),
)

catalogue_items = Table(
    "catalogue_items",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("code", String(100), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("new_construction", Boolean, nullable=False),
    UniqueConstraint("project_id", "code", name="uq_catalogue_items_project_code"),
)

reserve_reviews = Table(
    "reserve_reviews",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("reviewer_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("outcome", _enum(ReserveOutcome, 20), nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)

reserve_check_results = Table(
    "reserve_check_results",
    metadata,
    _id(),
    Column("review_id", BigInteger, ForeignKey("reserve_reviews.id"), nullable=False, index=True),
    Column("check", _enum(ReserveCheck), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    UniqueConstraint("review_id", "check", name="uq_reserve_check_results_review_check"),
)

# The numbers in project codes, per year: free (project_id NULL) or taken by a project (migration 0008).
project_code_numbers = Table(
    "project_code_numbers",
    metadata,
    Column("year", SmallInteger, primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=True),
    Index("ix_project_code_numbers_free", "year", "sequence", postgresql_where=text("project_id IS NULL")),
)


def _audit_columns() -> list[Column[Any]]:
    """What an audit record says (audit_log and audit_pending): the chain's hash covers these and the id."""
    return [
        Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=NOW),
        Column("request_id", String(64), nullable=True),
        Column("actor_user_id", BigInteger, nullable=True),
        Column("actor_username", String(100), nullable=False),
        Column("actor_organization_id", BigInteger, nullable=True),
        Column("actor_role", String(20), nullable=False),
        Column("operation", String(60), nullable=False),
        Column("target_type", String(40), nullable=False),
        Column("target_id", BigInteger, nullable=True),
        Column("before", JSONB, nullable=True),
        Column("after", JSONB, nullable=True),
    ]


audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    *_audit_columns(),
    # Tamper-evident chain (issue 8), sealed by a trigger: see store/audit_chain.py.
    Column("hash", LargeBinary, nullable=False),
    Column("prev_hash", LargeBinary, nullable=True),
    Index("ix_audit_log_target", "target_type", "target_id", "id"),
)

# A unit of work's audit records, staged until its COMMIT (issue 17): a deferred constraint trigger moves each
# one into audit_log, sealed, and writes its webhook outbox row, then deletes it (migration 0026). Only
# uncommitted rows are ever here.
audit_pending = Table(
    "audit_pending",
    metadata,
    _id(),
    *_audit_columns(),
    prefixes=["UNLOGGED"],
)

seed_marks = Table(
    "seed_marks",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# Authorization policy (issue 6): the lines of authz/policy.csv, editable by administrators.
policy_rules = Table(
    "policy_rules",
    metadata,
    _id(),
    Column("ptype", String(2), nullable=False),
    Column("v0", String(60), nullable=False),
    Column("v1", String(80), nullable=False),
    Column("v2", String(40), nullable=False, server_default=""),
    Column("v3", String(40), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    UniqueConstraint("ptype", "v0", "v1", "v2", name="uq_policy_rules_line"),
)

# Every policy.csv line ever copied into policy_rules: a line an administrator removed is not copied back.
policy_seeded_lines = Table(
    "policy_seeded_lines",
    metadata,
    Column("line", String(300), primary_key=True),
    Column("seeded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# One row: the policy version, bumped with every change so each process knows when to reload.
policy_state = Table(
    "policy_state",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("version", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# Proposed policy lines (issue 13.4b, R3.2): a widening is stored here, not in force, until a second
# administrator approves it; `rule_id` is the policy_rules row the approval made (no FK: it may be removed).
policy_changes = Table(
    "policy_changes",
    metadata,
    _id(),
    Column("ptype", String(2), nullable=False),
    Column("v0", String(60), nullable=False),
    Column("v1", String(80), nullable=False),
    Column("v2", String(40), nullable=False, server_default=""),
    Column("v3", String(40), nullable=False, server_default=""),
    Column("status", String(10), nullable=False),
    Column("proposed_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("proposed_by", String(100), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("comment", Text, nullable=False, server_default=""),
    Column("rule_id", BigInteger, nullable=True),
    CheckConstraint("status IN ('PROPOSED','APPROVED','REJECTED')", name="status"),
    Index(
        "uq_policy_changes_pending_line",
        "ptype",
        "v0",
        "v1",
        "v2",
        unique=True,
        postgresql_where=text("status = 'PROPOSED'"),
    ),
)

# Rate-limit counters (issue 8): one row per credential and minute, shared by every API process.
rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_limit_windows_window_start", "window_start"),
    prefixes=["UNLOGGED"],
)

# Idempotency keys of mutations (issue 14): the first answer to a key, replayed to its retries.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(80), primary_key=True),  # hashed credential, or the client address
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # the request the key was first used for
    Column("status", SmallInteger, nullable=True),  # null while the first request runs
    Column("body", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)

# Issue-3 tables live in their own module, registered on the same metadata.
from store import (  # noqa: E402 (they import this module's metadata)
    approval_tables,  # noqa: F401
    construction_tables,  # noqa: F401  (issue 4: construction to evaluation)
    session_tables,  # noqa: F401  (issue 13: sessions, login throttling, security events)
    supervision_tables,  # noqa: F401  (issue 5: supervision, notifications)
    sync_tables,  # noqa: F401  (issue 7: change feed, webhooks, search)
)
