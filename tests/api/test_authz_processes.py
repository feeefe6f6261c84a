"""Several API processes share one database: a policy change in one is in force in the others within a second
(a removal at once, an addition once another administrator approves it, R3.2)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from authz.operations import Operation
from domain.actors import OrgType
from tests.live_server import api_processes
from tests.utils import PASSWORD, make_org, make_user

CAN = "{ viewer { can(operation: PROJECT_CREATE) { allowed code } } }"
RULES = "{ policyRules { rules { id line } } }"
REMOVE = "mutation($id: ID!) { policyRuleRemove(input: {ruleId: $id}) { version userErrors { code } } }"
LOGIN = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }"


async def _gql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict | None = None,  # type: ignore[type-arg]
    token: str | None = None,
) -> dict:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    return response.json()


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two uvicorn processes of the API on free localhost ports, both on the test database."""
    async with api_processes(database_url) as (first, second):
        yield first.http, second.http


async def test_revoking_in_one_process_is_refused_by_the_other_within_a_second(
    two_processes, session_factory
):
    # given two API processes, an administrator and a unit
    first, second = two_processes
    admin_org, unit_org = (
        await make_org(session_factory, OrgType.BDB),
        await make_org(session_factory, OrgType.UNIT),
    )
    await make_user(session_factory, admin_org, "live.admin", is_admin=True)
    await make_user(session_factory, unit_org, "live.unit")
    admin = (await _gql(first, LOGIN, {"u": "live.admin", "p": PASSWORD}))["data"]["login"]["token"]
    unit = (await _gql(second, LOGIN, {"u": "live.unit", "p": PASSWORD}))["data"]["login"]["token"]
    assert (await _gql(second, CAN, token=unit))["data"]["viewer"]["can"]["allowed"] is True
    rules = (await _gql(first, RULES, token=admin))["data"]["policyRules"]["rules"]
    rule = next(r for r in rules if r["line"] == f"p, unit, {Operation.PROJECT_CREATE.value}, lead, 第七条")
    # when the administrator revokes the unit's project:create through the first process
    removed = await _gql(first, REMOVE, {"id": rule["id"]}, token=admin)
    assert removed["data"]["policyRuleRemove"]["userErrors"] == []
    revoked_at = time.monotonic()
    # then the second process refuses it within one second
    while (await _gql(second, CAN, token=unit))["data"]["viewer"]["can"]["allowed"]:
        assert time.monotonic() - revoked_at < 1.0, "the second process still allows it after a second"
        await asyncio.sleep(0.02)
    refused = await _gql(
        second,
        'mutation { projectCreate(input: {name: "x", kind: BUILD, category: '
        'BUSINESS_SYSTEM, fundingSource: FISCAL, totalInvestment: "1.00"}) { userErrors '
        "{ code } } }",
        token=unit,
    )
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


ADD = (
    'mutation { policyRuleAdd(input: {role: "unit", operation: PROJECT_CREATE, scope: "lead", '
    'article: "第七条"}) { change { id status } userErrors { code } } }'
)
APPROVE = (
    "mutation($id: ID!) { policyChangeApprove(input: {changeId: $id}) { version change { status } "
    "userErrors { code } } }"
)


async def test_R3_2_a_proposal_approved_in_one_process_is_in_force_in_the_other_within_a_second(
    two_processes, session_factory
):
    # given two API processes, two administrators, and a unit whose project:create was revoked
    first, second = two_processes
    admin_org, unit_org = (
        await make_org(session_factory, OrgType.BDB),
        await make_org(session_factory, OrgType.UNIT),
    )
    for username in ("live.admin", "live.admin2"):
        await make_user(session_factory, admin_org, username, is_admin=True)
    await make_user(session_factory, unit_org, "live.unit")
    tokens = {
        name: (await _gql(first, LOGIN, {"u": name, "p": PASSWORD}))["data"]["login"]["token"]
        for name in ("live.admin", "live.admin2", "live.unit")
    }
    rules = (await _gql(first, RULES, token=tokens["live.admin"]))["data"]["policyRules"]["rules"]
    rule = next(r for r in rules if r["line"] == "p, unit, project:create, lead, 第七条")
    await _gql(first, REMOVE, {"id": rule["id"]}, token=tokens["live.admin"])
    # when one administrator proposes the line again in the second process
    proposed = (await _gql(second, ADD, token=tokens["live.admin"]))["data"]["policyRuleAdd"]
    # then nothing changes until the other administrator approves it in the first process
    await asyncio.sleep(0.3)
    assert (await _gql(second, CAN, token=tokens["live.unit"]))["data"]["viewer"]["can"]["allowed"] is False
    approved = await _gql(first, APPROVE, {"id": proposed["change"]["id"]}, token=tokens["live.admin2"])
    assert approved["data"]["policyChangeApprove"]["change"]["status"] == "APPROVED"
    approved_at = time.monotonic()
    # and then the second process allows it within one second
    while not (await _gql(second, CAN, token=tokens["live.unit"]))["data"]["viewer"]["can"]["allowed"]:
        assert time.monotonic() - approved_at < 1.0, "the second process still refuses it after a second"
        await asyncio.sleep(0.02)
