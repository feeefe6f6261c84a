"""Database roles (issue 13.12): migrations run as the OWNER role, the API as a RUNTIME role.

The runtime role is no superuser and owns nothing, so it can neither switch the audit log's append-only
triggers off (`session_replication_role`, `ALTER TABLE … DISABLE TRIGGER` and `DROP TRIGGER` need a superuser
or the table's owner) nor change the table. It gets only what the code does on each table (`TABLE_GRANTS`:
no DELETE where nothing deletes, no UPDATE on what is only appended, only SELECT and INSERT on the audit
log), and USAGE on the sequences. `grant_statements` run after every
`alembic upgrade` (alembic/env.py, as the owner), so a table a later migration adds is granted without
the migration doing anything; default privileges cover tables created outside Alembic too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import make_url

OWNER = "yingkou_owner"  # owns the database and every object in it; runs the migrations, backup, restore
RUNTIME = "yingkou_app"  # what the API connects as

# What the runtime role may do on each table (issue 13.12): only what the code does. Never TRUNCATE,
# REFERENCES, TRIGGER or MAINTAIN (TRIGGER would let it add a trigger). DELETE only where something deletes;
# no UPDATE on what is only ever appended. `SELECT … FOR UPDATE` and `ON CONFLICT DO UPDATE` need UPDATE too.
# A table missing here gets DEFAULT_PRIVILEGES (no DELETE), and tests/store/test_runtime_role.py fails until
# it is listed: say what a new table needs.
READ = "SELECT"
APPEND = "SELECT, INSERT"
WRITE = "SELECT, INSERT, UPDATE"
FULL = "SELECT, INSERT, UPDATE, DELETE"
STAGED = "SELECT, INSERT, DELETE"
DEFAULT_PRIVILEGES = WRITE
TABLE_GRANTS: dict[str, str] = {
    # Alembic's bookkeeping is the owner's.
    "alembic_version": READ,
    # Appended only: the audit log (sealed by its chain trigger), security events, files and the facts of
    # construction (each correction is a new row, e.g. a new approved-figure version).
    "audit_log": APPEND,
    "security_events": APPEND,
    "file_blobs": APPEND,
    "attachments": APPEND,
    "contracts": APPEND,
    "approved_figure_versions": APPEND,
    "progress_reports": APPEND,
    "acceptance_events": APPEND,
    "disbursements": APPEND,
    "resource_allocations": APPEND,
    "self_evaluations": APPEND,
    "webhook_delivery_attempts": APPEND,
    "policy_seeded_lines": APPEND,
    "seed_marks": APPEND,
    "organizations": APPEND,  # created, never renamed or removed by the API
    # Staged, then removed in the same transaction (at COMMIT, by its trigger, which runs as the writer):
    # never changed.
    "audit_pending": STAGED,
    # Changed in place, never removed.
    "users": WRITE,  # disabled, not deleted: the audit log names them
    "api_tokens": WRITE,  # revoked, not deleted
    "activation_tokens": WRITE,  # used or superseded, not deleted
    "projects": WRITE,
    "project_code_numbers": WRITE,
    "reserve_reviews": WRITE,
    "approval_documents": WRITE,
    "plan_calls": WRITE,
    "plan_entries": WRITE,
    "annual_plans": WRITE,
    "mid_year_requests": WRITE,
    "change_requests": WRITE,
    "post_evaluations": WRITE,
    "inspections": WRITE,
    "rectification_reports": WRITE,
    "info_requests": WRITE,
    "notifications": WRITE,
    "webhook_subscriptions": WRITE,  # deactivated, not deleted
    "webhook_events": WRITE,
    "webhook_deliveries": WRITE,
    "policy_state": WRITE,
    "policy_changes": WRITE,
    # Deleted by the code: ended sessions and their refresh tokens after 30 days, expired throttle and
    # rate-limit counters and idempotency keys, removed policy lines, and the rows the ORM replaces
    # (delete-orphan collections of a project, a review, an entry, a plan).
    "user_sessions": FULL,
    "refresh_tokens": FULL,
    "login_throttle": FULL,
    "rate_limit_windows": FULL,
    "idempotency_keys": FULL,
    "policy_rules": FULL,
    "project_participants": FULL,
    "catalogue_items": FULL,
    "reserve_check_results": FULL,
    "plan_entry_reviews": FULL,
    "annual_plan_items": FULL,
}
# The runtime role's attributes, enforced each time the roles are ensured (a hand-made role may differ).
RUNTIME_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
OWNER_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


@dataclass(frozen=True)
class DatabaseUrls:
    """Where the API connects (`app`, the runtime role) and where migrations, backup and restore do (`owner`)."""

    app: str
    owner: str

    @property
    def runtime_role(self) -> str | None:
        """The role to grant after migrating; None when both connect as the same role (nothing to grant)."""
        app, owner = make_url(self.app).username, make_url(self.owner).username
        return app if app and app != owner else None


def quote_ident(name: str) -> str:
    """A role name as an SQL identifier (role names come from our settings, but quote them anyway)."""
    return '"' + name.replace('"', '""') + '"'


def grant_statements(runtime: str, *, existing_tables: Iterable[str]) -> list[str]:
    """Statements (run as the owner) that give `runtime` exactly its privileges; idempotent."""
    role = quote_ident(runtime)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # For tables and sequences the owner creates later (by hand, or a migration before the next grant).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {DEFAULT_PRIVILEGES} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for table in sorted(set(existing_tables)):
        statements.append(f"REVOKE ALL ON TABLE {quote_ident(table)} FROM {role}")
        privileges = TABLE_GRANTS.get(table, DEFAULT_PRIVILEGES)
        statements.append(f"GRANT {privileges} ON TABLE {quote_ident(table)} TO {role}")
    return statements


EXISTING_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"


def ensure_roles_sql(*, owner: str = OWNER, runtime: str = RUNTIME, password: str | None = None) -> str:
    """One DO block (run as a superuser) creating both roles if missing and enforcing their attributes.

    Concurrent first starts (several test processes) may race on CREATE ROLE: the loser's duplicate is
    ignored. `password` is for servers reached over TCP (the embedded server trusts its socket)."""
    secret = f" PASSWORD '{password.replace(chr(39), chr(39) * 2)}'" if password else ""
    blocks = []
    for name, attributes in ((owner, OWNER_ATTRIBUTES), (runtime, RUNTIME_ATTRIBUTES)):
        literal = "'" + name.replace("'", "''") + "'"
        blocks.append(f"""
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal}) THEN
                BEGIN
                    CREATE ROLE {quote_ident(name)};
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END;
            END IF;
            ALTER ROLE {quote_ident(name)} {attributes}{secret};""")  # noqa: S608 (quoted role names of our settings)
    return "DO $$ BEGIN" + "".join(blocks) + "\nEND $$"


def adopt_objects_sql(owner: str = OWNER) -> str:
    """One DO block (run as a superuser in the database) giving `owner` what another role created there.

    A data folder from before the roles existed has everything owned by the superuser; the owner could not
    migrate it. Extension members (pg_trgm's functions) stay with their extension."""
    role = quote_ident(owner)
    literal = "'" + owner.replace("'", "''") + "'"
    return f"""
    DO $$
    DECLARE
        r record;
    BEGIN
        FOR r IN
            SELECT c.oid::regclass AS name, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND c.relowner <> {literal}::regrole
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
        LOOP
            IF r.relkind = 'S' THEN
                EXECUTE format('ALTER SEQUENCE %s OWNER TO {role}', r.name);
            ELSE
                EXECUTE format('ALTER TABLE %s OWNER TO {role}', r.name);
            END IF;
        END LOOP;
        FOR r IN
            SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proowner <> {literal}::regrole
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        LOOP
            EXECUTE format('ALTER ROUTINE %s OWNER TO {role}', r.name);
        END LOOP;
        FOR r IN
            SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public' AND t.typtype = 'e' AND t.typowner <> {literal}::regrole
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
        LOOP
            EXECUTE format('ALTER TYPE %s OWNER TO {role}', r.name);
        END LOOP;
    END $$"""  # noqa: S608 (a quoted role name of our settings)
