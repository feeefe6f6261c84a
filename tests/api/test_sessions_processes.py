"""Ending a session is in force in every API process within a second (issue 13.3), and a served API
believes nobody's X-Forwarded-For by default (13.2). Real uvicorn processes on the test database."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from domain.actors import OrgType
from tests.live_server import api_processes, free_port, live_server
from tests.utils import PASSWORD, make_org, make_user

LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
VIEWER = "{ viewer { user { username } } }"


async def _gql(
    http: httpx.AsyncClient, query: str, variables: dict | None = None, token: str | None = None
) -> dict:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return (
        await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    ).json()


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two uvicorn processes of the API on free localhost ports, both on the test database."""
    async with api_processes(database_url) as (first, second):
        yield first.http, second.http


async def test_logout_in_one_process_is_refused_by_the_other_within_a_second(two_processes, session_factory):
    # given a user signed in through the first process, whose token the second accepts
    first, second = two_processes
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "live.unit")
    token = (await _gql(first, LOGIN, {"u": "live.unit", "p": PASSWORD}))["data"]["login"]["token"]
    assert (await _gql(second, VIEWER, token=token))["data"]["viewer"]["user"]["username"] == "live.unit"
    # when the user signs out through the first process
    out = await _gql(first, "mutation { logout { sessionsEnded } }", token=token)
    assert out["data"]["logout"]["sessionsEnded"] == 1
    ended_at = time.monotonic()
    # then the second refuses the token within a second
    while "errors" not in (answer := await _gql(second, VIEWER, token=token)):
        assert time.monotonic() - ended_at < 1.0, "the second process still accepts the token after a second"
        await asyncio.sleep(0.02)
    assert answer["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "revoked"}


async def test_a_served_api_counts_a_local_client_by_its_address_whatever_it_forwards(database_url):
    # given `serve` with 2 anonymous requests a minute and no trusted proxy configured
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YK_TOKEN_SECRET": "w" * 48,
        "YK_LOG_LEVEL": "WARNING",
        "YK_WEBHOOK_WORKER": "false",
        "YK_NOTIFICATION_WORKER": "false",
        "YK_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "2",
    }
    env.pop("YK_TRUSTED_PROXIES", None)
    async with live_server(["-m", "api", "serve", "--no-demo", "--port", str(port)], env, port) as server:
        # when a local client claims a new forwarded address with each request
        statuses = [
            (
                await server.http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                )
            ).status_code
            for i in range(3)
        ]
    # then its own address is counted: the third is refused
    assert statuses == [200, 200, 429]
