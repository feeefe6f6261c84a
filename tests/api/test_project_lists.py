"""The project list: typed filters, pg_trgm text search (two Chinese characters match), typed ordering with
keyset pagination on (sort key, id)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from tests.api.list_helpers import insert_projects, project_row
from tests.utils import error_codes, make_agencies

LIST = """query($first: Int, $after: String, $last: Int, $before: String, $filter: ProjectFilter,
                $orderBy: ProjectOrder) {
  projects(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { cursor node { code name totalInvestment } } } }"""


async def _codes(api, token, **variables):
    data = (await api.data(LIST, {"first": 100} | variables, token=token))["projects"]
    return [e["node"]["code"] for e in data["edges"]]


async def test_search_matches_two_chinese_characters_anywhere_in_the_name_or_a_code_fragment(
    api, session_factory
):
    # given projects named with and without 教育, one with a literal % in its name
    a = await make_agencies(api, session_factory, "unit")
    org = a.org["unit"]
    await insert_projects(
        session_factory,
        [
            project_row(org, 1, name="营口市智慧教育云平台"),
            project_row(org, 2, name="市教育局数据中台"),
            project_row(org, 3, name="营口市智慧交通平台"),
            project_row(org, 4, name="达标率100%监测系统"),
        ],
    )
    # when searching for 教育, a code fragment, and a literal %
    edu = await _codes(api, a.token["unit"], filter={"search": "教育"})
    code = await _codes(api, a.token["unit"], filter={"search": "2026-0003"})
    percent = await _codes(api, a.token["unit"], filter={"search": "0%"})
    # then only the matching projects come back; % is not a wildcard
    assert sorted(edu) == ["YK-2026-0001", "YK-2026-0002"]
    assert code == ["YK-2026-0003"]
    assert percent == ["YK-2026-0004"]


async def test_search_is_served_by_the_trigram_index(session_factory):
    # given the planner told to avoid sequential scans (a tiny table would otherwise never use an index)
    async with session_factory() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        # when planning the search predicate
        plan = "\n".join(
            (
                await session.execute(
                    text(
                        "EXPLAIN SELECT id FROM projects WHERE code ILIKE '%教育局%' OR name ILIKE '%教育局%'"
                    )
                )
            ).scalars()
        )
    # then the GIN trigram indexes are used
    assert "ix_projects_name_trgm" in plan and "ix_projects_code_trgm" in plan, plan


async def test_investment_range_includes_both_bounds(api, session_factory):
    # given 1,999,999.99 / 2,000,000.00 / 2,000,000.01
    a = await make_agencies(api, session_factory, "unit")
    org = a.org["unit"]
    await insert_projects(
        session_factory,
        [
            project_row(org, 1, total_investment=Decimal("1999999.99")),
            project_row(org, 2, total_investment=Decimal("2000000.00")),
            project_row(org, 3, total_investment=Decimal("2000000.01")),
        ],
    )
    # when filtering on exactly 2,000,000.00 as both bounds, and from it upwards
    exact = await _codes(
        api, a.token["unit"], filter={"investmentMin": "2000000.00", "investmentMax": "2000000.00"}
    )
    upwards = await _codes(
        api,
        a.token["unit"],
        filter={"investmentMin": "2000000.00"},
        orderBy={"field": "TOTAL_INVESTMENT", "direction": "ASC"},
    )
    # then bounds are inclusive
    assert exact == ["YK-2026-0002"]
    assert upwards == ["YK-2026-0002", "YK-2026-0003"]


async def test_ordering_by_investment_pages_through_ties_without_gaps_or_repeats(api, session_factory):
    # given seven projects, four of them tied on investment
    a = await make_agencies(api, session_factory, "unit")
    org = a.org["unit"]
    amounts = ["500.00", "300.00", "300.00", "900.00", "300.00", "300.00", "100.00"]
    await insert_projects(
        session_factory, [project_row(org, i + 1, total_investment=Decimal(v)) for i, v in enumerate(amounts)]
    )
    expected = [c for _, c in sorted((Decimal(v), f"YK-2026-{i + 1:04d}") for i, v in enumerate(amounts))]
    order = {"field": "TOTAL_INVESTMENT", "direction": "ASC"}
    # when paging forwards two at a time, and backwards from the end
    forward, after = [], None
    while True:
        page = (await api.data(LIST, {"first": 2, "after": after, "orderBy": order}, token=a.token["unit"]))[
            "projects"
        ]
        forward += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward, before = [], None
    while True:
        page = (
            await api.data(
                LIST, {"first": None, "last": 3, "before": before, "orderBy": order}, token=a.token["unit"]
            )
        )["projects"]
        backward = [e["node"]["code"] for e in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    # then both walks list every project once, in (investment, id) order
    assert forward == expected
    assert backward == expected


async def test_order_by_code_descending_puts_drafts_without_code_last_and_by_name_ascending(
    api, session_factory
):
    # given two submitted projects and a draft without a code
    a = await make_agencies(api, session_factory, "unit")
    org = a.org["unit"]
    await insert_projects(
        session_factory,
        [
            project_row(org, 1, name="乙项目"),
            project_row(org, 2, name="甲项目"),
            project_row(org, 3, code=None, year=None, status="DRAFT", name="丙项目"),
        ],
    )
    # when ordered by code descending and by name ascending
    by_code = await _codes(api, a.token["unit"], orderBy={"field": "CODE", "direction": "DESC"})
    data = (await api.data(LIST, {"first": 10, "orderBy": {"field": "NAME"}}, token=a.token["unit"]))[
        "projects"
    ]
    # then codes descend with the draft last, and names ascend in pinyin order (bing < jia < yi)
    assert by_code == ["YK-2026-0002", "YK-2026-0001", None]
    assert [e["node"]["name"] for e in data["edges"]] == ["丙项目", "甲项目", "乙项目"]


async def test_a_cursor_from_the_default_order_is_refused_for_another_ordering(api, session_factory):
    # given a cursor of the default (newest first) list
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], i) for i in (1, 2)])
    page = (await api.data(LIST, {"first": 1}, token=a.token["unit"]))["projects"]
    # when it is used with orderBy
    body = await api.gql(
        LIST,
        {"first": 1, "after": page["pageInfo"]["endCursor"], "orderBy": {"field": "NAME"}},
        token=a.token["unit"],
    )
    # then the request is refused as bad input
    assert error_codes(body) == ["BAD_USER_INPUT"]
