"""Indexes for `Project.timeline`, and the administrator no longer manages webhook subscriptions (issue 13).

The timeline looked for the records that name a project (`after ->> 'projectId'`, `before ->> 'projectId'`)
by reading the whole audit log, once per project: 20 aliased timelines at 100,000 records took 3.1 s.
Partial expression indexes (only records that name a project) make each an index scan; the other ways an
event belongs to a project (its own records, its approval documents') use ix_audit_log_target.
Alembic's autogenerate does not reflect expression indexes, so they are declared here only.

Webhook subscriptions belong to the receiving organization and are managed by its own users: the policy
line that let the administrator subscribe any organization (and aim its data anywhere) is removed from the
stored policy too, since the start-up copy only adds lines (authz/policy_store.py).

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

SIDES = ("after", "before")


def upgrade() -> None:
    for side in SIDES:
        op.execute(
            f"CREATE INDEX ix_audit_log_{side}_project_id ON audit_log (({side} ->> 'projectId'), id) "
            f"WHERE ({side} ->> 'projectId') IS NOT NULL"
        )
    # A stored policy (not a fresh database, which is seeded at start-up) loses the line; its processes
    # reload when the version moves, so it moves only if a line went.
    op.execute(
        "WITH gone AS (DELETE FROM policy_rules WHERE ptype = 'p' AND v0 = 'admin' "
        "AND v1 = 'webhook-subscription:manage' RETURNING id) "
        "UPDATE policy_state SET version = version + 1 WHERE EXISTS (SELECT 1 FROM gone)"
    )


def downgrade() -> None:
    for side in SIDES:
        op.execute(f"DROP INDEX ix_audit_log_{side}_project_id")
    op.execute(
        "INSERT INTO policy_rules (ptype, v0, v1, v2, v3) "
        "VALUES ('p', 'admin', 'webhook-subscription:manage', 'any', '第三条') ON CONFLICT DO NOTHING"
    )
    op.execute("UPDATE policy_state SET version = version + 1")
