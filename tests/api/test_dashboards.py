"""Dashboards: SQL aggregates equal the sums computed from the rows, within the viewer's scope."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from api.graphql.common import from_global_id
from api.graphql.dashboards.queries import FIELD_OPERATIONS
from authz.matrix import ROLES
from authz.operations import Operation
from store import construction_tables
from tests.api.projects_helpers import create
from tests.api.supervision_helpers import order_rectification, reserve_project, under_construction
from tests.utils import error_codes, make_agencies

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


INTROSPECT = """query($name: String!) { __type(name: $name) { fields { name type { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } }"""


def _named(type_ref: dict[str, Any]) -> tuple[str, str]:
    while type_ref.get("ofType") is not None:
        type_ref = type_ref["ofType"]
    return type_ref["kind"], type_ref["name"]


async def _leaf_paths(api, token: str, type_name: str, prefix: str = "") -> list[str]:
    """Every scalar field under a type, as `field` or `field.rowField` paths."""
    fields = (await api.data(INTROSPECT, {"name": type_name}, token=token))["__type"]["fields"]
    paths = []
    for field in fields:
        kind, name = _named(field["type"])
        path = prefix + field["name"]
        if kind == "OBJECT":
            paths += await _leaf_paths(api, token, name, path + ".")
        else:
            paths.append(path)
    return paths


def _operation_of(path: str) -> Operation:
    """The most specific declaration: `aggregate.rowField`, else `aggregate`."""
    return FIELD_OPERATIONS.get(path) or FIELD_OPERATIONS[path.split(".")[0]]


# How each guarded source field is read over the API for one project: its value, or None when refused.
SOURCE_READS = {
    Operation.PROJECT_READ: (
        "query($id: ID) { project(id: $id) { status year kind totalInvestment approvedInvestment "
        "leadOrganization { id name } } }",
        lambda data: data.get("project") if data else None,
    ),
    Operation.DISBURSEMENT_READ: (
        "query($id: ID!) { projectImplementation(projectId: $id) { disbursedTotal } }",
        lambda data: (data.get("projectImplementation") or {}).get("disbursedTotal") if data else None,
    ),
    Operation.OBLIGATION_READ: (
        "query { obligations(first: 100, filter: {state: OVERDUE}) { totalCount } }",
        lambda data: (data.get("obligations") or {}).get("totalCount") or None if data else None,
    ),
}


def _aggregate(board: dict[str, Any], path: str) -> list[Any]:
    """The values at a leaf path of the dashboard (one per row)."""
    head, _, rest = path.partition(".")
    rows = board[head]
    return [row[rest] for row in rows] if rest else rows


async def test_every_dashboard_aggregate_follows_the_field_rule_of_what_it_sums_for_every_role(
    api, session_factory, clock
):
    # given a project under construction with 250,000.00 disbursed and an overdue quarterly report,
    # and a signed-in user of every role
    a = await make_agencies(api, session_factory, *ROLES)
    project = await reserve_project(api, a.token["unit"], a.token["bdb"], totalInvestment="1500000.00")
    await under_construction(session_factory, project["id"], date(2025, 11, 1))
    decoded = from_global_id(project["id"])
    assert decoded is not None
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(construction_tables.disbursements).values(
                project_id=decoded[1],
                kind="ADVANCE",
                amount=Decimal("250000.00"),
                paid_on=date(2026, 1, 5),
                recorded_at=datetime(2026, 1, 5, tzinfo=UTC),
            )
        )
    paths = await _leaf_paths(api, a.token["admin"], "Dashboard")
    selection = {}
    for path in paths:
        head, _, rest = path.partition(".")
        selection.setdefault(head, []).append(rest)
    fields = " ".join(f"{head} {{ {' '.join(rests)} }}" for head, rests in selection.items())
    document = f"query {{ dashboard {{ {fields} }} }}"
    for role in ROLES:
        # when the role reads the whole dashboard, and each source field one by one
        body = await api.gql(document, token=a.token[role])
        board = body["data"]["dashboard"]
        sources = {}
        for operation, (query, read) in SOURCE_READS.items():
            answer = await api.gql(query, {"id": project["id"]}, token=a.token[role])
            sources[operation] = read(answer.get("data"))
        # then every aggregate field shows exactly what the field it sums shows to that role
        for path in paths:
            operation = _operation_of(path)
            assert operation in SOURCE_READS, f"{path}: no way to read {operation} in this test"
            values = _aggregate(board, path)
            source = sources[operation]
            if operation is Operation.PROJECT_READ:
                assert bool(values) == (source is not None), (role, path, values)
            elif operation is Operation.DISBURSEMENT_READ:
                expected = [source] if sources[Operation.PROJECT_READ] is not None else []
                assert values == expected, (role, path, values, source)
            elif operation is Operation.OBLIGATION_READ:
                assert sum(r["count"] for r in board[path.split(".")[0]]) == (source or 0), (role, path)
        readable = sources[Operation.PROJECT_READ]
        if readable is not None:
            row = board["investmentByYearAndUnit"][0]
            assert (row["requested"], row["approved"]) == (
                readable["totalInvestment"],
                readable["approvedInvestment"],
            ), role
        hidden = readable is not None and sources[Operation.DISBURSEMENT_READ] is None
        assert ("FORBIDDEN" in error_codes(body)) == hidden, (role, body.get("errors"))
    assert {path for path in paths if _operation_of(path) is Operation.DISBURSEMENT_READ} == {
        "investmentByYearAndUnit.disbursed"
    }


async def test_disbursed_is_hidden_from_the_roles_refused_on_disbursed_total(api, session_factory):
    # given a project under construction with a payment, seen by cac (refused on disbursedTotal) and finance
    a = await make_agencies(api, session_factory, "unit", "bdb", "cac", "finance")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await under_construction(session_factory, project["id"], date(2025, 11, 1))
    decoded = from_global_id(project["id"])
    assert decoded is not None
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(construction_tables.disbursements).values(
                project_id=decoded[1],
                kind="ADVANCE",
                amount=Decimal("300000.00"),
                paid_on=date(2026, 1, 5),
                recorded_at=datetime(2026, 1, 5, tzinfo=UTC),
            )
        )
    query = "query { dashboard { investmentByYearAndUnit { requested disbursed } } }"
    # when each reads the dashboard's investment
    cac = await api.gql(query, token=a.token["cac"])
    finance = await api.gql(query, token=a.token["finance"])
    # then cac sees the investment but a null disbursement with FORBIDDEN; finance sees the payment
    assert cac["data"]["dashboard"]["investmentByYearAndUnit"] == [
        {"requested": "12800000.00", "disbursed": None}
    ]
    assert error_codes(cac) == ["FORBIDDEN"]
    assert finance["data"]["dashboard"]["investmentByYearAndUnit"][0]["disbursed"] == "300000.00"
