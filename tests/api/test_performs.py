"""`Performs`: the operation a mutation declares gates it before its resolver runs, and its refusals are typed
(userErrors in the declared payload, or top-level NOT_FOUND / FORBIDDEN) — over real HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from api.graphql.authz import PROJECT_ACTIONS, Performs
from api.graphql.common import to_global_id
from api.graphql.schema import build_schema
from store import approval_tables, tables
from tests.api.plan_helpers import OPEN_CALL
from tests.api.projects_helpers import CREATE, REVIEW, SUBMIT, UPDATE, create, draft_input, submit
from tests.utils import error_codes, make_agencies

ACTIONS = "query($id: ID!) { project(id: $id) { availableActions { operation } } }"
USER_CREATE = (
    """mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } userErrors { code } } }"""
)
REVOKE = """mutation($i: ApiTokenRevokeInput!) { apiTokenRevoke(input: $i) { userErrors { code } } }"""
PROJECTS_BY_LEAD = "query($o: ID!) { projects(first: 5, filter: {leadOrganizationId: $o}) { totalCount } }"


async def _count(session_factory, table) -> int:
    async with session_factory() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_a_role_without_the_grant_is_refused_before_its_resolver_runs(api, session_factory):
    # given finance, which holds no grant to submit a project or to open a plan call, and an id that is none
    a = await make_agencies(api, session_factory, "finance")
    audit_before = await _count(session_factory, tables.audit_log)
    # when it submits "a project" by that id, and opens a call (an operation on no object)
    on_project = await api.gql(SUBMIT, {"input": {"projectId": "not-an-id"}}, token=a.token["finance"])
    no_object = await api.gql(
        OPEN_CALL,
        {
            "i": {
                "year": 2026,
                "deadline": "2026-03-31",
                "budgetCompilationDate": "2026-04-15",
                "requirements": "报送",
            }
        },
        token=a.token["finance"],
    )
    # then both are FORBIDDEN naming the operation: the resolver, which answers NOT_FOUND for that id, never ran
    assert error_codes(on_project) == ["FORBIDDEN"] and error_codes(no_object) == ["FORBIDDEN"]
    assert on_project["errors"][0]["extensions"]["operation"] == "project:submit-to-reserve"
    assert no_object["errors"][0]["extensions"]["operation"] == "plan-call:open"
    # and nothing was written
    assert await _count(session_factory, approval_tables.plan_calls) == 0
    assert await _count(session_factory, tables.audit_log) == audit_before


async def test_a_domain_refusal_is_the_declared_payload_with_user_errors_and_writes_nothing(
    api, session_factory
):
    # given a unit with a submitted project, and bdb
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await submit(api, a.token["unit"], (await create(api, a.token["unit"]))["id"])
    projects_before = await _count(session_factory, tables.projects)
    audit_before = await _count(session_factory, tables.audit_log)
    # when the unit drafts off the government cloud without a reason (R6), and bdb reviews with no checks (R7)
    drafted = (
        await api.data(CREATE, {"input": draft_input(deploysOnGovernmentCloud=False)}, token=a.token["unit"])
    )["projectCreate"]
    reviewed = (
        await api.data(REVIEW, {"input": {"projectId": project["id"], "checks": []}}, token=a.token["bdb"])
    )["reserveReviewRecord"]
    # then each answer is its payload: every field but userErrors empty, each error with its rule and article
    assert drafted["project"] is None
    assert [(e["code"], e["rule"], e["article"]) for e in drafted["userErrors"]] == [
        ("PLATFORM_EXEMPTION_REASON_REQUIRED", "R6", "第六条")
    ]
    assert reviewed["project"] is None and reviewed["review"] is None
    assert reviewed["userErrors"] and all(e["rule"].startswith("R7") for e in reviewed["userErrors"])
    # and nothing was written: no project, no review, no audit record
    assert await _count(session_factory, tables.projects) == projects_before
    assert await _count(session_factory, tables.reserve_reviews) == 0
    assert await _count(session_factory, tables.audit_log) == audit_before


async def test_a_missing_object_is_top_level_not_found(api, session_factory):
    # given a unit
    a = await make_agencies(api, session_factory, "unit")
    # when it submits a project id that is well formed but names no project
    body = await api.gql(
        SUBMIT, {"input": {"projectId": to_global_id("Project", 987654)}}, token=a.token["unit"]
    )
    # then NOT_FOUND at the top level, and no payload
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["data"] is None


async def test_an_object_out_of_scope_but_readable_is_top_level_forbidden(api, session_factory):
    # given a draft led by one unit with another participating (it may read the draft, not edit it)
    a = await make_agencies(api, session_factory, "unit", "unit2")
    project = await create(api, a.token["unit"], participants=[{"organizationId": a.gid("unit2")}])
    # when the participant edits the draft's name
    body = await api.gql(
        UPDATE, {"input": {"projectId": project["id"], "name": "改名"}}, token=a.token["unit2"]
    )
    # then FORBIDDEN at the top level naming the operation, and the draft keeps its name
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["extensions"]["operation"] == "project:update"
    async with session_factory() as session:
        names = (await session.execute(select(tables.projects.c.name))).scalars().all()
    assert names == [project["name"]]


async def test_an_unauthenticated_caller_gets_unauthenticated_not_a_refusal(api, session_factory):
    # given no token
    # when a mutation is sent
    body = await api.gql(SUBMIT, {"input": {"projectId": "not-an-id"}})
    # then the authentication error passes through unchanged
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_one_decoder_a_garbage_or_foreign_id_is_not_found_everywhere(api, session_factory):
    # given a unit, an administrator and a draft
    a = await make_agencies(api, session_factory, "unit", "admin")
    project = await create(api, a.token["unit"])
    organization = a.gid("unit")
    # when ids that are not ids of the expected type are sent to mutations and filters
    answers = [
        await api.gql(SUBMIT, {"input": {"projectId": "not-an-id"}}, token=a.token["unit"]),
        await api.gql(SUBMIT, {"input": {"projectId": organization}}, token=a.token["unit"]),
        await api.gql(
            USER_CREATE,
            {
                "i": {
                    "username": "new.user",
                    "displayName": "新用户",
                    "organizationId": project["id"],
                }
            },
            token=a.token["admin"],
        ),
        await api.gql(REVOKE, {"i": {"apiTokenId": "garbage"}}, token=a.token["admin"]),
        await api.gql(PROJECTS_BY_LEAD, {"o": "garbage"}, token=a.token["unit"]),
    ]
    # then every one is NOT_FOUND (no INVALID_ID, no silently empty result), and no user was made
    assert [error_codes(body) for body in answers] == [["NOT_FOUND"]] * len(answers)
    async with session_factory() as session:
        users = (await session.execute(select(tables.users.c.username))).scalars().all()
    assert "new.user" not in users


async def test_available_actions_are_the_operations_declared_on_a_project_in_their_listed_order(
    api, session_factory
):
    # given the operations the schema's mutations declare on a project
    mutation = build_schema().get_type_by_name("Mutation")
    declared = {
        e.operation
        for f in mutation.fields
        for e in f.extensions
        if isinstance(e, Performs) and e.target == "Project"
    }
    # and a draft its unit asks about
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    listed = (await api.data(ACTIONS, {"id": project["id"]}, token=a.token["unit"]))["project"][
        "availableActions"
    ]
    # then PROJECT_ACTIONS lists each exactly once, and availableActions follows its order
    assert set(PROJECT_ACTIONS) == declared and len(PROJECT_ACTIONS) == len(declared)
    assert [r["operation"] for r in listed] == [op.name for op in PROJECT_ACTIONS]
