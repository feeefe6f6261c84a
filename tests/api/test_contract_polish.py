"""The schema as a frontend reads it (issue 14.5, 14.7): page defaults, exactly-one arguments, `nodes`,
nullable `node(id:)`, `rateLimit`, normalizable obligations and notices, labels, `/schema.graphql`."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import insert

from api import schema_contract
from api.app import create_app
from api.graphql.common import to_global_id
from store.supervision_tables import notifications
from tests.api.list_helpers import insert_projects, project_row
from tests.api.projects_helpers import create
from tests.api.supervision_helpers import order_rectification, reserve_project
from tests.utils import error_codes, make_agencies

PAGE = """query($first: Int, $last: Int) { projects(first: $first, last: $last) {
  nodes { code } edges { node { code } } pageInfo { hasNextPage hasPreviousPage } } }"""


def _paths(body: dict) -> list[tuple[list, str]]:
    return [(e.get("path"), e["extensions"]["code"]) for e in body.get("errors", [])]


async def test_a_list_without_first_or_last_gives_the_first_20_and_nodes_mirror_the_edges(
    api, session_factory
):
    # given 21 projects the unit may read
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], n) for n in range(1, 22)])
    # when listing without first or last
    page = (await api.data(PAGE, token=a.token["unit"]))["projects"]
    # then the default page is 20, one more follows, and `nodes` is `edges { node }` in the same order
    assert len(page["nodes"]) == 20 and page["pageInfo"]["hasNextPage"] is True
    assert page["nodes"] == [e["node"] for e in page["edges"]]


async def test_page_size_100_is_served_and_101_or_first_with_last_is_bad_user_input(api, session_factory):
    # given a unit with one project
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    # when asking for 100, 101, and first with last
    hundred = await api.gql(PAGE, {"first": 100}, token=a.token["unit"])
    too_many = await api.gql(PAGE, {"first": 101}, token=a.token["unit"])
    both = await api.gql(PAGE, {"first": 1, "last": 1}, token=a.token["unit"])
    # then only the first is answered
    assert "errors" not in hundred and len(hundred["data"]["projects"]["nodes"]) == 1
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert error_codes(both) == ["BAD_USER_INPUT"]


PROJECT = """query($id: ID, $code: String) { project(id: $id, code: $code) { id code } }"""


async def test_project_takes_exactly_one_of_id_and_code(api, session_factory):
    # given a reserve project with a code
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    code = (await api.data(PROJECT, {"id": project["id"]}, token=a.token["unit"]))["project"]["code"]
    # when asking by code, by both, and by neither
    by_code = await api.data(PROJECT, {"code": code}, token=a.token["unit"])
    both = await api.gql(PROJECT, {"id": project["id"], "code": code}, token=a.token["unit"])
    neither = await api.gql(PROJECT, {}, token=a.token["unit"])
    # then the code finds the project, the others are BAD_USER_INPUT
    assert by_code["project"]["id"] == project["id"]
    assert error_codes(both) == ["BAD_USER_INPUT"] and error_codes(neither) == ["BAD_USER_INPUT"]


BY = """query($by: ProjectLookup, $id: ID) { project(by: $by, id: $id) { id code } }"""


async def test_project_by_is_a_oneof_lookup_and_cannot_be_combined_with_the_old_arguments(
    api, session_factory
):
    # given a reserve project with a code
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    code = (await api.data(PROJECT, {"id": project["id"]}, token=a.token["unit"]))["project"]["code"]
    # when asking by {id}, by {code}, by {id, code} as a variable and as a literal, and by with id
    by_id = await api.data(BY, {"by": {"id": project["id"]}}, token=a.token["unit"])
    by_code = await api.data(BY, {"by": {"code": code}}, token=a.token["unit"])
    both_variable = await api.gql(BY, {"by": {"id": project["id"], "code": code}}, token=a.token["unit"])
    both_literal = await api.gql(
        f'{{ project(by: {{id: "{project["id"]}", code: "{code}"}}) {{ id }} }}', token=a.token["unit"]
    )
    mixed = await api.gql(BY, {"by": {"code": code}, "id": project["id"]}, token=a.token["unit"])
    # then one key finds the project; two keys are refused by the type itself, `by` with `id` by the resolver
    assert by_id["project"]["id"] == by_code["project"]["id"] == project["id"]
    assert error_codes(both_variable) == ["BAD_USER_INPUT"]
    assert error_codes(both_literal) == ["GRAPHQL_VALIDATION_FAILED"]
    assert error_codes(mixed) == ["BAD_USER_INPUT"]


NODE_AND_SIBLING = """query($id: ID!) { viewer { role } node(id: $id) { id } }"""


async def test_node_of_a_missing_id_is_null_with_NOT_FOUND_and_its_siblings_survive(api, session_factory):
    # given a signed-in unit and the id of a project that does not exist
    a = await make_agencies(api, session_factory, "unit")
    missing = to_global_id("Project", 987654)
    # when asking for it next to another field
    body = await api.gql(NODE_AND_SIBLING, {"id": missing}, token=a.token["unit"])
    # then node is null with NOT_FOUND at its path, and viewer is still answered
    assert body["data"]["node"] is None and body["data"]["viewer"]["role"] == "unit"
    assert _paths(body) == [(["node"], "NOT_FOUND")]


NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Project { name } } }"""


async def test_nodes_answers_each_id_in_its_place_and_null_for_a_missing_or_hidden_one(api, session_factory):
    # given the unit's project, another unit's draft, and an id that is no id of ours
    a = await make_agencies(api, session_factory, "unit", "unit2")
    mine = await create(api, a.token["unit"])
    theirs = await create(api, a.token["unit2"], name="营口市交通运行监测平台")
    ids = [mine["id"], theirs["id"], "not-an-id", mine["id"]]
    # when asking for all of them at once
    body = await api.gql(NODES, {"ids": ids}, token=a.token["unit"])
    # then each answer is in its place; the hidden and the forged ones are null with their own NOT_FOUND
    assert [n and n["id"] for n in body["data"]["nodes"]] == [mine["id"], None, None, mine["id"]]
    assert sorted(_paths(body)) == [(["nodes", 1], "NOT_FOUND"), (["nodes", 2], "NOT_FOUND")]


async def test_nodes_takes_at_most_100_ids_and_needs_a_signed_in_caller(api, session_factory):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    ids = [to_global_id("Project", n) for n in range(1, 102)]
    # when asking for 101 ids, 100 ids, and any id without a token
    too_many = await api.gql(NODES, {"ids": ids}, token=a.token["unit"])
    hundred = await api.gql(NODES, {"ids": ids[:100]}, token=a.token["unit"])
    anonymous = await api.gql(NODES, {"ids": ids[:3]})
    # then 101 is BAD_USER_INPUT, 100 are answered (all null here), and anonymity is one UNAUTHENTICATED
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    assert hundred["data"]["nodes"] == [None] * 100
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


RATE = "query { rateLimit { limit remaining resetAt cost } }"


async def test_rate_limit_shows_the_callers_current_window_as_the_headers_do(api, session_factory, clock):
    # given a unit that has made some requests in the window starting 01:30:00 UTC
    a = await make_agencies(api, session_factory, "unit", "unit2")
    for _ in range(3):
        await api.data("{ viewer { role } }", token=a.token["unit"])
    # when it asks for its rate limit (and another token for its own)
    response = await api.post(RATE, token=a.token["unit"])
    other = (await api.data(RATE, token=a.token["unit2"]))["rateLimit"]
    # then the field agrees with the headers of the same answer, counting this request
    mine = response.json()["data"]["rateLimit"]
    assert mine["limit"] == int(response.headers["RateLimit-Limit"]) == 600
    assert mine["remaining"] == int(response.headers["RateLimit-Remaining"]) == 600 - 4
    assert mine["resetAt"] == "2026-03-02T01:31:00+00:00" and mine["cost"] == 1
    assert other["remaining"] == 600 - 1


OBLIGATIONS = """query { obligations(first: 100) { nodes { id key rule } } }"""
NODE_OBLIGATION = """query($id: ID!) { node(id: $id) { id ... on Obligation { key dueOn } } }"""


async def test_an_obligation_has_a_global_id_that_node_resolves_within_the_calendars_scope(
    api, session_factory
):
    # given a rectification ordered on the unit's project, and another unit
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-04-30")
    obligation = (await api.data(OBLIGATIONS, token=a.token["unit"]))["obligations"]["nodes"][0]
    # when the unit, bdb and the other unit look it up by id
    as_unit = await api.data(NODE_OBLIGATION, {"id": obligation["id"]}, token=a.token["unit"])
    as_bdb = await api.data(NODE_OBLIGATION, {"id": obligation["id"]}, token=a.token["bdb"])
    as_other = await api.gql(NODE_OBLIGATION, {"id": obligation["id"]}, token=a.token["unit2"])
    # then the calendar's readers find it by the same id; the other unit gets null and NOT_FOUND
    assert as_unit["node"]["key"] == as_bdb["node"]["key"] == obligation["key"]
    assert as_other["data"]["node"] is None and error_codes(as_other) == ["NOT_FOUND"]


NOTICES = """query { notifications { nodes { id title } } }"""
NODE_NOTICE = """query($id: ID!) { node(id: $id) { id ... on Notification { title dueOn } } }"""


async def test_a_notification_is_a_node_only_its_own_organization_can_fetch(api, session_factory):
    # given a notice to the unit about its project
    a = await make_agencies(api, session_factory, "unit", "unit2")
    (pk,) = await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(notifications).values(
                organization_id=a.org["unit"],
                project_id=pk,
                obligation_key=f"{pk}:R18:1",
                kind="OPENED",
                rule="R18",
                opens_on=date(2026, 3, 2),
                due_on=date(2026, 6, 1),
            )
        )
    listed = (await api.data(NOTICES, token=a.token["unit"]))["notifications"]["nodes"]
    # when the unit and another unit fetch it by id
    mine = await api.data(NODE_NOTICE, {"id": listed[0]["id"]}, token=a.token["unit"])
    other = await api.gql(NODE_NOTICE, {"id": listed[0]["id"]}, token=a.token["unit2"])
    # then the unit gets the same notice; the other unit gets null and NOT_FOUND
    assert mine["node"] == {"id": listed[0]["id"], "title": listed[0]["title"], "dueOn": "2026-06-01"}
    assert other["data"]["node"] is None and error_codes(other) == ["NOT_FOUND"]


LABELS = """query { dashboard { projectsByStatus { key label } projectsByYear { key label }
  projectsByKind { key label } } }"""


async def test_dashboard_labels_name_every_group_in_the_request_language(api, session_factory):
    # given a project in the reserve in 2026
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], 1, status="IN_RESERVE")])
    # when reading the dashboard in Chinese and in English
    zh = (await api.data(LABELS, token=a.token["unit"]))["dashboard"]
    en = (await api.data(LABELS, token=a.token["unit"], lang="en"))["dashboard"]
    # then every group has its display name
    assert zh["projectsByStatus"] == [{"key": "IN_RESERVE", "label": "已入储备库"}]
    assert en["projectsByStatus"] == [{"key": "IN_RESERVE", "label": "in reserve"}]
    assert (zh["projectsByYear"], en["projectsByYear"]) == (
        [{"key": "2026", "label": "2026年"}],
        [{"key": "2026", "label": "2026"}],
    )
    assert (zh["projectsByKind"][0]["label"], en["projectsByKind"][0]["label"]) == ("新建", "new build")


async def test_schema_graphql_is_served_outside_production_as_the_committed_contract(client):
    # given the development app
    # when fetching /schema.graphql, then again with its ETag
    response = await client.get("/schema.graphql")
    again = await client.get("/schema.graphql", headers={"If-None-Match": response.headers["ETag"]})
    # then it is the committed SDL, and unchanged it is not sent twice
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert response.text == schema_contract.SCHEMA_FILE.read_text(encoding="utf-8")
    assert again.status_code == 304


async def test_schema_graphql_is_404_in_production_where_introspection_is_off(settings, engine, clock):
    # given the production app
    production = settings.model_copy(update={"token_ttl_minutes": 15, "environment": "production"})
    app = create_app(production, engine=engine, clock=clock, policy_from_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://prod") as http:
        # when fetching /schema.graphql
        response = await http.get("/schema.graphql")
    # then it is not there
    assert response.status_code == 404
