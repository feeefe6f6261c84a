"""Dashboards: SQL aggregates equal the sums computed from the rows, within the viewer's scope."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from tests.api.projects_helpers import create
from tests.api.supervision_helpers import order_rectification, reserve_project, under_construction
from tests.utils import make_agencies

DASHBOARD = """query { dashboard {
  projectsByStatus { key count } projectsByYear { key count } projectsByKind { key count }
  projectsByUnit { key label count }
  investmentByYearAndUnit { year organizationId requested approved disbursed }
  overdueObligationsByAgency { key count } } }"""
ROWS = """query { projects(first: 100) { edges { node { status year kind totalInvestment approvedInvestment
  leadOrganization { id } } } } }"""


def _counts(rows: list[dict], field: str) -> dict[str, int]:
    return dict(Counter(str(r[field]) for r in rows if r[field] is not None))


async def test_aggregates_equal_the_sums_computed_from_the_rows_and_respect_the_viewers_scope(
    api, session_factory, clock
):
    # given drafts, reserve projects and one under construction with an overdue quarter, over two units
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac")
    await create(api, a.token["unit"], kind="UPGRADE", totalInvestment="300000.00")
    p1 = await reserve_project(api, a.token["unit"], a.token["bdb"], totalInvestment="1999999.99")
    await reserve_project(
        api, a.token["unit2"], a.token["bdb"], kind="MIGRATION", totalInvestment="2000000.01"
    )
    await under_construction(session_factory, p1["id"], date(2025, 11, 1))  # first report due 1 Feb 2026
    await order_rectification(api, a.token["cac"], p1["id"], "NETWORK_SECURITY", "2026-04-30")
    # when
    board = (await api.data(DASHBOARD, token=a.token["bdb"]))["dashboard"]
    rows = [e["node"] for e in (await api.data(ROWS, token=a.token["bdb"]))["projects"]["edges"]]
    own = (await api.data(DASHBOARD, token=a.token["unit2"]))["dashboard"]
    # then
    assert {c["key"]: c["count"] for c in board["projectsByStatus"]} == _counts(rows, "status")
    assert {c["key"]: c["count"] for c in board["projectsByYear"]} == _counts(rows, "year")
    assert {c["key"]: c["count"] for c in board["projectsByKind"]} == _counts(rows, "kind")
    by_unit = Counter(r["leadOrganization"]["id"] for r in rows)
    assert {c["key"]: c["count"] for c in board["projectsByUnit"]} == by_unit
    assert sum(Decimal(i["requested"]) for i in board["investmentByYearAndUnit"]) == sum(
        Decimal(r["totalInvestment"]) for r in rows
    )
    assert (
        sum(Decimal(i["approved"]) for i in board["investmentByYearAndUnit"])
        == sum(Decimal(r["approvedInvestment"] or 0) for r in rows)
        == Decimal("1000000.00")
    )
    assert board["overdueObligationsByAgency"] == [{"key": a.gid("unit"), "count": 1}]
    assert own["projectsByStatus"] == [{"key": "IN_RESERVE", "count": 1}]
    assert [i["requested"] for i in own["investmentByYearAndUnit"]] == ["2000000.01"]
    assert own["overdueObligationsByAgency"] == []
