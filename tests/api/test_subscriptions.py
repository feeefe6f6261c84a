"""Live updates over WebSocket (graphql-transport-ws), across two real API processes on one database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import aiohttp
import httpx
import pytest
from sqlalchemy import insert

from domain.actors import OrgType
from store.supervision_tables import notifications
from tests.live_server import api_processes
from tests.utils import PASSWORD, make_org, make_user

LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"
CREATE = """mutation($name: String!) { projectCreate(input: {name: $name, kind: BUILD, category: SECURITY_CRYPTO,
  fundingSource: FISCAL, totalInvestment: "1000000.00"}) { project { id } userErrors { code } } }"""
CHANGES = "subscription($p: ID) { changes(projectId: $p) { operation targetType targetId cursor } }"
NOTICES = "subscription { notificationReceived { rule dueOn projectId } }"
PROTOCOL = "graphql-transport-ws"
WAIT = 30  # seconds a change may take to arrive on a loaded machine (measured: well under one when idle)


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[list[str]]:
    """Two uvicorn processes of the API on free localhost ports, both on the test database."""
    async with api_processes(database_url) as servers:
        yield [str(server.http.base_url.netloc.decode()) for server in servers]


async def _gql(base: str, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=10) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def _login(base: str, username: str) -> str:
    return str((await _gql(base, LOGIN, {"u": username, "p": PASSWORD}))["data"]["login"]["token"])


@contextlib.asynccontextmanager
async def _subscribed(
    base: str, token: str | None, query: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A graphql-transport-ws client, initialised with the token (as Apollo's `connectionParams` sends it)."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"ws://{base}/graphql", protocols=(PROTOCOL,)) as ws,
    ):
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"} if token else {}}
        await ws.send_json(init)
        ack = await ws.receive(timeout=WAIT)
        if ack.type == aiohttp.WSMsgType.TEXT:
            assert ack.json()["type"] == "connection_ack"
            await ws.send_json(
                {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
            )
            await asyncio.sleep(0.5)  # the subscription has read its starting position
        yield ws


async def _next(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame = await ws.receive(timeout=WAIT)
        assert frame.type == aiohttp.WSMsgType.TEXT, frame  # graphql-ws clients in browsers parse text
        message = frame.json()
        if message["type"] != "ping":
            return message  # type: ignore[no-any-return]


async def test_a_change_committed_in_another_process_arrives_and_another_units_draft_never_does(
    two_processes, session_factory
):
    # given two processes, two units, and unit A listening on the first process
    first, second = two_processes
    for name in ("live.a", "live.b"):
        await make_user(session_factory, await make_org(session_factory, OrgType.UNIT), name)
    token_a, token_b = await _login(first, "live.a"), await _login(second, "live.b")
    async with _subscribed(first, token_a, CHANGES) as ws:
        # when unit B drafts a project, then unit A does, both on the second process
        b = await _gql(second, CREATE, {"name": "乙单位草稿"}, token_b)
        a = await _gql(second, CREATE, {"name": "甲单位草稿"}, token_a)
        # then A is told of its own draft first: B's, committed earlier, never reached it
        message = await _next(ws)
        assert message["type"] == "next", message
        change = message["payload"]["data"]["changes"]
        assert change["targetId"] == a["data"]["projectCreate"]["project"]["id"]
        assert change["targetId"] != b["data"]["projectCreate"]["project"]["id"]
        assert change["operation"] == "project:create"


async def test_a_project_subscription_follows_that_project_only(two_processes, session_factory):
    # given unit A with two drafts, subscribed to the first one's changes
    first, second = two_processes
    await make_user(session_factory, await make_org(session_factory, OrgType.UNIT), "live.a")
    token = await _login(first, "live.a")
    one = (await _gql(second, CREATE, {"name": "项目一"}, token))["data"]["projectCreate"]["project"]["id"]
    two = (await _gql(second, CREATE, {"name": "项目二"}, token))["data"]["projectCreate"]["project"]["id"]
    update = "mutation($id: ID!, $n: String!) { projectUpdate(input: {projectId: $id, name: $n}) { userErrors { code } } }"
    async with _subscribed(first, token, CHANGES, {"p": one}) as ws:
        # when the second draft changes, then the first
        await _gql(second, update, {"id": two, "n": "项目二（改）"}, token)
        await _gql(second, update, {"id": one, "n": "项目一（改）"}, token)
        # then only the first one's changes arrive, its update among them. A subscription starts at the newest
        # *settled* change (older than every running transaction on the server), so while another transaction
        # runs — a parallel test worker's — the first draft's creation may arrive too: never a missed change.
        seen = []
        while not seen or seen[-1] != (one, "project:update"):
            change = (await _next(ws))["payload"]["data"]["changes"]
            seen.append((change["targetId"], change["operation"]))
        assert {target for target, _ in seen} == {one}
        assert seen[-1] == (one, "project:update")


async def test_subscribing_to_another_units_project_is_not_found(two_processes, session_factory):
    # given unit B's draft
    first, _ = two_processes
    for name in ("live.a", "live.b"):
        await make_user(session_factory, await make_org(session_factory, OrgType.UNIT), name)
    token_a, token_b = await _login(first, "live.a"), await _login(first, "live.b")
    draft = (await _gql(first, CREATE, {"name": "乙单位草稿"}, token_b))["data"]["projectCreate"]["project"][
        "id"
    ]
    # when unit A subscribes to its changes
    async with _subscribed(first, token_a, CHANGES, {"p": draft}) as ws:
        message = await _next(ws)
    # then it is refused as if the project did not exist, and nothing follows
    assert message["type"] == "next" and message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["NOT_FOUND"]


async def test_a_connection_without_a_valid_token_is_closed_with_4403(two_processes):
    # given a live API
    first, _ = two_processes
    for token in (None, "not-a-token"):
        # when a client initialises without a token, or with a forged one
        async with _subscribed(first, token, CHANGES) as ws:
            closing = await ws.receive(timeout=WAIT)
        # then the server closes the socket: Forbidden
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4403


async def test_a_notice_to_the_viewers_organization_arrives_and_not_to_another(
    two_processes, session_factory
):
    # given two units listening for notices, and a project of the first
    first, second = two_processes
    orgs = [await make_org(session_factory, OrgType.UNIT) for _ in range(2)]
    for org, name in zip(orgs, ("live.a", "live.b"), strict=True):
        await make_user(session_factory, org, name)
    token_a, token_b = await _login(first, "live.a"), await _login(second, "live.b")
    project = (await _gql(first, CREATE, {"name": "通知项目"}, token_a))["data"]["projectCreate"]["project"][
        "id"
    ]
    from api.graphql.common import from_global_id

    project_pk = from_global_id(project)[1]  # type: ignore[index]
    async with _subscribed(first, token_a, NOTICES) as ws_a, _subscribed(second, token_b, NOTICES) as ws_b:
        # when the notification worker (any process) sends the first unit a notice
        async with session_factory() as session:
            await session.execute(
                insert(notifications).values(
                    organization_id=orgs[0],
                    project_id=project_pk,
                    obligation_key="R18:2026Q1",
                    kind="OPENED",
                    rule="R18",
                    opens_on=date(2026, 3, 1),
                    due_on=date(2026, 4, 10),
                )
            )
            await session.commit()
        # then the first unit receives it, and the second nothing
        notice = (await _next(ws_a))["payload"]["data"]["notificationReceived"]
        assert (notice["rule"], notice["dueOn"], notice["projectId"]) == ("R18", "2026-04-10", project)
        with pytest.raises(asyncio.TimeoutError):
            await ws_b.receive(timeout=2)
