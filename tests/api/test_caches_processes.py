"""Issue 17: per-process credential caches dropped in every process by NOTIFY, and rate-limit counts kept in
process and merged into PostgreSQL in batches. One pair of real API processes serves the whole module."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from api.credential_cache import CredentialListener, announce, session_notice
from api.settings import Settings
from authz.listener import asyncpg_connector
from domain.actors import OrgType
from store import tables
from store.engine import make_engine, make_session_factory
from store.session_tables import user_sessions
from tests.live_server import api_processes
from tests.utils import PASSWORD, make_org, make_user, to_global_id

LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
VIEWER = "{ viewer { user { username } } }"
DISABLE = "mutation($u: ID!) { userDisable(input: {userId: $u}) { active userErrors { code } } }"
SESSIONS = "query($u: ID!) { sessions(userId: $u, first: 10) { edges { node { id revokedAt } } } }"
REVOKE = "mutation($s: ID!) { sessionRevoke(input: {sessionId: $s}) { userErrors { code } } }"
PER_MINUTE = 60  # the live processes' limit per user (enough for the revocation tests' polling)
MERGE_SECONDS = 0.25


@pytest.fixture(scope="module")
async def module_session_factory(module_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(module_database_url, pool_size=2)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
async def two_processes(
    module_database_url: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two uvicorn processes of the API on one database, started once for the module."""
    settings = {"YK_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE), "YK_RATE_LIMIT_MERGE_MS": "250"}
    async with api_processes(module_database_url, settings=settings) as (first, second):
        yield first.http, second.http


async def _gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def _signed_in(
    http: httpx.AsyncClient, factory: async_sessionmaker[AsyncSession], username: str, **kw: Any
) -> tuple[str, int]:
    """A new user signed in through `http`: (access token, user id)."""
    kind = OrgType.BDB if kw.get("is_admin") else OrgType.UNIT
    org = await make_org(factory, kind, name=f"org-{username}")  # one database for the module: unique names
    await make_user(factory, org, username, **kw)
    token = (await _gql(http, LOGIN, {"u": username, "p": PASSWORD})).json()["data"]["login"]["token"]
    async with factory() as session:
        user_id = (
            await session.execute(select(tables.users.c.id).where(tables.users.c.username == username))
        ).scalar_one()
    return str(token), int(user_id)


async def _refused_within_a_second(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """Poll until the token is refused; fails if that takes a second or more."""
    started = time.monotonic()
    while "errors" not in (answer := (await _gql(http, VIEWER, token=token)).json()):
        assert time.monotonic() - started < 1.0, "the other process still accepts the token after a second"
        await asyncio.sleep(0.05)
    return answer["errors"][0]["extensions"]  # type: ignore[no-any-return]


async def test_a_session_revoked_in_one_process_is_refused_by_the_other_within_a_second(
    two_processes, module_session_factory
):
    # given an administrator, and a user whose session the second process has checked (and cached)
    first, second = two_processes
    admin, _ = await _signed_in(first, module_session_factory, "cache.admin1", is_admin=True)
    token, user_id = await _signed_in(second, module_session_factory, "cache.unit1")
    for _ in range(2):
        assert (await _gql(second, VIEWER, token=token)).json()["data"]["viewer"]["user"][
            "username"
        ] == "cache.unit1"
    listed = (await _gql(first, SESSIONS, {"u": to_global_id("User", user_id)}, token=admin)).json()
    session_id = listed["data"]["sessions"]["edges"][0]["node"]["id"]
    # when the administrator revokes that session through the first process
    revoked = (await _gql(first, REVOKE, {"s": session_id}, token=admin)).json()
    assert revoked["data"]["sessionRevoke"]["userErrors"] == []
    # then the second refuses it within a second, as revoked
    assert await _refused_within_a_second(second, token) == {"code": "UNAUTHENTICATED", "reason": "revoked"}


async def test_a_user_disabled_in_one_process_is_refused_by_the_other_within_a_second(
    two_processes, module_session_factory
):
    # given an administrator, and a user signed in whose token the second process has checked (and cached)
    first, second = two_processes
    admin, _ = await _signed_in(first, module_session_factory, "cache.admin2", is_admin=True)
    token, user_id = await _signed_in(first, module_session_factory, "cache.unit2")
    for _ in range(2):
        assert "errors" not in (await _gql(second, VIEWER, token=token)).json()
    # when the administrator disables the user through the first process
    disabled = (await _gql(first, DISABLE, {"u": to_global_id("User", user_id)}, token=admin)).json()
    assert disabled["data"]["userDisable"] == {"active": False, "userErrors": []}
    # then both processes refuse the user's token, the other one within a second
    assert await _refused_within_a_second(second, token) == {"code": "UNAUTHENTICATED", "reason": "revoked"}
    assert (await _gql(first, VIEWER, token=token)).json()["errors"][0]["extensions"]["reason"] == "revoked"


TOKEN_CREATE = """mutation($o: ID!) { apiTokenCreate(input: {name: "同步", organizationId: $o})
  { token apiToken { id } userErrors { code } } }"""
ROLE = "{ viewer { role } }"
TOKEN_REVOKE = "mutation($t: ID!) { apiTokenRevoke(input: {apiTokenId: $t}) { userErrors { code } } }"


async def test_an_api_token_revoked_in_one_process_is_refused_by_the_other_within_a_second(
    two_processes, module_session_factory
):
    # given an integrator token that the second process has checked (and cached)
    first, second = two_processes
    admin, _ = await _signed_in(first, module_session_factory, "cache.admin3", is_admin=True)
    org = await make_org(module_session_factory, OrgType.INTEGRATOR, name="org-cache-integrator")
    created = (await _gql(first, TOKEN_CREATE, {"o": to_global_id("Organization", org)}, token=admin)).json()
    token = created["data"]["apiTokenCreate"]["token"]
    for _ in range(2):
        assert (await _gql(second, ROLE, token=token)).json()["data"]["viewer"]["role"] == "integrator"
    # when the administrator revokes it through the first process
    token_id = created["data"]["apiTokenCreate"]["apiToken"]["id"]
    revoked = (await _gql(first, TOKEN_REVOKE, {"t": token_id}, token=admin)).json()
    assert revoked["data"]["apiTokenRevoke"]["userErrors"] == []
    # then the second refuses it within a second
    started = time.monotonic()
    while "errors" not in (answer := (await _gql(second, ROLE, token=token)).json()):
        assert time.monotonic() - started < 1.0, "the other process still accepts the token after a second"
        await asyncio.sleep(0.05)
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _a_fresh_window_for(seconds: float) -> None:
    """The live processes count in wall-clock minutes: start where `seconds` remain in this one."""
    remaining = 60 - time.time() % 60
    if remaining < seconds:
        await asyncio.sleep(remaining + 0.1)


async def test_two_processes_admit_at_most_the_limit_plus_processes_x_interval_x_rate(
    two_processes, module_session_factory
):
    # given a user limited to 60 requests a minute, counted in each process and merged every 250 ms
    first, second = two_processes
    token, _ = await _signed_in(first, module_session_factory, "cache.busy")
    await _a_fresh_window_for(8)
    sent_each = 70

    async def flood(http: httpx.AsyncClient) -> list[int]:
        statuses = []
        for _ in range(sent_each):
            statuses.append((await _gql(http, "{ __typename }", token=token)).status_code)
        return statuses

    # when both processes get requests of that user as fast as they answer, at the same time
    started = time.monotonic()
    results = await asyncio.gather(flood(first), flood(second))
    elapsed = time.monotonic() - started
    # then together they admitted the limit, and at most processes × interval × rate beyond it
    admitted = sum(status == 200 for statuses in results for status in statuses)
    rate = sent_each / elapsed  # requests a second at each process
    bound = math.ceil(2 * MERGE_SECONDS * rate)
    assert PER_MINUTE <= admitted <= PER_MINUTE + bound, (admitted, bound, rate)
    # and every refusal is a 429 after the last admission in its process (each refuses on its own view)
    for statuses in results:
        assert set(statuses) <= {200, 429}
        assert 429 not in statuses or 200 not in statuses[statuses.index(429) :]


def _limited_app(engine, clock, settings: Settings, per_minute: int) -> Any:
    limited = settings.model_copy(update={"rate_limit_per_minute": per_minute, "rate_limit_merge_ms": 250})
    return create_app(limited, engine=engine, clock=clock, policy_from_database=False)


async def test_one_process_refuses_exactly_at_the_limit_and_merges_its_count_within_250_ms(
    engine, session_factory, clock, settings, api
):
    # given one process allowing 5 requests a minute to a signed-in user
    org = await make_org(session_factory, OrgType.UNIT)
    await make_user(session_factory, org, "rate.exact")
    token = await api.login("rate.exact")
    clock.advance(seconds=60)  # a fresh window
    app = _limited_app(engine, clock, settings, per_minute=5)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        # when the user sends 7 requests
        responses = [await _gql(http, "{ __typename }", token=token) for _ in range(7)]
        # then the sixth and seventh are refused, and the remaining count goes down by one each time
        assert [r.status_code for r in responses] == [200] * 5 + [429] * 2
        assert [r.headers["RateLimit-Remaining"] for r in responses] == ["4", "3", "2", "1", "0", "0", "0"]
        # and within two merge intervals the shared table holds all 7
        await asyncio.sleep(2 * MERGE_SECONDS)
    async with session_factory() as session:
        hits = (
            await session.execute(text("SELECT sum(hits) FROM rate_limit_windows WHERE key LIKE 'user:%'"))
        ).scalar()
    assert hits == 7


async def test_a_cached_session_is_served_without_the_database_until_its_notice_drops_it(
    database_url, engine, session_factory, clock, settings, api
):
    # given an app whose credential cache follows NOTIFY, and a user whose session it has checked once
    app = create_app(settings, engine=engine, clock=clock, policy_from_database=False)
    listener = CredentialListener(app.state.credentials, asyncpg_connector(database_url))
    listener.start()
    try:
        await asyncio.wait_for(listener.listening.wait(), timeout=10)
        org = await make_org(session_factory, OrgType.UNIT)
        await make_user(session_factory, org, "cache.quiet")
        token = await api.login("cache.quiet")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            assert "errors" not in (await _gql(http, VIEWER, token=token)).json()
            # when the session row is ended behind the API's back (no notice), then with its notice
            async with session_factory() as session, session.begin():
                await session.execute(update(user_sessions).values(revoked_at=clock()))
            unnoticed = (await _gql(http, VIEWER, token=token)).json()
            async with session_factory() as session, session.begin():
                ids = (await session.execute(select(user_sessions.c.id))).scalars().all()
                await announce(session, [session_notice(i) for i in ids])
            for _ in range(100):  # the notice arrives on the listener's connection
                noticed = (await _gql(http, VIEWER, token=token)).json()
                if "errors" in noticed:
                    break
                await asyncio.sleep(0.01)
    finally:
        await listener.stop()
    # then the cache answered until the notice, and the database after it
    assert unnoticed["data"]["viewer"]["user"]["username"] == "cache.quiet"
    assert noticed["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "revoked"}
