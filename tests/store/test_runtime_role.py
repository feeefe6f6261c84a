"""Issue 13.12: the API connects as a runtime role that cannot alter the audit log by any means.

Every API test runs as that role (tests/conftest.py `database_url`), which proves its privileges suffice;
these tests prove they do not go further.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from api.settings import PROJECT_ROOT
from store import roles
from tests.utils import connect_database

AUDIT_RECORD = """
    INSERT INTO audit_log (actor_username, actor_role, operation, target_type, target_id, after)
    VALUES ('edu.chen', 'unit', 'project:create', 'Project', 1, '{"name": "营口市智慧教育平台"}')
"""

# Each way a role could change, remove or unseal audit records, or stop the database from refusing it.
ATTEMPTS = {
    "update": "UPDATE audit_log SET operation = 'forged'",
    "delete": "DELETE FROM audit_log",
    "truncate": "TRUNCATE audit_log",
    "replication role (triggers off)": "SET session_replication_role = replica",
    "replication role in a transaction": "SET LOCAL session_replication_role = replica",
    "disable one trigger": "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete",
    "disable every trigger": "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "drop the append-only trigger": "DROP TRIGGER audit_log_no_update_delete ON audit_log",
    "drop the chain trigger": "DROP TRIGGER audit_log_chain ON audit_log",
    "alter the table": "ALTER TABLE audit_log ADD COLUMN note text",
    "take the table over": f"ALTER TABLE audit_log OWNER TO {roles.RUNTIME}",
    "drop the table": "DROP TABLE audit_log",
    "rename the table": "ALTER TABLE audit_log RENAME TO audit_log_old",
    "replace the sealing function": (
        "CREATE OR REPLACE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NEW; END $$"
    ),
    "replace the refusing function": (
        "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NEW; END $$"
    ),
    "create a function in the schema": (
        "CREATE FUNCTION public.yk_forge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
    ),
    "create a trigger on the table": (
        "CREATE TRIGGER yk_forge BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_seal()"
    ),
    "become the owner": f"SET ROLE {roles.OWNER}",
    "grant itself more": f"GRANT UPDATE, DELETE ON audit_log TO {roles.RUNTIME}",
    "lock everyone out": "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE",
    # Issue 17: a unit of work's records are staged in audit_pending and sealed at COMMIT by its trigger.
    "disable the seal at commit": "ALTER TABLE audit_pending DISABLE TRIGGER audit_pending_seal_at_commit",
    "drop the seal at commit": "DROP TRIGGER audit_pending_seal_at_commit ON audit_pending",
    "replace the staging function": (
        "CREATE OR REPLACE FUNCTION audit_pending_seal() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NULL; END $$"
    ),
}


async def _audit_state(connection: asyncpg.Connection) -> tuple[object, ...]:
    """The records, the table's shape and its triggers: what any successful attempt would change."""
    records = await connection.fetch("SELECT id, operation, hash FROM audit_log ORDER BY id")
    columns = await connection.fetch(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'audit_log'::regclass AND attnum > 0 ORDER BY attnum"
    )
    triggers = await connection.fetch(
        "SELECT tgname, tgenabled, tgfoid::regprocedure::text AS fn FROM pg_trigger "
        "WHERE tgrelid IN ('audit_log'::regclass, 'audit_pending'::regclass) ORDER BY tgname"
    )
    functions = await connection.fetch(
        "SELECT proname, md5(prosrc) FROM pg_proc WHERE proname LIKE 'audit\\_%' ORDER BY proname"
    )
    owner = await connection.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")
    return (
        [tuple(r) for r in records],
        [tuple(r) for r in columns],
        [tuple(r) for r in triggers],
        [tuple(r) for r in functions],
        owner,
    )


@pytest.mark.parametrize("statement", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
async def test_runtime_role_cannot_alter_the_audit_log_by_any_means(database_url, statement):
    # given the API's connection, and a sealed record in the audit log
    connection = await connect_database(database_url)
    try:
        await connection.execute(AUDIT_RECORD)
        before = await _audit_state(connection)
        # when it tries, and then writes as though the attempt had worked
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with connection.transaction():
                await connection.execute(statement)
                await connection.execute("UPDATE audit_log SET operation = 'forged'")
        # then PostgreSQL refused it for want of privilege, and nothing changed
        assert await _audit_state(connection) == before
        assert await connection.fetchval("SHOW session_replication_role") == "origin"
    finally:
        await connection.close()


async def test_runtime_role_is_no_superuser_and_owns_nothing(database_url):
    # given
    connection = await connect_database(database_url)
    try:
        # when
        role = await connection.fetchrow(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = current_user"
        )
        owned = await connection.fetchval(
            """SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
                    + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
                    + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
                    + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
                    + (SELECT count(*) FROM pg_database WHERE datdba = r.oid)
               FROM pg_roles r WHERE r.rolname = current_user"""
        )
        memberships = await connection.fetchval(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
            "WHERE r.rolname = current_user"
        )
    finally:
        await connection.close()
    # then
    assert tuple(role) == (roles.RUNTIME, False, False, False, False, False)
    assert owned == 0
    assert memberships == 0  # no role to SET ROLE to or inherit from


async def test_runtime_role_may_only_read_and_append_to_the_audit_log(database_url):
    # given
    connection = await connect_database(database_url)
    try:
        # when
        granted = {
            privilege
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
            if await connection.fetchval("SELECT has_table_privilege('audit_log', $1)", privilege)
        }
        # then it can append, and the chain trigger (which runs as the inserting role) seals the record
        await connection.execute(AUDIT_RECORD)
        sealed = await connection.fetchval("SELECT hash IS NOT NULL FROM audit_log ORDER BY id DESC LIMIT 1")
    finally:
        await connection.close()
    assert granted == {"SELECT", "INSERT"}
    assert sealed is True


# What the runtime role holds on each table, as the code needs it (issue 13.12). A new table fails this test
# until it is listed here and in store/roles.py TABLE_GRANTS: decide whether anything updates or deletes it.
S, SI, SID, SIU, SIUD = "S", "SI", "SID", "SIU", "SIUD"
EXPECTED_GRANTS = {
    "alembic_version": S,
    "audit_log": SI,
    "security_events": SI,
    "file_blobs": SI,
    "attachments": SI,
    "contracts": SI,
    "approved_figure_versions": SI,
    "progress_reports": SI,
    "acceptance_events": SI,
    "disbursements": SI,
    "resource_allocations": SI,
    "self_evaluations": SI,
    "webhook_delivery_attempts": SI,
    "policy_seeded_lines": SI,
    "seed_marks": SI,
    "organizations": SI,
    "audit_pending": SID,
    "users": SIU,
    "api_tokens": SIU,
    "activation_tokens": SIU,
    "projects": SIU,
    "project_code_numbers": SIU,
    "reserve_reviews": SIU,
    "approval_documents": SIU,
    "plan_calls": SIU,
    "plan_entries": SIU,
    "annual_plans": SIU,
    "mid_year_requests": SIU,
    "change_requests": SIU,
    "post_evaluations": SIU,
    "inspections": SIU,
    "rectification_reports": SIU,
    "info_requests": SIU,
    "notifications": SIU,
    "webhook_subscriptions": SIU,
    "webhook_events": SIU,
    "webhook_deliveries": SIU,
    "policy_state": SIU,
    "policy_changes": SIU,
    "user_sessions": SIUD,
    "refresh_tokens": SIUD,
    "login_throttle": SIUD,
    "rate_limit_windows": SIUD,
    "idempotency_keys": SIUD,
    "policy_rules": SIUD,
    "project_participants": SIUD,
    "catalogue_items": SIUD,
    "reserve_check_results": SIUD,
    "plan_entry_reviews": SIUD,
    "annual_plan_items": SIUD,
}


async def test_runtime_role_holds_only_the_privileges_the_code_needs_on_each_table_and_no_ddl(database_url):
    # given the migrated database, connected as the runtime role
    connection = await connect_database(database_url)
    try:
        # when its privileges on every table are listed
        rows = await connection.fetch(
            # has_table_privilege with a list is true when ANY of them is held: one call per privilege
            """SELECT tablename,
                      string_agg(left(p, 1), '' ORDER BY o) FILTER (WHERE has_table_privilege(
                          quote_ident(tablename), p)) AS held
               FROM pg_tables,
                    unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'])
                        WITH ORDINALITY AS x(p, o)
               WHERE schemaname = 'public' GROUP BY tablename ORDER BY tablename"""
        )
        create_in_schema = await connection.fetchval("SELECT has_schema_privilege('public', 'CREATE')")
    finally:
        await connection.close()
    # then they are exactly the expected table (no TRUNCATE, REFERENCES or TRIGGER anywhere), and the code's
    # own table says the same
    assert {r["tablename"]: r["held"] for r in rows} == EXPECTED_GRANTS
    assert {
        t: "".join(p.strip()[0] for p in privileges.split(","))
        for t, privileges in roles.TABLE_GRANTS.items()
    } == EXPECTED_GRANTS
    assert create_in_schema is False


async def test_the_runtime_role_cannot_delete_or_rewrite_what_is_only_appended(database_url):
    # given the runtime role
    connection = await connect_database(database_url)
    try:
        # when it tries to rewrite a security event, remove a user or an organization
        refusals = []
        for statement in (
            "UPDATE security_events SET kind = 'forged'",
            "DELETE FROM users",
            "UPDATE organizations SET name = 'x'",
            "DELETE FROM projects",
        ):
            try:
                await connection.execute(statement)
            except asyncpg.InsufficientPrivilegeError:
                refusals.append(statement)
    finally:
        await connection.close()
    # then every statement is refused by PostgreSQL itself
    assert len(refusals) == 4


async def test_a_table_a_later_migration_adds_is_granted_to_the_runtime_role(
    owner_database_url, database_url
):
    # given the owner creating a table, as a future migration would
    owner = await connect_database(owner_database_url)
    try:
        await owner.execute("CREATE TABLE yk_future (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)")
    finally:
        await owner.close()
    # when the API writes to it
    connection = await connect_database(database_url)
    try:
        await connection.execute("INSERT INTO yk_future (note) VALUES ('新表')")
        await connection.execute("UPDATE yk_future SET note = '改'")
        notes = await connection.fetch("SELECT note FROM yk_future")
    finally:
        await connection.close()
    # then the owner's default privileges covered it (table and identity sequence)
    assert [r["note"] for r in notes] == ["改"]


async def test_migrate_command_runs_as_the_owner_and_grants_the_runtime_role(
    owner_database_url, database_url, monkeypatch
):
    # given a table the runtime role was never granted, and both URLs in the environment
    from typer.testing import CliRunner

    from api.cli import app
    from api.settings import get_settings

    owner = await connect_database(owner_database_url)
    try:
        await owner.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {roles.RUNTIME}"
        )
        await owner.execute("CREATE TABLE yk_ungranted (id int)")
        await owner.execute(f"REVOKE ALL ON organizations FROM {roles.RUNTIME}")
    finally:
        await owner.close()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MIGRATION_DATABASE_URL", owner_database_url)
    get_settings.cache_clear()
    try:
        # when
        result = await asyncio.to_thread(CliRunner().invoke, app, ["migrate"])
    finally:
        get_settings.cache_clear()
    # then the grants are back, and the audit log is still read-and-append only
    assert result.exit_code == 0, result.output
    connection = await connect_database(database_url)
    try:
        assert await connection.fetchval("SELECT has_table_privilege('yk_ungranted', 'INSERT')")
        assert await connection.fetchval("SELECT has_table_privilege('organizations', 'INSERT')")
        assert not await connection.fetchval("SELECT has_table_privilege('organizations', 'UPDATE')")
        assert not await connection.fetchval("SELECT has_table_privilege('audit_log', 'UPDATE')")
    finally:
        await connection.close()


def test_migration_url_defaults_to_database_url_and_names_the_role_to_grant(monkeypatch):
    # given
    from api.settings import Settings, database_urls

    app = "postgresql://yk_app:a@db.example/yingkou"
    owner = "postgres://yk_owner:o@db.example/yingkou"
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    # when
    alone = database_urls(Settings(database_url=app))
    both = database_urls(Settings(database_url=app, migration_database_url=owner))
    # then one URL serves both (nothing to grant); two name the runtime role, both normalised to asyncpg
    assert alone.app == alone.owner == "postgresql+asyncpg://yk_app:a@db.example/yingkou"
    assert alone.runtime_role is None
    assert both.owner == "postgresql+asyncpg://yk_owner:o@db.example/yingkou"
    assert both.runtime_role == "yk_app"


def test_migration_url_without_database_url_is_refused(monkeypatch):
    # given
    from api.settings import Settings, database_urls

    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(migration_database_url="postgresql://yk_owner@db.example/yingkou")
    # when / then
    with pytest.raises(RuntimeError, match="MIGRATION_DATABASE_URL needs DATABASE_URL"):
        database_urls(settings)


embedded_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL") is not None, reason="the embedded server is not in use"
)


@embedded_only
async def test_embedded_default_serves_as_the_runtime_role_and_adopts_a_superusers_database():
    # given a database the superuser made before the roles existed (an old .pgdata), with a table, an
    # identity column, a function and an enum type
    from store import embedded

    name = f"yk_legacy_{os.getpid()}"
    admin_url = embedded.start(PROJECT_ROOT / ".pgdata", database=name)
    admin = await connect_database(admin_url)
    try:
        await admin.execute("CREATE TYPE yk_mood AS ENUM ('ok')")
        await admin.execute("CREATE TABLE yk_old (id bigint GENERATED BY DEFAULT AS IDENTITY, m yk_mood)")
        await admin.execute("CREATE FUNCTION yk_old_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$")
        # when the embedded default prepares it
        urls = await asyncio.to_thread(embedded.start_with_roles, PROJECT_ROOT / ".pgdata", database=name)
        owners = await admin.fetchrow(
            """SELECT (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS db,
                      (SELECT tableowner FROM pg_tables WHERE tablename = 'yk_old') AS tbl,
                      (SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'yk_old_fn') AS fn,
                      (SELECT typowner::regrole::text FROM pg_type WHERE typname = 'yk_mood') AS typ"""
        )
        app = await connect_database(urls.app)
        try:
            who = await app.fetchrow(
                "SELECT current_user::text AS name, rolsuper FROM pg_roles WHERE rolname = current_user"
            )
        finally:
            await app.close()
    finally:
        await admin.close()
        server = await connect_database(make_url(admin_url).set(database="postgres").render_as_string())
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()
    # then the owner owns everything, and the API connects as the runtime role
    assert tuple(owners) == (roles.OWNER,) * 4
    assert make_url(urls.owner).username == roles.OWNER
    assert tuple(who) == (roles.RUNTIME, False)
    assert urls.runtime_role == roles.RUNTIME
