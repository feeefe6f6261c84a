"""The command line against a real database: create-user and create-token, each audited."""

from __future__ import annotations

import asyncio
import getpass
import logging
import re
import warnings

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.auth import api_token_hash, verify_password
from api.cli import app
from api.logs import configure_logging
from api.settings import get_settings
from authz.enforcer import Authorizer
from store import tables
from store.engine import make_engine


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def _cli_audit(url: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(tables.audit_log.c.operation, tables.audit_log.c.actor_username)
                    .where(tables.audit_log.c.request_id == "cli")
                    .order_by(tables.audit_log.c.id)
                )
            ).all()
        await engine.dispose()
        return [(r.operation, r.actor_username) for r in rows]

    return asyncio.run(read())


def test_create_user_and_token_from_the_command_line(cli_env):
    runner = CliRunner()
    seeded = runner.invoke(app, ["seed-demo"])
    user = runner.invoke(
        app,
        [
            "create-user",
            "--username",
            "li.si",
            "--organization",
            "营口市教育局",
            "--password",
            "Lantern-Harbour-2026",
        ],
    )
    short = runner.invoke(
        app, ["create-user", "--username", "wang.wu", "--organization", "营口市教育局", "--password", "short"]
    )
    token = runner.invoke(
        app, ["create-token", "--name", "数据同步", "--organization", "营口市一体化政务服务平台"]
    )
    wrong_org = runner.invoke(app, ["create-token", "--name", "x", "--organization", "营口市教育局"])
    again = runner.invoke(app, ["seed-demo"])

    assert seeded.exit_code == 0 and "loaded" in seeded.output
    assert user.exit_code == 0 and "li.si" in user.output
    assert short.exit_code == 2 and "PASSWORD_TOO_SHORT" in short.output
    assert token.exit_code == 0 and token.output.strip().splitlines()[-1].startswith("ykt_")
    assert wrong_org.exit_code == 2 and "NOT_AN_INTEGRATOR" in wrong_org.output
    assert again.exit_code == 0 and "already" in again.output
    actor = f"cli:{getpass.getuser()}"
    assert _cli_audit(cli_env) == [("user:create", actor), ("api-token:create", actor)]


def test_create_user_with_activation_prints_a_one_time_token_and_sets_no_password(cli_env):
    # given the demo organizations
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    # when the operator creates a user who will set their own password
    result = runner.invoke(
        app, ["create-user", "--username", "sun.qi", "--organization", "营口市教育局", "--activation"]
    )
    # then a one-time activation token is printed last, and the user has no password yet
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("yka_")
    assert _password_hash(cli_env, "sun.qi") == "None"


def _password_hash(url: str, username: str) -> str:
    async def read() -> str:
        engine = make_engine(url)
        async with engine.connect() as connection:
            found = await connection.execute(
                select(tables.users.c.password_hash).where(tables.users.c.username == username)
            )
            value = found.scalar_one()
        await engine.dispose()
        return str(value)

    return asyncio.run(read())


def _session_states(url: str, username: str) -> tuple[bool, list[str | None]]:
    """(the user's `active`, each session's revoked_reason)."""
    from store.session_tables import user_sessions

    async def read() -> tuple[bool, list[str | None]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            user = (
                await connection.execute(
                    select(tables.users.c.id, tables.users.c.active).where(
                        tables.users.c.username == username
                    )
                )
            ).one()
            reasons = (
                await connection.execute(
                    select(user_sessions.c.revoked_reason)
                    .where(user_sessions.c.user_id == user.id)
                    .order_by(user_sessions.c.id)
                )
            ).scalars()
            result = (bool(user.active), list(reasons))
        await engine.dispose()
        return result

    return asyncio.run(read())


def test_first_run_says_what_demo_data_was_loaded_in_one_line(cli_env):
    # given an empty database
    runner = CliRunner()
    # when the demo is loaded, then asked for again
    first = runner.invoke(app, ["seed-demo"])
    again = runner.invoke(app, ["seed-demo"])
    # then one line names the users and projects loaded and the demo password; later runs say it is there
    loaded = [line for line in first.output.splitlines() if "demo data" in line]
    assert len(loaded) == 1
    assert re.fullmatch(
        r"demo data loaded: \d+ users, 8 projects \(password for all: Yingkou@2026; .*\)", loaded[0]
    )
    assert re.search(r"demo data already present: \d+ users, 8 projects", again.output)


def test_create_user_reads_a_piped_password_without_a_getpass_warning(cli_env):
    # given the demo organizations
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    # when a script pipes the password instead of typing it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(
            app,
            ["create-user", "--username", "zhao.liu", "--organization", "营口市教育局"],
            input="Piped-Liaohe-River-7\n",
        )
    # then the user is created with that password, and getpass never warned about echo
    assert result.exit_code == 0, result.output
    assert verify_password(_password_hash(cli_env, "zhao.liu"), "Piped-Liaohe-River-7")
    assert not [w for w in caught if issubclass(w.category, getpass.GetPassWarning)]


def test_create_user_password_option_explains_the_prompt():
    # given / when the command's help is asked for
    result = CliRunner().invoke(app, ["create-user", "--help"], env={"COLUMNS": "200"})
    # then --password has help saying it is asked twice, hidden, when left out
    assert result.exit_code == 0
    assert "--password" in result.output and "asked twice" in result.output


def test_verify_audit_prints_the_head_hash_on_one_line_at_a_narrow_terminal(cli_env):
    # given audited demo data and an 80-column terminal
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    # when the chain is verified
    result = runner.invoke(app, ["verify-audit"], env={"COLUMNS": "80"})
    # then the full 64-digit head hash is on the same line as its label
    assert result.exit_code == 0, result.output
    assert re.search(r"head [0-9a-f]{64} ", result.output), result.output


def test_casbin_logs_nothing_at_info():
    # given the API's logging at INFO, and a handler that keeps every record
    configure_logging("INFO")
    records: list[logging.LogRecord] = []
    keep = logging.Handler()
    keep.emit = records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(keep)
    try:
        # when the policy is loaded (model, policy lines, role links)
        Authorizer()
    finally:
        logging.getLogger().removeHandler(keep)
    # then casbin said nothing (it used to print the whole policy on one 6,701-character line)
    assert [r.getMessage()[:80] for r in records if r.name.startswith("casbin")] == []


def test_reset_password_with_activation_voids_the_password_ends_every_session_and_prints_a_token(cli_env):
    # given a demo user with a password and an open session
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    _open_session(cli_env, "edu.chen")
    # when the operator resets the password with --activation
    result = runner.invoke(app, ["reset-password", "--username", "edu.chen", "--activation"])
    # then the old password is void, the session ended, and the printed token is the one stored (hashed)
    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("yka_")
    assert _password_hash(cli_env, "edu.chen") == "None"
    assert _session_states(cli_env, "edu.chen") == (True, ["password-reset"])
    actor = f"cli:{getpass.getuser()}"
    sessions, *traces = _reset_traces(cli_env, "edu.chen")
    assert len(sessions) == 1
    assert tuple(traces) == (
        [(api_token_hash(token), "reset", actor, None)],
        [("PASSWORD_RESET", "edu.chen", "cli", {"by": actor, "sessionsEnded": sessions})],
        [("user:password-reset", actor, ["activationExpiresAt", "sessionsEnded"])],
    )
    assert token not in str(_reset_traces(cli_env, "edu.chen"))


def test_reset_password_refuses_a_typed_password_with_activation_before_touching_anything():
    # given / when the operator gives both a password and --activation (no database is reached)
    result = CliRunner().invoke(
        app,
        ["reset-password", "--username", "edu.chen", "--password", "Lantern-Harbour-2026", "--activation"],
    )
    # then the command refuses: the password would not be set, so it is not silently dropped
    assert result.exit_code == 2
    assert "--password and --activation exclude each other" in result.output


def _reset_traces(url: str, username: str) -> tuple[list[int], list[tuple], list[tuple], list[tuple]]:
    """The user's sessions, activation tokens, password-reset security events and the CLI's audit records."""
    from store.session_tables import activation_tokens, security_events, user_sessions

    async def read() -> tuple[list[int], list[tuple], list[tuple], list[tuple]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            user_id = (
                await connection.execute(select(tables.users.c.id).where(tables.users.c.username == username))
            ).scalar_one()
            a, e, log = activation_tokens, security_events, tables.audit_log
            sessions = await connection.execute(
                select(user_sessions.c.id)
                .where(user_sessions.c.user_id == user_id)
                .order_by(user_sessions.c.id)
            )
            tokens = await connection.execute(
                select(a.c.token_hash, a.c.purpose, a.c.issued_by, a.c.used_at).where(a.c.user_id == user_id)
            )
            events = await connection.execute(
                select(e.c.kind, e.c.username, e.c.request_id, e.c.detail).where(
                    e.c.user_id == user_id, e.c.kind == "PASSWORD_RESET"
                )
            )
            audit = await connection.execute(
                select(log.c.operation, log.c.actor_username, log.c.after).where(
                    log.c.request_id == "cli", log.c.operation == "user:password-reset"
                )
            )
            result = (
                list(sessions.scalars()),
                [tuple(row) for row in tokens],
                [tuple(row) for row in events],
                [(row.operation, row.actor_username, sorted(row.after)) for row in audit],
            )
        await engine.dispose()
        return result

    return asyncio.run(read())


def _open_session(url: str, username: str) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from store.session_tables import user_sessions

    async def write() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            user_id = (
                await connection.execute(select(tables.users.c.id).where(tables.users.c.username == username))
            ).scalar_one()
            now = datetime.now(UTC)
            await connection.execute(
                insert(user_sessions).values(
                    user_id=user_id, created_at=now, expires_at=now + timedelta(hours=8)
                )
            )
        await engine.dispose()

    asyncio.run(write())


def test_disable_user_ends_every_session_and_enable_user_lets_the_user_back(cli_env):
    # given a demo user with an open session
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    _open_session(cli_env, "edu.chen")
    # when the operator disables, then enables the user
    disabled = runner.invoke(app, ["disable-user", "--username", "edu.chen"])
    after_disable = _session_states(cli_env, "edu.chen")
    enabled = runner.invoke(app, ["enable-user", "--username", "edu.chen"])
    unknown = runner.invoke(app, ["disable-user", "--username", "nobody"])
    # then the session ended with the disabling, and the user is active again, each step audited
    assert disabled.exit_code == 0 and after_disable == (False, ["user-disabled"])
    assert enabled.exit_code == 0 and _session_states(cli_env, "edu.chen") == (True, ["user-disabled"])
    assert unknown.exit_code == 2
    actor = f"cli:{getpass.getuser()}"
    assert _cli_audit(cli_env)[-2:] == [("user:disable", actor), ("user:enable", actor)]


def test_reset_password_follows_the_password_rules_and_ends_every_session(cli_env):
    # given a demo user with an open session
    runner = CliRunner()
    runner.invoke(app, ["seed-demo"])
    _open_session(cli_env, "edu.chen")
    # when the operator resets the password to a common one, then to a good one
    weak = runner.invoke(app, ["reset-password", "--username", "edu.chen", "--password", "password1234"])
    good = runner.invoke(
        app, ["reset-password", "--username", "edu.chen", "--password", "Lantern-Harbour-2026"]
    )
    # then the common one is refused, the good one ends the session
    assert weak.exit_code == 2 and "PASSWORD_TOO_COMMON" in weak.output
    assert good.exit_code == 0 and "1 session(s) ended" in good.output
    assert _session_states(cli_env, "edu.chen") == (True, ["password-reset"])
