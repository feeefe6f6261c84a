"""Tables of Art. 23–24 and the obligations calendar: inspections, rectification reports, requests for
information, and in-app notifications (one row per organization, obligation and kind — never twice)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from domain.supervision import InspectionStatus, ReportStatus, Subject
from store.tables import NOW, _enum, _id, metadata

inspections = Table(
    "inspections",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("agency_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False),
    Column("agency_role", String(20), nullable=False),
    Column("subject", _enum(Subject, 20), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("status", _enum(InspectionStatus), nullable=False),
    Column("findings", Text, nullable=True),
    Column("rectification_deadline", Date, nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("concluded_at", DateTime(timezone=True), nullable=True),
)

rectification_reports = Table(
    "rectification_reports",
    metadata,
    _id(),
    Column("inspection_id", BigInteger, ForeignKey("inspections.id"), nullable=False, index=True),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("content", Text, nullable=False),
    Column("status", _enum(ReportStatus, 20), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("review_reasons", Text, nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
)

info_requests = Table(
    "info_requests",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("requester_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False),
    Column("requester_role", String(20), nullable=False),
    Column("question", Text, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("answer", Text, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    Column("organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False),
    Column("obligation_key", String(120), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("rule", String(10), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("read_at", DateTime(timezone=True), nullable=True),
    # The no-duplicates guarantee, whatever number of workers run at once (INSERT … ON CONFLICT DO NOTHING).
    UniqueConstraint("organization_id", "obligation_key", "kind", name="uq_notifications_once"),
    Index("ix_notifications_organization_id_id", "organization_id", "id"),
)
