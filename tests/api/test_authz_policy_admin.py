"""Administrators edit the policy through GraphQL: removals are in force at once, additions only once a second
administrator approves them (R3.2); no edit widens the editor's own role or gives admin lifecycle powers (R3.1).
Every change is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from domain.actors import OrgType
from store import tables
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import Agencies, Api, error_codes, make_agencies, make_org, make_user

RULES = "{ policyRules { version rules { id kind role operation scope article group line } } }"
ERRORS = "userErrors { code rule article field message }"
CHANGE = "change { id status proposedBy decidedBy comment rule { id line } }"
ADD = (
    f"mutation($input: PolicyRuleAddInput!) {{ policyRuleAdd(input: $input) "
    f"{{ rule {{ id line }} version {CHANGE} {ERRORS} }} }}"
)
GROUP_ADD = (
    f"mutation($input: PolicyGroupAddInput!) {{ policyGroupAdd(input: $input) {{ {CHANGE} {ERRORS} }} }}"
)
APPROVE = (
    f"mutation($input: PolicyChangeApproveInput!) {{ policyChangeApprove(input: $input) "
    f"{{ version {CHANGE} {ERRORS} }} }}"
)
REJECT = (
    f"mutation($input: PolicyChangeRejectInput!) {{ policyChangeReject(input: $input) "
    f"{{ version {CHANGE} {ERRORS} }} }}"
)
CHANGES = (
    "query($status: PolicyChangeStatus) { policyChanges(first: 10, status: $status) "
    "{ totalCount edges { node { id status proposedBy decidedBy rule { line } } } } }"
)
VIEWER_OPS = "{ viewer { operations } }"
AUDIT_GRANT = {"role": "finance", "operation": "AUDIT_LOG_READ", "scope": "any", "article": "第四条"}
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


async def _with_second_admin(api: Api, factory, *roles: str) -> Agencies:  # type: ignore[no-untyped-def]
    """make_agencies(…, "admin", …) plus `admin2`, another administrator in its own organization."""
    a = await make_agencies(api, factory, "admin", *roles)
    org = await make_org(factory, OrgType.BDB, name="测试-admin2")
    a.token["admin2"] = await api.login(await make_user(factory, org, "user.admin2", is_admin=True))
    return a


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
        # when either reads or changes the policy, lists its changes or approves one
        read = await policy_api.gql(RULES, token=a.token[role])
        add = await policy_api.gql(
            ADD,
            {"input": {"role": "unit", "operation": "AUDIT_LOG_READ", "scope": "any", "article": "第三条"}},
            token=a.token[role],
        )
        changes = await policy_api.gql(CHANGES, token=a.token[role])
        approve = await policy_api.gql(
            APPROVE, {"input": {"changeId": "UG9saWN5Q2hhbmdlOjE="}}, token=a.token[role]
        )
        # then all are FORBIDDEN
        assert [error_codes(r) for r in (read, add, changes, approve)] == [["FORBIDDEN"]] * 4


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


async def _propose(api: Api, token: str, grant: dict[str, str]) -> dict:  # type: ignore[type-arg]
    return (await api.data(ADD, {"input": grant}, token=token))["policyRuleAdd"]


async def test_R3_2_a_proposed_grant_is_not_in_force_until_a_second_administrator_approves(
    policy_api, session_factory
):
    # given two administrators and a finance user who may not read the audit log
    a = await _with_second_admin(policy_api, session_factory, "finance")
    # when the first administrator proposes the grant, citing Art. 4
    proposed = await _propose(policy_api, a.token["admin"], AUDIT_GRANT)
    # then it is stored as a proposal, not in force: the version did not move and finance is still refused
    assert proposed["userErrors"] == [] and (proposed["rule"], proposed["version"]) == (None, None)
    change = proposed["change"]
    assert (change["status"], change["proposedBy"], change["rule"]["line"]) == (
        "PROPOSED",
        "user.admin",
        "p, finance, audit-log:read, any, 第四条",
    )
    assert (await policy_api.data(RULES, token=a.token["admin"]))["policyRules"]["version"] == 1
    query = "{ auditLog(first: 5) { totalCount } }"
    assert error_codes(await policy_api.gql(query, token=a.token["finance"])) == ["FORBIDDEN"]
    # when the second administrator approves it
    approved = (
        await policy_api.data(APPROVE, {"input": {"changeId": change["id"]}}, token=a.token["admin2"])
    )["policyChangeApprove"]
    # then it is in force at once: finance reads the audit log, which names proposer and approver
    assert approved["userErrors"] == [] and approved["version"] == 2
    assert (approved["change"]["status"], approved["change"]["decidedBy"]) == ("APPROVED", "user.admin2")
    assert (
        "AUDIT_LOG_READ"
        in (await policy_api.data(VIEWER_OPS, token=a.token["finance"]))["viewer"]["operations"]
    )
    body = await policy_api.data(
        "{ auditLog(first: 20) { edges { node { operation actorUsername targetType after } } } }",
        token=a.token["finance"],
    )
    nodes = [e["node"] for e in body["auditLog"]["edges"] if e["node"]["operation"].startswith("policy")]
    assert [(n["operation"], n["actorUsername"], n["targetType"]) for n in nodes] == [
        ("policy-change:decide", "user.admin2", "PolicyRule"),
        ("policy-change:decide", "user.admin2", "PolicyChange"),
        ("policy:write", "user.admin", "PolicyChange"),
    ]
    rule_record = nodes[0]["after"]
    assert (rule_record["line"], rule_record["proposedBy"], rule_record["approvedBy"]) == (
        "p, finance, audit-log:read, any, 第四条",
        "user.admin",
        "user.admin2",
    )


async def test_R3_2_the_proposer_can_neither_approve_nor_reject_its_own_change(policy_api, session_factory):
    # given an administrator's pending proposal
    a = await _with_second_admin(policy_api, session_factory, "finance")
    change_id = (await _propose(policy_api, a.token["admin"], AUDIT_GRANT))["change"]["id"]
    # when the proposer approves it, then rejects it
    approve = (
        await policy_api.data(APPROVE, {"input": {"changeId": change_id}}, token=a.token["admin"], lang="en")
    )["policyChangeApprove"]
    reject = (await policy_api.data(REJECT, {"input": {"changeId": change_id}}, token=a.token["admin"]))[
        "policyChangeReject"
    ]
    # then both are refused citing R3.2 (Art. 3), and the change is still pending, not in force
    for payload in (approve, reject):
        assert payload["change"] is None
        assert [(e["code"], e["rule"], e["field"]) for e in payload["userErrors"]] == [
            ("OWN_PROPOSAL", "R3.2", ["input", "changeId"])
        ]
    assert "another administrator" in approve["userErrors"][0]["message"]
    pending = (await policy_api.data(CHANGES, {"status": "PROPOSED"}, token=a.token["admin2"]))[
        "policyChanges"
    ]
    assert pending["totalCount"] == 1 and pending["edges"][0]["node"]["id"] == change_id
    assert (
        "AUDIT_LOG_READ"
        not in (await policy_api.data(VIEWER_OPS, token=a.token["finance"]))["viewer"]["operations"]
    )


async def test_R3_2_a_rejected_change_never_comes_in_force_and_cannot_be_approved_later(
    policy_api, session_factory
):
    # given a pending proposal
    a = await _with_second_admin(policy_api, session_factory, "finance")
    change_id = (await _propose(policy_api, a.token["admin"], AUDIT_GRANT))["change"]["id"]
    # when the second administrator rejects it with a reason, then tries to approve it
    rejected = (
        await policy_api.data(
            REJECT, {"input": {"changeId": change_id, "comment": "无条款依据"}}, token=a.token["admin2"]
        )
    )["policyChangeReject"]
    late = (await policy_api.data(APPROVE, {"input": {"changeId": change_id}}, token=a.token["admin2"]))[
        "policyChangeApprove"
    ]
    # then it is REJECTED with the reason, the late approval is refused, and nothing came in force
    assert (rejected["change"]["status"], rejected["change"]["comment"], rejected["version"]) == (
        "REJECTED",
        "无条款依据",
        None,
    )
    assert [e["code"] for e in late["userErrors"]] == ["CHANGE_ALREADY_DECIDED"]
    assert (await policy_api.data(RULES, token=a.token["admin"]))["policyRules"]["version"] == 1
    listed = (await policy_api.data(CHANGES, {"status": "REJECTED"}, token=a.token["admin"]))["policyChanges"]
    assert [e["node"]["decidedBy"] for e in listed["edges"]] == ["user.admin2"]
    assert (await policy_api.data(CHANGES, {"status": "PROPOSED"}, token=a.token["admin"]))["policyChanges"][
        "totalCount"
    ] == 0


async def test_R3_1_an_administrator_cannot_grant_admin_project_read(policy_api, session_factory):
    # given two administrators
    a = await _with_second_admin(policy_api, session_factory)
    # when one proposes that admin reads every project
    payload = await _propose(
        policy_api,
        a.token["admin"],
        {"role": "admin", "operation": "PROJECT_READ", "scope": "any", "article": "第三条"},
    )
    # then it is refused citing R3.1 and Art. 3, and nothing was even proposed
    assert payload["change"] is None
    assert [(e["code"], e["rule"], e["article"], e["field"]) for e in payload["userErrors"]] == [
        ("ADMIN_LIFECYCLE_POWER", "R3.1", "第三条", ["input", "role"])
    ]
    assert (await policy_api.data(CHANGES, token=a.token["admin2"]))["policyChanges"]["totalCount"] == 0
    assert (
        "PROJECT_READ"
        not in (await policy_api.data(VIEWER_OPS, token=a.token["admin"]))["viewer"]["operations"]
    )


async def test_R3_1_an_administrator_cannot_widen_its_own_role_even_with_administration(
    policy_api, session_factory
):
    # given an administrator
    a = await make_agencies(policy_api, session_factory, "admin")
    # when it proposes a new admin line within the administration set, and that admin joins a group
    own = await _propose(
        policy_api,
        a.token["admin"],
        {"role": "admin", "operation": "USER_CREATE", "scope": "lead", "article": "第三条"},
    )
    group = (
        await policy_api.data(
            GROUP_ADD, {"input": {"role": "admin", "group": "supervisor"}}, token=a.token["admin"]
        )
    )["policyGroupAdd"]
    # then both are refused citing R3.1
    assert [(e["code"], e["rule"]) for e in own["userErrors"]] == [("SELF_WIDENING", "R3.1")]
    assert [(e["code"], e["rule"]) for e in group["userErrors"]] == [("ADMIN_LIFECYCLE_POWER", "R3.1")]


async def test_R3_2_a_group_line_is_proposed_and_in_force_once_approved(policy_api, session_factory):
    # given an evaluator, who reads no obligation calendar
    a = await _with_second_admin(policy_api, session_factory, "evaluator")
    assert (
        "OBLIGATION_READ"
        not in (await policy_api.data(VIEWER_OPS, token=a.token["evaluator"]))["viewer"]["operations"]
    )
    # when one administrator proposes that evaluators join the supervisors, and the other approves
    proposed = (
        await policy_api.data(
            GROUP_ADD, {"input": {"role": "evaluator", "group": "supervisor"}}, token=a.token["admin"]
        )
    )["policyGroupAdd"]
    between = (await policy_api.data(VIEWER_OPS, token=a.token["evaluator"]))["viewer"]["operations"]
    approved = (
        await policy_api.data(
            APPROVE, {"input": {"changeId": proposed["change"]["id"]}}, token=a.token["admin2"]
        )
    )["policyChangeApprove"]
    # then the evaluator holds the supervisors' powers only after the approval
    assert proposed["userErrors"] == [] and "OBLIGATION_READ" not in between
    assert approved["userErrors"] == [] and approved["change"]["rule"]["line"] == "g, evaluator, supervisor"
    assert (
        "OBLIGATION_READ"
        in (await policy_api.data(VIEWER_OPS, token=a.token["evaluator"]))["viewer"]["operations"]
    )


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
    # when adding an existing line, removing the administrators' only policy:write line, and proposing the
    # same grant twice
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
    grant = {"role": "finance", "operation": "AUDIT_LOG_READ", "scope": "any", "article": "第四条"}
    await _propose(policy_api, a.token["admin"], grant)
    again = await _propose(policy_api, a.token["admin"], grant)
    # then all three are refused
    assert [e["code"] for e in duplicate["userErrors"]] == ["DUPLICATE_RULE"]
    assert [e["code"] for e in lockout["userErrors"]] == ["LAST_POLICY_WRITER"]
    assert [(e["code"], e["rule"]) for e in again["userErrors"]] == [("DUPLICATE_PROPOSAL", "R3.2")]
