"""Bulk export: NDJSON and CSV (UTF-8 with BOM) of the projects the bearer may read, with the list's filters."""

from __future__ import annotations

import csv
import io
import json

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
    assert len(table) == 2500 and len({r["id"] for r in table}) == 2500
    assert table[0]["name"] == "营口市批量项目1" and table[0]["totalInvestment"] == "100001.00"


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
