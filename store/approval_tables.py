"""Tables of Art. 9–13: plan calls and entries, annual plans and revisions, mid-year requests, approval
documents, attachments with their file blobs, and post-evaluation results (filled by issue 4)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from domain.approval_documents import DocumentStatus, EvaluationConclusion, SelectionMethod
from domain.approval_path import DocumentType
from domain.mid_year import MidYearStatus
from domain.plans import EntryKind, PlanSource, PlanStatus
from store.tables import NOW, _enum, _id, metadata

plan_calls = Table(
    "plan_calls",
    metadata,
    _id(),
    Column("year", SmallInteger, nullable=False, unique=True),
    Column("deadline", Date, nullable=False),
    Column("budget_compilation_date", Date, nullable=False),
    Column("requirements", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("deadline < budget_compilation_date", name="deadline_before_budget"),
)

plan_entries = Table(
    "plan_entries",
    metadata,
    _id(),
    Column("call_id", BigInteger, ForeignKey("plan_calls.id"), nullable=False),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("kind", _enum(EntryKind), nullable=False),
    Column("requested_amount", Numeric(14, 2), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("call_id", "project_id", "kind", name="uq_plan_entries_call_project_kind"),
)

plan_entry_reviews = Table(
    "plan_entry_reviews",
    metadata,
    _id(),
    Column("entry_id", BigInteger, ForeignKey("plan_entries.id"), nullable=False),
    Column("reviewer_role", String(20), nullable=False),
    Column("reviewer_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("opinion", Text, nullable=False),
    Column("recommended_amount", Numeric(14, 2), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("entry_id", "reviewer_role", name="uq_plan_entry_reviews_entry_role"),
)

annual_plans = Table(
    "annual_plans",
    metadata,
    _id(),
    Column("year", SmallInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", _enum(PlanStatus), nullable=False),
    Column("call_id", BigInteger, ForeignKey("plan_calls.id"), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("compiled_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_comment", Text, nullable=True),
    UniqueConstraint("year", "revision", name="uq_annual_plans_year_revision"),
    # One approved revision per year is in force; the database keeps that true.
    Index("uq_annual_plans_one_approved", "year", unique=True, postgresql_where=text("status = 'APPROVED'")),
)

annual_plan_items = Table(
    "annual_plan_items",
    metadata,
    _id(),
    Column("plan_id", BigInteger, ForeignKey("annual_plans.id"), nullable=False, index=True),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("entry_id", BigInteger, ForeignKey("plan_entries.id"), nullable=True),
    Column("mid_year_request_id", BigInteger, ForeignKey("mid_year_requests.id"), nullable=True),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("source", _enum(PlanSource, 10), nullable=False),
)

mid_year_requests = Table(
    "mid_year_requests",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("year", SmallInteger, nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", _enum(MidYearStatus, 20), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("bdb_opinion", Text, nullable=True),
    Column("bdb_reviewed_at", DateTime(timezone=True), nullable=True),
    Column("finance_opinion", Text, nullable=True),
    Column("finance_recommended_amount", Numeric(14, 2), nullable=True),
    Column("finance_opined_at", DateTime(timezone=True), nullable=True),
    Column("government_comment", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("rejected_by", String(20), nullable=True),
)

approval_documents = Table(
    "approval_documents",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("type", _enum(DocumentType), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", _enum(DocumentStatus, 20), nullable=False),
    Column("path_rule", String(10), nullable=False),
    Column("requested_investment", Numeric(14, 2), nullable=False),
    Column("summary", Text, nullable=False, server_default=""),
    Column("data_catalogue", Text, nullable=False, server_default=""),
    Column("sharing_list", Text, nullable=False, server_default=""),
    Column("sharing_process", Text, nullable=False, server_default=""),
    Column("sharing_interfaces", Text, nullable=False, server_default=""),
    Column("sharing_frequency", Text, nullable=False, server_default=""),
    Column("purchases_services", Boolean, nullable=False, server_default=text("false")),
    Column("self_build_vs_purchase", Text, nullable=False, server_default=""),
    Column("product_security_statement", Text, nullable=False, server_default=""),
    Column("security_plan", Text, nullable=False, server_default=""),
    Column("crypto_application_plan", Text, nullable=False, server_default=""),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column(
        "evaluator_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=True, index=True
    ),
    Column("evaluator_selection_method", _enum(SelectionMethod), nullable=True),
    Column("evaluator_selection_reference", Text, nullable=True),
    Column("evaluator_assigned_at", DateTime(timezone=True), nullable=True),
    Column("evaluation_conclusion", _enum(EvaluationConclusion), nullable=True),
    Column("evaluation_opinion", Text, nullable=True),
    Column("evaluation_recommended_investment", Numeric(14, 2), nullable=True),
    Column("evaluated_at", DateTime(timezone=True), nullable=True),
    Column("crypto_review_passed", Boolean, nullable=True),
    Column("crypto_review_opinion", Text, nullable=True),
    Column("crypto_reviewed_at", DateTime(timezone=True), nullable=True),
    Column("approval_number", String(100), nullable=True),
    Column("approval_date", Date, nullable=True),
    Column("approved_investment", Numeric(14, 2), nullable=True),
    Column("over_request_reason", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("return_reason", Text, nullable=True),
    UniqueConstraint("project_id", "type", "version", name="uq_approval_documents_project_type_version"),
)

file_blobs = Table(
    "file_blobs",
    metadata,
    _id(),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    _id(),
    Column("owner_type", String(40), nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("label", String(200), nullable=False, server_default=""),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage", String(20), nullable=False, server_default="postgres"),
    Column("blob_id", BigInteger, ForeignKey("file_blobs.id"), nullable=True),
    Column("storage_key", Text, nullable=True),
    Column("uploaded_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Index("ix_attachments_owner", "owner_type", "owner_id"),
)

post_evaluations = Table(
    "post_evaluations",
    metadata,
    _id(),
    Column("project_id", BigInteger, ForeignKey("projects.id"), nullable=False, index=True),
    Column("unit_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("evaluator_organization_id", BigInteger, ForeignKey("organizations.id"), nullable=True),
    Column("score", Numeric(5, 2), nullable=True),
    Column("grade", String(20), nullable=True),
    Column("findings", Text, nullable=False, server_default=""),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)
