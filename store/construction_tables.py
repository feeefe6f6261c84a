"""Tables of Art. 14–22: contracts, change requests and approved-figure versions, progress reports,
acceptance events, disbursements, data-centre resource allocations and self-evaluations (issue 4).
Post-evaluation results go into `post_evaluations` (store/approval_tables.py)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY

from domain.acceptance import AcceptanceEventKind
from domain.changes import ChangeReason, ChangeRoute, ChangeStatus
from domain.funds import DisbursementKind
from domain.implementation import ProcurementMethod, ProcurementRegime
from store.tables import _enum, _id, metadata


def _project() -> Column[int]:
    return Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True)


def _by() -> Column[int]:
    return Column("recorded_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True)


contracts = Table(
    "contracts",
    metadata,
    _id(),
    _project(),
    Column("legal_person", String(200), nullable=False),
    Column("regime", _enum(ProcurementRegime), nullable=False),
    Column("method", _enum(ProcurementMethod), nullable=False),
    Column("procurement_reference", String(100), nullable=False),
    Column("winning_bidder", String(200), nullable=False),
    Column("supervision_firm", String(200), nullable=False),
    Column("contract_number", String(100), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("operation_maintenance", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    _by(),
    CheckConstraint("amount > 0", name="positive_amount"),
)

change_requests = Table(
    "change_requests",
    metadata,
    _id(),
    _project(),
    Column("aspects", ARRAY(String(20)), nullable=False),
    Column("description", Text, nullable=False),
    Column("reason", _enum(ChangeReason), nullable=False),
    Column("reason_detail", Text, nullable=False, server_default=""),
    Column("same_objectives", Boolean, nullable=False),
    Column("previous_total_investment", Numeric(14, 2), nullable=False),
    Column("new_total_investment", Numeric(14, 2), nullable=False),
    Column("adjusted_funds", Numeric(14, 2), nullable=False),
    Column("route", _enum(ChangeRoute, 10), nullable=False),
    Column("rule", String(10), nullable=False),
    Column("status", _enum(ChangeStatus, 10), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_opinion", Text, nullable=True),
)

# Every version of a project's approved figures: version 1 is the preliminary-design approval, each
# effective change (filed or approved) adds the next one (R16–R17).
approved_figure_versions = Table(
    "approved_figure_versions",
    metadata,
    _id(),
    _project(),
    Column("version", Integer, nullable=False),
    Column("approved_investment", Numeric(14, 2), nullable=False),
    Column("change_request_id", BigInteger, ForeignKey("change_requests.id"), nullable=True),
    Column("effective_on", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("project_id", "version", name="uq_approved_figure_versions_project_version"),
)

progress_reports = Table(
    "progress_reports",
    metadata,
    _id(),
    _project(),
    Column("period_number", Integer, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("physical_progress", Numeric(5, 2), nullable=False),
    Column("funds_spent", Numeric(14, 2), nullable=False),
    Column("milestones", Text, nullable=False, server_default=""),
    Column("problems", Text, nullable=False, server_default=""),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    UniqueConstraint("project_id", "period_number", name="uq_progress_reports_project_period"),
)

# The acceptance history as events (R19–R21) of the kinds of domain.acceptance.AcceptanceEventKind. The
# project's state says where it stands; the events say how it got there (the `Acceptance` aggregate).
acceptance_events = Table(
    "acceptance_events",
    metadata,
    _id(),
    _project(),
    Column("kind", _enum(AcceptanceEventKind, 30), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("passed", Boolean, nullable=True),
    Column("reports", ARRAY(String(40)), nullable=False, server_default="{}"),
    Column("deadline", Date, nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    _by(),
)

disbursements = Table(
    "disbursements",
    metadata,
    _id(),
    _project(),
    Column("kind", _enum(DisbursementKind, 10), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    _by(),
    CheckConstraint("amount > 0", name="positive_amount"),
)

resource_allocations = Table(
    "resource_allocations",
    metadata,
    _id(),
    _project(),
    Column("resources", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    _by(),
)

self_evaluations = Table(
    "self_evaluations",
    metadata,
    _id(),
    _project(),
    Column("summary", Text, nullable=False),
    Column("delivered_to", ARRAY(String(20)), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    _by(),
)
