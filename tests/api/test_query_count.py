"""No N+1: the number of SQL statements of the project list does not grow with the page size."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import make_agencies

# The frontend's project list (issue 8): unit, participants, latest progress report, next obligation, and more.
LIST = """query($n: Int) { projects(first: $n) { totalCount edges { node {
  id code name status statusLabel totalInvestment version updatedAt
  leadOrganization { id name type }
  participants { organization { id name } businessFlow }
  catalogue { code name }
  reserveReviews { outcome checks { check passed } }
  latestProgressReport { periodNumber physicalProgress }
  nextObligation { rule dueOn state organization { name } }
  availableActions { operation allowed }
} } } }"""
# bench/lifecycle.py's CREATE and SUBMIT
BENCH_CREATE = """mutation($input: ProjectCreateInput!) { projectCreate(input: $input)
  { project { id } userErrors { code } } }"""
BENCH_SUBMIT = """mutation($input: ProjectSubmitToReserveInput!) { projectSubmitToReserve(input: $input)
  { project { status } userErrors { code } } }"""


async def test_project_list_statements_do_not_grow_with_page_size(api, session_factory, engine):
    # given 50 joint projects led by one unit, each with two participating units and a catalogue item
    a = await make_agencies(api, session_factory, "unit", "unit2", "unit3")
    participants = [{"organizationId": a.gid(role), "businessFlow": "审批"} for role in ("unit2", "unit3")]
    for start in range(0, 50, 10):
        await asyncio.gather(
            *(
                api.data(
                    CREATE,
                    {
                        "input": draft_input(
                            name=f"联建项目{i}",
                            participants=participants,
                            catalogue=[{"code": f"C{i}", "name": "人口库", "newConstruction": False}],
                        )
                    },
                    token=a.token["unit"],
                )
                for i in range(start, start + 10)
            )
        )
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        # when the list is read at 10 and at 100 per page
        counts = {}
        for size in (10, 100):
            statements.clear()
            body = await api.data(LIST, {"n": size}, token=a.token["unit"])
            counts[size] = len(statements)
            assert len(body["projects"]["edges"]) == min(size, 50)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    # then
    assert counts[10] == counts[100], counts


async def test_a_drafts_create_and_submission_each_run_a_fixed_short_list_of_statements(
    api, session_factory, engine
):
    # given a unit (signed in: the credential check is cached) and the two mutations of `bench lifecycle`,
    # asking what it asks
    # (one submitted before: the year's first submission also adds the block of code numbers)
    a = await make_agencies(api, session_factory, "unit")
    first = await api.data(BENCH_CREATE, {"input": draft_input(name="预热项目")}, token=a.token["unit"])
    first_id = first["projectCreate"]["project"]["id"]
    await api.data(BENCH_SUBMIT, {"input": {"projectId": first_id}}, token=a.token["unit"])
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(" ".join(statement.split())[:40])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        # when it creates a draft, then submits it to the reserve
        created = await api.data(BENCH_CREATE, {"input": draft_input()}, token=a.token["unit"])
        on_create = list(statements)
        statements.clear()
        submit = {"input": {"projectId": created["projectCreate"]["project"]["id"]}}
        submitted = await api.data(BENCH_SUBMIT, submit, token=a.token["unit"])
        on_submit = list(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    # then the create inserts the draft and its audit record; the submission locks and reads the project,
    # takes a code number, updates the project and writes its audit record — nothing else (issue 17: the
    # obligation-date refresh once added two statements to each, with no calendar fact written)
    assert submitted["projectSubmitToReserve"]["userErrors"] == []
    assert len(on_create) == 2, on_create
    assert len(on_submit) == 4, on_submit
