"""The frontend's project list shows, per project, its latest progress report and next obligation (issue 8)."""

from __future__ import annotations

from datetime import date

from tests.api.lifecycle_helpers import (
    CONTRACT,
    LIFECYCLE_AGENCIES,
    PROGRESS,
    approved_project,
    contract_input,
    move_to,
    mutate,
    ok,
)
from tests.api.projects_helpers import CREATE, draft_input
from tests.utils import make_agencies

LIST = """query($n: Int) { projects(first: $n) { edges { node {
  code status
  latestProgressReport { periodNumber physicalProgress }
  nextObligation { rule dueOn state project { code } }
} } } }"""


async def test_each_project_shows_its_latest_progress_report_and_next_obligation(api, session_factory, clock):
    # given a project approved on 28 Feb 2026 that reported periods 1 and 2, and a draft of another unit
    clock.now = clock.now.replace(month=2, day=28)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES, "integrator")
    project = await approved_project(api, a, approval_date="2026-02-28")
    ok(await mutate(api, a, CONTRACT, "unit", contract_input(project["id"], signedOn="2026-02-28")))
    for period, day in ((1, date(2026, 5, 20)), (2, date(2026, 8, 20))):
        await move_to(api, a, clock, day)
        report = {
            "projectId": project["id"],
            "periodNumber": period,
            "physicalProgress": f"{period}0",
            "fundsSpent": "1000.00",
        }
        ok(await mutate(api, a, PROGRESS, "unit", report))
    await api.data(CREATE, {"input": draft_input(name="草稿项目")}, token=a.token["unit"])
    # when the unit reads its list on 1 Sep 2026
    await move_to(api, a, clock, date(2026, 9, 1))
    body = await api.data(LIST, {"n": 10}, token=a.token["unit"])
    integrator = await api.data(LIST, {"n": 10}, token=a.token["integrator"])
    # then the approved project shows its second report and the third period, due 28 Nov (R18, Civil Code Art. 202); the draft neither
    nodes = {n["status"]: n for n in (e["node"] for e in body["projects"]["edges"])}
    approved, draft = nodes["UNDER_CONSTRUCTION"], nodes["DRAFT"]
    assert approved["latestProgressReport"] == {"periodNumber": 2, "physicalProgress": "20.00"}
    assert approved["nextObligation"] == {
        "rule": "R18",
        "dueOn": "2026-11-28",
        "state": "OPEN",
        "project": {"code": approved["code"]},
    }
    assert draft["latestProgressReport"] is None and draft["nextObligation"] is None
    # and an integrator, who reads published projects but not their obligations, sees the report, not the obligation
    (seen,) = [e["node"] for e in integrator["projects"]["edges"]]
    assert seen["latestProgressReport"] == approved["latestProgressReport"] and seen["nextObligation"] is None
