"""Integers no column can hold are the client's BAD_USER_INPUT, checked before SQL (issue 13.9)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from store import approval_tables
from tests.api.plan_helpers import OPEN_CALL
from tests.utils import error_codes, make_agencies

PROJECTS = "query($f: ProjectFilter) { projects(first: 5, filter: $f) { totalCount } }"


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    ("year", "refused"), [(1000, False), (9999, False), (999, True), (10000, True), (2147483647, True)]
)
async def test_a_year_filter_is_four_digits(api, session_factory, year, refused):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when the list is filtered by `year` (the column is SMALLINT)
    body = await api.gql(PROJECTS, {"f": {"year": year}}, token=a.token["unit"])
    # then a four-digit year filters; anything else is BAD_USER_INPUT naming the field, not INTERNAL
    if refused:
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == ["filter", "year"]
        assert error["path"] == ["projects"]
    else:
        assert body == {"data": {"projects": {"totalCount": 0}}}


async def test_annual_plans_by_year_refuse_a_year_no_plan_can_have(api, session_factory):
    # given bdb
    a = await make_agencies(api, session_factory, "bdb")
    # when plans of year 32768 are asked for
    body = await api.gql("{ annualPlans(first: 5, year: 32768) { totalCount } }", token=a.token["bdb"])
    # then BAD_USER_INPUT naming the argument
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == ["year"]


async def test_a_plan_call_for_year_99999_is_refused_and_nothing_is_written(api, session_factory):
    # given bdb
    a = await make_agencies(api, session_factory, "bdb")
    values = {
        "year": 99999,
        "deadline": "2026-03-31",
        "budgetCompilationDate": "2026-04-15",
        "requirements": "报送下一年度计划。",
    }
    # when it opens a call for year 99999
    body = await api.gql(OPEN_CALL, {"i": values}, token=a.token["bdb"], lang="en")
    # then BAD_USER_INPUT on input.year, in English, and no call exists
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == ["input", "year"]
    assert body["errors"][0]["message"] == "The input is malformed."
    async with session_factory() as session:
        assert (
            await session.execute(select(func.count()).select_from(approval_tables.plan_calls))
        ).scalar() == 0


@pytest.mark.parametrize(
    ("arguments", "cursor"),
    [
        ("", "[99999999999999999999]"),  # beyond BIGINT
        ("", '["1"]'),  # not a number
        ("orderBy: {field: TOTAL_INVESTMENT}", '["1e400", 1]'),  # beyond any amount
        ("orderBy: {field: TOTAL_INVESTMENT}", '["1.00", 9223372036854775808]'),
        ("orderBy: {field: CODE}", '["YK\\u0000", 1]'),  # NUL: PostgreSQL text cannot hold it
    ],
)
async def test_a_forged_project_cursor_is_bad_user_input(api, session_factory, arguments, cursor):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when the list is paged from a forged cursor
    query = f'{{ projects(first: 5, after: "{_cursor(cursor)}", {arguments}) {{ totalCount }} }}'.replace(
        ", )", ")"
    )
    body = await api.gql(query, token=a.token["unit"])
    # then BAD_USER_INPUT, not INTERNAL
    assert error_codes(body) == ["BAD_USER_INPUT"], body


@pytest.mark.parametrize("cursor", ["[99999999999999999999, 1]", "[1, -99999999999999999999]", "[1.5, 1]"])
async def test_a_forged_changes_cursor_is_bad_user_input(api, session_factory, cursor):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when changes are asked for after a forged cursor
    body = await api.gql(
        f'{{ changes(first: 5, after: "{_cursor(cursor)}") {{ hasMore }} }}', token=a.token["unit"]
    )
    # then BAD_USER_INPUT, not INTERNAL
    assert error_codes(body) == ["BAD_USER_INPUT"], body


async def test_a_forged_global_id_beyond_bigint_is_not_found(api, session_factory):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when an object is asked for by an id whose number no BIGINT holds
    forged = _cursor("Project:99999999999999999999")
    body = await api.gql(f'{{ node(id: "{forged}") {{ id }} }}', token=a.token["unit"])
    # then NOT_FOUND, like any other id that is not ours
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize(("year", "status"), [("9999", 200), ("99999", 400), ("-1", 400), ("2026x", 400)])
async def test_the_export_refuses_a_year_before_it_streams(client, api, session_factory, year, status):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when it exports with ?year=
    response = await client.get(
        f"/export/projects.csv?year={year}", headers={"Authorization": f"Bearer {a.token['unit']}"}
    )
    # then a four-digit year streams; anything else is a 400 with a JSON error naming the parameter
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "year"}
