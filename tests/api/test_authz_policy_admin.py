"""Administrators edit the policy through GraphQL; every change is audited and in force at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from store import tables
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import Api, error_codes, make_agencies

RULES = "{ policyRules { version rules { id kind role operation scope article group line } } }"
ERRORS = "userErrors { code field message }"
ADD = f"mutation($input: PolicyRuleAddInput!) {{ policyRuleAdd(input: $input) {{ rule {{ id line }} version {ERRORS} }} }}"
REMOVE = (
    f"mutation($input: PolicyRuleRemoveInput!) {{ policyRuleRemove(input: $input) "
    f"{{ rule {{ id line }} version {ERRORS} }} }}"
)


@pytest.fixture
async def policy_api(settings, engine, clock) -> AsyncIterator[Api]:  # type: ignore[no-untyped-def]
    """The app with its lifespan run: the policy seeded into and loaded from the database, followed."""
    app = create_app(settings, engine=engine, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Api(http)


async def _rule(api: Api, token: str, line: str) -> dict:  # type: ignore[type-arg]
    rules = (await api.data(RULES, token=token))["policyRules"]["rules"]
    return next(r for r in rules if r["line"] == line)


async def test_admin_reads_the_policy_seeded_from_policy_csv(policy_api, session_factory):
    # given an administrator
    a = await make_agencies(policy_api, session_factory, "admin")
    # when reading the policy
    policy = (await policy_api.data(RULES, token=a.token["admin"]))["policyRules"]
    # then it is the file's, version 1, permission and grouping lines alike
    lines = {r["line"] for r in policy["rules"]}
    assert policy["version"] == 1
    assert "p, unit, project:create, lead, 第七条" in lines and "g, bdb, supervisor" in lines
    grouping = next(r for r in policy["rules"] if r["line"] == "g, bdb, supervisor")
    assert (grouping["kind"], grouping["role"], grouping["group"], grouping["operation"]) == (
        "g",
        "bdb",
        "supervisor",
        None,
    )


async def test_only_administrators_read_or_change_the_policy(policy_api, session_factory):
    # given a unit and the Big Data Bureau
    a = await make_agencies(policy_api, session_factory, "unit", "bdb")
    for role in ("unit", "bdb"):
        # when either reads or changes the policy
        read = await policy_api.gql(RULES, token=a.token[role])
        add = await policy_api.gql(
            ADD,
            {"input": {"role": "unit", "operation": "AUDIT_LOG_READ", "scope": "any", "article": "第三条"}},
            token=a.token[role],
        )
        # then both are FORBIDDEN
        assert error_codes(read) == ["FORBIDDEN"] and error_codes(add) == ["FORBIDDEN"]


async def test_revoking_a_permission_refuses_it_at_once_and_is_audited(policy_api, session_factory):
    # given a unit that may create projects
    a = await make_agencies(policy_api, session_factory, "admin", "unit")
    rule = await _rule(policy_api, a.token["admin"], "p, unit, project:create, lead, 第七条")
    # when the administrator removes the line
    payload = await policy_api.data(REMOVE, {"input": {"ruleId": rule["id"]}}, token=a.token["admin"])
    # then the unit is refused, the version moved on, and the audit log says who removed what
    assert payload["policyRuleRemove"]["userErrors"] == [] and payload["policyRuleRemove"]["version"] == 2
    refused = await policy_api.gql(CREATE, {"input": draft_input()}, token=a.token["unit"])
    assert error_codes(refused) == ["FORBIDDEN"]
    async with session_factory() as session:
        audit = (
            await session.execute(
                select(tables.audit_log).where(tables.audit_log.c.operation == "policy:write")
            )
        ).one()
    assert (audit.actor_username, audit.target_type, audit.after) == ("user.admin", "PolicyRule", None)
    assert audit.before["line"] == "p, unit, project:create, lead, 第七条"


async def test_granting_a_permission_allows_it_at_once_and_is_audited(policy_api, session_factory):
    # given a finance user who may not read the audit log
    a = await make_agencies(policy_api, session_factory, "admin", "finance")
    query = "{ auditLog(first: 5) { totalCount } }"
    assert error_codes(await policy_api.gql(query, token=a.token["finance"])) == ["FORBIDDEN"]
    # when the administrator grants it, citing Art. 4
    payload = (
        await policy_api.data(
            ADD,
            {
                "input": {
                    "role": "finance",
                    "operation": "AUDIT_LOG_READ",
                    "scope": "any",
                    "article": "第四条",
                }
            },
            token=a.token["admin"],
        )
    )["policyRuleAdd"]
    # then finance reads it, and the grant itself is in it
    assert (
        payload["userErrors"] == [] and payload["rule"]["line"] == "p, finance, audit-log:read, any, 第四条"
    )
    body = await policy_api.data(
        '{ auditLog(first: 5, filter: {operation: "policy:write"}) { edges { node { after targetType } } } }',
        token=a.token["finance"],
    )
    [edge] = body["auditLog"]["edges"]
    assert edge["node"]["after"]["line"] == "p, finance, audit-log:read, any, 第四条"


async def test_a_malformed_rule_lists_every_problem_and_changes_nothing(policy_api, session_factory):
    # given an administrator
    a = await make_agencies(policy_api, session_factory, "admin")
    # when adding a line with an unknown role, an unknown scope and no article
    payload = (
        await policy_api.data(
            ADD,
            {
                "input": {
                    "role": "mayor",
                    "operation": "PROJECT_READ",
                    "scope": "everything",
                    "article": "see rules",
                }
            },
            token=a.token["admin"],
            lang="en",
        )
    )["policyRuleAdd"]
    # then all three are refused by field, and the version did not move
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("UNKNOWN_ROLE", ["input", "role"]),
        ("UNKNOWN_SCOPE", ["input", "scope"]),
        ("ARTICLE_REQUIRED", ["input", "article"]),
    ]
    assert (await policy_api.data(RULES, token=a.token["admin"]))["policyRules"]["version"] == 1


async def test_duplicates_and_removing_the_last_policy_writer_are_refused(policy_api, session_factory):
    # given an administrator
    a = await make_agencies(policy_api, session_factory, "admin")
    writer = await _rule(policy_api, a.token["admin"], "p, admin, policy:write, any, 第三条")
    # when adding an existing line, and removing the administrators' only policy:write line
    duplicate = (
        await policy_api.data(
            ADD,
            {"input": {"role": "unit", "operation": "PROJECT_CREATE", "scope": "lead", "article": "第七条"}},
            token=a.token["admin"],
        )
    )["policyRuleAdd"]
    lockout = (await policy_api.data(REMOVE, {"input": {"ruleId": writer["id"]}}, token=a.token["admin"]))[
        "policyRuleRemove"
    ]
    # then both are refused
    assert [e["code"] for e in duplicate["userErrors"]] == ["DUPLICATE_RULE"]
    assert [e["code"] for e in lockout["userErrors"]] == ["LAST_POLICY_WRITER"]
