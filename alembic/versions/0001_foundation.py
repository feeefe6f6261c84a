"""Foundation: organizations, users, API tokens, projects and reserve review, append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_username", sa.String(length=100), nullable=False),
        sa.Column("actor_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id", "id"], unique=False)
    op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "type IN ('bdb','finance','cac','psb','crypto','audit','government','unit','evaluator','integrator')",
            name=op.f("ck_organizations_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "project_code_counters",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_project_code_counters")),
    )
    op.create_table(
        "seed_marks",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_seed_marks")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "BUILD",
                "OPERATION_MAINTENANCE",
                "UPGRADE",
                "MIGRATION",
                name="projectkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "NETWORK_PLATFORM",
                "BUSINESS_SYSTEM",
                "RESOURCE_DATABASE",
                "INFRASTRUCTURE",
                "SECURITY_CRYPTO",
                "SUPPORT_SYSTEM",
                name="projectcategory",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "funding_source",
            sa.Enum("FISCAL", "PPP", name="fundingsource", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("total_investment", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("lead_organization_id", sa.BigInteger(), nullable=False),
        sa.Column("deploys_on_government_cloud", sa.Boolean(), nullable=False),
        sa.Column("connects_resource_platform", sa.Boolean(), nullable=False),
        sa.Column("platform_exemption_reason", sa.Text(), nullable=True),
        sa.Column("contact_name", sa.String(length=50), server_default="", nullable=False),
        sa.Column("contact_phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("contact_email", sa.String(length=100), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "RESERVE_REVIEW",
                "IN_RESERVE",
                "PLANNED",
                "APPROVED",
                "UNDER_CONSTRUCTION",
                "TRIAL_OPERATION",
                "ACCEPTANCE_REVIEW",
                "RECTIFYING",
                "ACCEPTED",
                "FILED",
                "SUSPENDED",
                "TERMINATED",
                name="status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("funding_source IN ('FISCAL','PPP')", name=op.f("ck_projects_funding_source")),
        sa.CheckConstraint("total_investment > 0", name=op.f("ck_projects_positive_investment")),
        sa.ForeignKeyConstraint(
            ["lead_organization_id"],
            ["organizations.id"],
            name=op.f("fk_projects_lead_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.create_index(
        op.f("ix_projects_lead_organization_id"), "projects", ["lead_organization_id"], unique=False
    )
    op.create_index("ix_projects_status_id", "projects", ["status", "id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_users_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_organization_id"), "users", ["organization_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_api_tokens_created_by_users")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_tokens_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "catalogue_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("new_construction", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_catalogue_items_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_items")),
        sa.UniqueConstraint("project_id", "code", name="uq_catalogue_items_project_code"),
    )
    op.create_index(op.f("ix_catalogue_items_code"), "catalogue_items", ["code"], unique=False)
    op.create_index(op.f("ix_catalogue_items_project_id"), "catalogue_items", ["project_id"], unique=False)
    op.create_table(
        "project_participants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("business_flow", sa.Text(), server_default="", nullable=False),
        sa.Column("data_flow", sa.Text(), server_default="", nullable=False),
        sa.Column("interfaces", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_project_participants_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_participants_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_participants")),
        sa.UniqueConstraint("project_id", "organization_id", name="uq_project_participants_project_org"),
    )
    op.create_index(
        op.f("ix_project_participants_organization_id"),
        "project_participants",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "reserve_reviews",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("ACCEPTED", "RETURNED", name="reserveoutcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_reserve_reviews_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_user_id"], ["users.id"], name=op.f("fk_reserve_reviews_reviewer_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_reviews")),
    )
    op.create_index(op.f("ix_reserve_reviews_project_id"), "reserve_reviews", ["project_id"], unique=False)
    op.create_table(
        "reserve_check_results",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("review_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "check",
            sa.Enum(
                "OVERALL_PLAN",
                "INDUSTRY_PLAN",
                "INTENSIVE_PLATFORMS",
                "DATA_SHARING",
                "SECURITY_IN_STEP",
                name="reservecheck",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reserve_reviews.id"],
            name=op.f("fk_reserve_check_results_review_id_reserve_reviews"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_check_results")),
        sa.UniqueConstraint("review_id", "check", name="uq_reserve_check_results_review_check"),
    )
    op.create_index(
        op.f("ix_reserve_check_results_review_id"), "reserve_check_results", ["review_id"], unique=False
    )
    # Append-only audit log: the database itself refuses to change or remove a record (RULES.md cross-cutting).
    op.execute("""
        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
    """)
    op.execute("""
        CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
    """)
    op.execute("""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    op.drop_index(op.f("ix_reserve_check_results_review_id"), table_name="reserve_check_results")
    op.drop_table("reserve_check_results")
    op.drop_index(op.f("ix_reserve_reviews_project_id"), table_name="reserve_reviews")
    op.drop_table("reserve_reviews")
    op.drop_index(op.f("ix_project_participants_organization_id"), table_name="project_participants")
    op.drop_table("project_participants")
    op.drop_index(op.f("ix_catalogue_items_project_id"), table_name="catalogue_items")
    op.drop_index(op.f("ix_catalogue_items_code"), table_name="catalogue_items")
    op.drop_table("catalogue_items")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_organization_id"), table_name="users")
    op.drop_table("users")
    op.drop_index("ix_projects_status_id", table_name="projects")
    op.drop_index(op.f("ix_projects_lead_organization_id"), table_name="projects")
    op.drop_table("projects")
    op.drop_table("seed_marks")
    op.drop_table("project_code_counters")
    op.drop_table("organizations")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("audit_log")
