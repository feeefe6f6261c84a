"""Annual plan, mid-year additions, approval documents, evaluation, documents (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_blobs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_blobs")),
    )
    op.create_index(op.f("ix_file_blobs_sha256"), "file_blobs", ["sha256"], unique=False)
    op.create_table(
        "plan_calls",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("budget_compilation_date", sa.Date(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "deadline < budget_compilation_date", name=op.f("ck_plan_calls_deadline_before_budget")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_calls")),
        sa.UniqueConstraint("year", name=op.f("uq_plan_calls_year")),
    )
    op.create_table(
        "annual_plans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "COMPILED",
                "SUBMITTED",
                "APPROVED",
                "RETURNED",
                "SUPERSEDED",
                name="planstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("call_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("compiled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["plan_calls.id"], name=op.f("fk_annual_plans_call_id_plan_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_plans")),
        sa.UniqueConstraint("year", "revision", name="uq_annual_plans_year_revision"),
    )
    op.create_index(
        "uq_annual_plans_one_approved",
        "annual_plans",
        ["year"],
        unique=True,
        postgresql_where=sa.text("status = 'APPROVED'"),
    )
    op.create_table(
        "approval_documents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "PROPOSAL",
                "FEASIBILITY_STUDY",
                "PRELIMINARY_DESIGN",
                name="documenttype",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "UNDER_EVALUATION",
                "EVALUATED",
                "APPROVED",
                "RETURNED",
                name="documentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("path_rule", sa.String(length=10), nullable=False),
        sa.Column("requested_investment", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("data_catalogue", sa.Text(), server_default="", nullable=False),
        sa.Column("sharing_list", sa.Text(), server_default="", nullable=False),
        sa.Column("sharing_process", sa.Text(), server_default="", nullable=False),
        sa.Column("sharing_interfaces", sa.Text(), server_default="", nullable=False),
        sa.Column("sharing_frequency", sa.Text(), server_default="", nullable=False),
        sa.Column("purchases_services", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("self_build_vs_purchase", sa.Text(), server_default="", nullable=False),
        sa.Column("product_security_statement", sa.Text(), server_default="", nullable=False),
        sa.Column("security_plan", sa.Text(), server_default="", nullable=False),
        sa.Column("crypto_application_plan", sa.Text(), server_default="", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_user_id", sa.BigInteger(), nullable=False),
        sa.Column("evaluator_organization_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "evaluator_selection_method",
            sa.Enum(
                "PUBLIC_TENDER",
                "INVITED_TENDER",
                "COMPETITIVE_NEGOTIATION",
                "COMPETITIVE_CONSULTATION",
                "INQUIRY",
                name="selectionmethod",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("evaluator_selection_reference", sa.Text(), nullable=True),
        sa.Column("evaluator_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "evaluation_conclusion",
            sa.Enum(
                "RECOMMENDED",
                "RECOMMENDED_WITH_CHANGES",
                "NOT_RECOMMENDED",
                name="evaluationconclusion",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("evaluation_opinion", sa.Text(), nullable=True),
        sa.Column("evaluation_recommended_investment", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("crypto_review_passed", sa.Boolean(), nullable=True),
        sa.Column("crypto_review_opinion", sa.Text(), nullable=True),
        sa.Column("crypto_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_number", sa.String(length=100), nullable=True),
        sa.Column("approval_date", sa.Date(), nullable=True),
        sa.Column("approved_investment", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("over_request_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluator_organization_id"],
            ["organizations.id"],
            name=op.f("fk_approval_documents_evaluator_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_approval_documents_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["users.id"],
            name=op.f("fk_approval_documents_submitted_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_documents")),
        sa.UniqueConstraint(
            "project_id", "type", "version", name="uq_approval_documents_project_type_version"
        ),
    )
    op.create_index(
        op.f("ix_approval_documents_evaluator_organization_id"),
        "approval_documents",
        ["evaluator_organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_approval_documents_project_id"), "approval_documents", ["project_id"], unique=False
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("owner_type", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=200), server_default="", nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage", sa.String(length=20), server_default="postgres", nullable=False),
        sa.Column("blob_id", sa.BigInteger(), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("uploaded_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["file_blobs.id"], name=op.f("fk_attachments_blob_id_file_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"], ["users.id"], name=op.f("fk_attachments_uploaded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_owner", "attachments", ["owner_type", "owner_id"], unique=False)
    op.create_table(
        "mid_year_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "BDB_APPROVED",
                "FINANCE_OPINED",
                "APPROVED",
                "REJECTED",
                name="midyearstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bdb_opinion", sa.Text(), nullable=True),
        sa.Column("bdb_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finance_opinion", sa.Text(), nullable=True),
        sa.Column("finance_recommended_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("finance_opined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("government_comment", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_mid_year_requests_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mid_year_requests")),
    )
    op.create_index(
        op.f("ix_mid_year_requests_project_id"), "mid_year_requests", ["project_id"], unique=False
    )
    op.create_table(
        "plan_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("BUILD", "OPERATION_MAINTENANCE", name="entrykind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("requested_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["plan_calls.id"], name=op.f("fk_plan_entries_call_id_plan_calls")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_plan_entries_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_entries")),
        sa.UniqueConstraint("call_id", "project_id", "kind", name="uq_plan_entries_call_project_kind"),
    )
    op.create_index(op.f("ix_plan_entries_project_id"), "plan_entries", ["project_id"], unique=False)
    op.create_table(
        "post_evaluations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_organization_id", sa.BigInteger(), nullable=False),
        sa.Column("evaluator_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("grade", sa.String(length=20), nullable=True),
        sa.Column("findings", sa.Text(), server_default="", nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluator_organization_id"],
            ["organizations.id"],
            name=op.f("fk_post_evaluations_evaluator_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_post_evaluations_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["unit_organization_id"],
            ["organizations.id"],
            name=op.f("fk_post_evaluations_unit_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_evaluations")),
    )
    op.create_index(op.f("ix_post_evaluations_project_id"), "post_evaluations", ["project_id"], unique=False)
    op.create_index(
        op.f("ix_post_evaluations_unit_organization_id"),
        "post_evaluations",
        ["unit_organization_id"],
        unique=False,
    )
    op.create_table(
        "annual_plan_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("mid_year_request_id", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "source",
            sa.Enum("CALL", "MID_YEAR", name="plansource", native_enum=False, length=10),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["plan_entries.id"], name=op.f("fk_annual_plan_items_entry_id_plan_entries")
        ),
        sa.ForeignKeyConstraint(
            ["mid_year_request_id"],
            ["mid_year_requests.id"],
            name=op.f("fk_annual_plan_items_mid_year_request_id_mid_year_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["annual_plans.id"], name=op.f("fk_annual_plan_items_plan_id_annual_plans")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_annual_plan_items_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_plan_items")),
    )
    op.create_index(op.f("ix_annual_plan_items_plan_id"), "annual_plan_items", ["plan_id"], unique=False)
    op.create_index(
        op.f("ix_annual_plan_items_project_id"), "annual_plan_items", ["project_id"], unique=False
    )
    op.create_table(
        "plan_entry_reviews",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_role", sa.String(length=20), nullable=False),
        sa.Column("reviewer_user_id", sa.BigInteger(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("recommended_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["plan_entries.id"], name=op.f("fk_plan_entry_reviews_entry_id_plan_entries")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_user_id"], ["users.id"], name=op.f("fk_plan_entry_reviews_reviewer_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_entry_reviews")),
        sa.UniqueConstraint("entry_id", "reviewer_role", name="uq_plan_entry_reviews_entry_role"),
    )
    op.add_column("projects", sa.Column("listed_plan_reference", sa.Text(), nullable=True))
    op.add_column("projects", sa.Column("urgent_legal_basis", sa.Text(), nullable=True))
    op.add_column(
        "projects",
        sa.Column("technically_simple", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "projects", sa.Column("single_content", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("projects", sa.Column("plan_year", sa.SmallInteger(), nullable=True))
    op.add_column("projects", sa.Column("approval_date", sa.Date(), nullable=True))
    op.add_column(
        "projects", sa.Column("approved_investment", sa.Numeric(precision=14, scale=2), nullable=True)
    )

    # Uploaded files are mostly compressed already (PDF, OFD, ZIP, images): store them without recompressing.
    op.execute("ALTER TABLE file_blobs ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_column("projects", "approved_investment")
    op.drop_column("projects", "approval_date")
    op.drop_column("projects", "plan_year")
    op.drop_column("projects", "single_content")
    op.drop_column("projects", "technically_simple")
    op.drop_column("projects", "urgent_legal_basis")
    op.drop_column("projects", "listed_plan_reference")
    op.drop_table("plan_entry_reviews")
    op.drop_index(op.f("ix_annual_plan_items_project_id"), table_name="annual_plan_items")
    op.drop_index(op.f("ix_annual_plan_items_plan_id"), table_name="annual_plan_items")
    op.drop_table("annual_plan_items")
    op.drop_index(op.f("ix_post_evaluations_unit_organization_id"), table_name="post_evaluations")
    op.drop_index(op.f("ix_post_evaluations_project_id"), table_name="post_evaluations")
    op.drop_table("post_evaluations")
    op.drop_index(op.f("ix_plan_entries_project_id"), table_name="plan_entries")
    op.drop_table("plan_entries")
    op.drop_index(op.f("ix_mid_year_requests_project_id"), table_name="mid_year_requests")
    op.drop_table("mid_year_requests")
    op.drop_index("ix_attachments_owner", table_name="attachments")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_approval_documents_project_id"), table_name="approval_documents")
    op.drop_index(op.f("ix_approval_documents_evaluator_organization_id"), table_name="approval_documents")
    op.drop_table("approval_documents")
    op.drop_index(
        "uq_annual_plans_one_approved",
        table_name="annual_plans",
        postgresql_where=sa.text("status = 'APPROVED'"),
    )
    op.drop_table("annual_plans")
    op.drop_table("plan_calls")
    op.drop_index(op.f("ix_file_blobs_sha256"), table_name="file_blobs")
    op.drop_table("file_blobs")
