"""`Project.timeline`: the project's events in order, from the audit log, for whoever may read it."""

from __future__ import annotations

from graphql import parse
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql

from api import limits
from api.graphql.audit.timeline import timeline_query
from tests.api.supervision_helpers import order_rectification, reserve_project
from tests.utils import error_codes, make_agencies

TIMELINE = "query($id: ID!) { project(id: $id) { timeline { operation label actorRole targetType status } } }"


async def test_the_timeline_lists_every_event_of_the_project_in_order(api, session_factory):
    # given a project drafted, submitted, accepted into the reserve, then inspected with a rectification order
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac", "audit")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-04-30")
    # when
    events = (await api.data(TIMELINE, {"id": project["id"]}, token=a.token["audit"]))["project"]["timeline"]
    stranger = await api.gql(TIMELINE, {"id": project["id"]}, token=a.token["unit2"])
    # then
    assert [(e["operation"], e["actorRole"], e["targetType"]) for e in events] == [
        ("project:create", "unit", "Project"),
        ("project:submit-to-reserve", "unit", "Project"),
        ("reserve-review:record", "bdb", "Project"),
        ("inspection:open", "cac", "Inspection"),
        ("inspection:conclude", "cac", "Inspection"),
    ]
    assert events[2]["status"] == "IN_RESERVE" and events[4]["label"] == "记录检查发现并责令限期整改"
    assert error_codes(stranger) == ["NOT_FOUND"]


async def test_timelines_of_a_list_of_projects_are_read_in_one_statement_each_with_its_own_events(
    api, session_factory, engine
):
    # given three projects of one unit, one of them inspected (events on other objects naming it)
    a = await make_agencies(api, session_factory, "unit", "bdb", "cac", "audit")
    projects = [await reserve_project(api, a.token["unit"], a.token["bdb"]) for _ in range(3)]
    await order_rectification(api, a.token["cac"], projects[1]["id"], "NETWORK_SECURITY", "2026-04-30")
    query = "query { projects(first: 10) { edges { node { id timeline { operation targetType } } } } }"
    timeline_statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if "audit_log" in statement and "UNION" in statement:
            timeline_statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        # when the list asks for the three timelines
        body = await api.data(query, token=a.token["audit"])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    # then one statement reads them all, and each project gets its own events only
    timelines = {e["node"]["id"]: e["node"]["timeline"] for e in body["projects"]["edges"]}
    assert len(timeline_statements) == 1 and len(timelines) == 3
    plain = [("project:create", "Project"), ("project:submit-to-reserve", "Project")]
    plain.append(("reserve-review:record", "Project"))
    assert [(e["operation"], e["targetType"]) for e in timelines[projects[0]["id"]]] == plain
    assert [(e["operation"], e["targetType"]) for e in timelines[projects[2]["id"]]] == plain
    assert [(e["operation"], e["targetType"]) for e in timelines[projects[1]["id"]]] == [
        *plain,
        ("inspection:open", "Inspection"),
        ("inspection:conclude", "Inspection"),
    ]


async def test_the_timeline_finds_records_naming_a_project_through_the_projectid_indexes(session_factory):
    # given the timeline statement for two projects, and the planner told to avoid sequential scans
    async with session_factory() as session, session.begin():
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        compiled = timeline_query([7, 8]).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        # when PostgreSQL plans it
        plan = "\n".join((await session.execute(text(f"EXPLAIN {compiled}"))).scalars())
    # then the records naming a project in `after` or `before` are found through migration 0011's indexes
    assert "ix_audit_log_after_project_id" in plan and "ix_audit_log_before_project_id" in plan, plan


def test_a_timeline_costs_like_a_page_of_a_hundred_rows():
    # given one timeline of five fields, and twenty aliased ones
    one = parse("query { project(id: 1) { timeline { operation label actorRole targetType status } } }")
    many = parse(
        "query { "
        + " ".join(
            f"p{i}: project(id: {i}) {{ timeline {{ operation label actorRole targetType status }} }}"
            for i in range(20)
        )
        + " }"
    )
    # when costed / then the field counts 100 and its children 100 times each
    assert limits.query_cost(one, None, {}) == 1 + (100 + 100 * 5)
    assert limits.query_cost(many, None, {}) == 20 * (1 + 100 + 100 * 5) > limits.MAX_COST


async def test_twenty_aliased_timelines_are_refused_by_the_cost_budget(api, session_factory):
    # given a signed-in auditor
    a = await make_agencies(api, session_factory, "audit")
    fields = " ".join(
        f'p{i}: project(id: "UHJvamVjdDox") {{ timeline {{ operation label actorRole targetType status }} }}'
        for i in range(20)
    )
    query = f"query {{ {fields} }}"
    # when asking for twenty timelines at once
    body = await api.gql(query, token=a.token["audit"])
    # then the request is refused before anything runs, naming the cost limit
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["limit"] == "cost"
