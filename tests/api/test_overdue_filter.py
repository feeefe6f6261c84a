"""projects(filter: {hasOverdueObligations}) is SQL on the stored earliest unmet due date (issue 15.4) and
equals the derived calendar (`obligations(state: OVERDUE)`) for every demo project, at each day boundary."""

from __future__ import annotations

from datetime import date, time, timedelta

from api.cli.demo import seed_demo
from tests.api.lifecycle_helpers import (
    LIFECYCLE_AGENCIES,
    PROGRESS,
    move_to,
    mutate,
    ok,
    under_construction,
)
from tests.utils import make_agencies

LIST = """query($first: Int, $after: String, $overdue: Boolean) {
  projects(first: $first, after: $after, filter: {hasOverdueObligations: $overdue}) {
    pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
OBLIGATIONS = """query($state: ObligationState) { obligations(first: 100, filter: {state: $state}) {
  edges { node { dueOn state project { id } } } } }"""
LAST_INSTANT = time(23, 59, 59, 999000)


async def _listed(api, token, overdue: bool) -> list[str]:
    """Every project of the filtered list, two a page, following the keyset cursor."""
    ids: list[str] = []
    after = None
    while True:
        variables = {"first": 2, "after": after, "overdue": overdue}
        page = (await api.data(LIST, variables, token=token))["projects"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def _derived(api, token) -> set[str]:
    data = await api.data(OBLIGATIONS, {"state": "OVERDUE"}, token=token)
    return {e["node"]["project"]["id"] for e in data["obligations"]["edges"]}


async def test_the_overdue_filter_equals_the_derived_calendar_for_every_demo_project_at_day_boundaries(
    api, session_factory, clock
):
    # given the demo data, loaded through the use cases, and bdb, which reads every project's obligations
    assert await seed_demo(session_factory, clock)
    a = await make_agencies(api, session_factory, "bdb")
    await move_to(api, a, clock, date(2026, 3, 2))
    everything = await api.data(OBLIGATIONS, {"state": None}, token=a.token["bdb"])
    due_days = sorted({date.fromisoformat(e["node"]["dueOn"]) for e in everything["obligations"]["edges"]})
    all_projects = set(await _listed(api, a.token["bdb"], False)) | set(
        await _listed(api, a.token["bdb"], True)
    )
    assert due_days, "the demo has obligations"
    seen_overdue = set()
    for day in due_days:
        for moment in ((day, LAST_INSTANT), (day + timedelta(days=1), time(0, 0))):
            # when the clock is at the last instant of a due date, then at the first of the next day
            await move_to(api, a, clock, *moment)
            overdue = await _listed(api, a.token["bdb"], True)
            not_overdue = await _listed(api, a.token["bdb"], False)
            # then the filter lists exactly the projects the calendar derives as overdue, each once
            derived = await _derived(api, a.token["bdb"])
            assert set(overdue) == derived, moment
            assert len(overdue) == len(set(overdue))
            assert set(not_overdue) == all_projects - derived, moment
            seen_overdue |= derived
    # and the walk saw both answers: a due date passes at midnight China time, not before
    assert seen_overdue


async def test_a_late_progress_report_clears_the_filter_in_its_own_transaction(api, session_factory, clock):
    # given a project under construction whose first quarterly report (R18) fell due and was not sent
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    due = date.fromisoformat(
        (await api.data(OBLIGATIONS, {"state": None}, token=a.token["bdb"]))["obligations"]["edges"][0][
            "node"
        ]["dueOn"]
    )
    await move_to(api, a, clock, due, LAST_INSTANT)
    in_time = await _listed(api, a.token["bdb"], True)
    await move_to(api, a, clock, due + timedelta(days=1), time(0, 0))
    overdue = await _listed(api, a.token["bdb"], True)
    # when the unit sends the report late
    ok(
        await mutate(
            api,
            a,
            PROGRESS,
            "unit",
            {
                "projectId": project["id"],
                "periodNumber": 1,
                "physicalProgress": "35.00",
                "fundsSpent": "0.00",
            },
        )
    )
    # then the project is listed as overdue from the day after the due date until the report arrives
    assert in_time == [] and overdue == [project["id"]]
    assert await _listed(api, a.token["bdb"], True) == []
    assert await _listed(api, a.token["unit"], False) == [project["id"]]
