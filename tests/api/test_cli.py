"""The command line against a real database: create-user and create-token, each audited."""

from __future__ import annotations

import asyncio
import getpass

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings
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
