"""Art. 14–15 and 18 over HTTP: the implementation record and contract, O&M procurement by bdb, no
transfer or split of the contract, quarterly progress with overdue quarters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from store import construction_tables, tables
from tests.api.lifecycle_helpers import (
    ASSIGN,
    CONTRACT,
    FACTS,
    LIFECYCLE_AGENCIES,
    OM_CONTRACT,
    PROGRESS,
    approve_document,
    approved_project,
    codes,
    contract_input,
    implementation,
    move_to,
    mutate,
    ok,
)
from tests.api.plan_helpers import reserve_project
from tests.utils import error_codes, make_agencies


async def _count(session_factory, table) -> int:
    async with session_factory() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_R14_R15_R25_a_recorded_contract_starts_construction_of_an_approved_ppp_project(
    api, session_factory
):
    # given an approved PPP project (preliminary design approved, in the approved plan): R25, same rules
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a, fundingSource="PPP")
    # when its unit records legal person, procurement, supervision firm and contract
    payload = ok(await mutate(api, a, CONTRACT, "unit", contract_input(project["id"])))
    # then the project is under construction and the record is readable by the unit and by bdb
    assert payload["project"]["status"] == "UNDER_CONSTRUCTION"
    assert payload["contract"]["winningBidder"] == "辽宁数字科技有限公司"
    seen = await implementation(api, a, project["id"], role="bdb")
    assert seen["contracts"][0]["supervisionFirm"] == "营口信达工程监理有限公司"
    assert (
        seen["contracts"][0]["amount"] == "2850000.00"
        and seen["contracts"][0]["operationMaintenance"] is False
    )


async def test_R14_a_project_not_approved_cannot_record_a_contract_and_nothing_is_written(
    api, session_factory
):
    # given a project only in the reserve
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    # when the unit records a contract
    payload = await mutate(api, a, CONTRACT, "unit", contract_input(project["id"]))
    # then it is refused citing R14 and no contract exists
    assert codes(payload) == ["PROJECT_NOT_APPROVED"] and payload["userErrors"][0]["article"] == "第十四条"
    assert await _count(session_factory, construction_tables.contracts) == 0


async def test_R10_R13_a_design_approved_before_the_plan_cannot_start_construction(api, session_factory):
    # given a reserve project whose preliminary design was approved on the urgent path, not yet in a plan
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await reserve_project(api, a)
    ok(
        (
            await api.data(
                FACTS,
                {"i": {"projectId": project["id"], "urgentLegalBasis": "市政府专题会议纪要〔2026〕5号"}},
                token=a.token["unit"],
            )
        )["projectApprovalFactsUpdate"]
    )
    approved = await approve_document(api, a, project["id"], "PRELIMINARY_DESIGN", "3000000.00", "2026-03-02")
    # when the unit records its contract
    payload = await mutate(api, a, CONTRACT, "unit", contract_input(project["id"]))
    # then construction may not start (R10.1) and the project stays APPROVED with no contract
    assert approved["status"] == "APPROVED"
    assert codes(payload) == ["NOT_IN_APPROVED_PLAN"] and payload["userErrors"][0]["rule"] == "R10.1"
    assert await _count(session_factory, construction_tables.contracts) == 0


async def test_R15_a_transfer_or_split_of_the_contract_is_refused_citing_article_15(api, session_factory):
    # given a contract
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a)
    contract = ok(await mutate(api, a, CONTRACT, "unit", contract_input(project["id"])))["contract"]
    audit_before = await _count(session_factory, tables.audit_log)
    # when a transfer and a split are attempted
    refusals = [
        await mutate(
            api, a, ASSIGN, "unit", {"contractId": contract["id"], "kind": kind, "assignee": "某分包公司"}
        )
        for kind in ("TRANSFER", "SPLIT")
    ]
    # then both are refused citing Art. 15, and nothing is written
    for payload in refusals:
        assert codes(payload) == ["CONTRACT_ASSIGNMENT_FORBIDDEN"]
        assert payload["userErrors"][0]["article"] == "第十五条" and payload["userErrors"][0]["rule"] == "R15"
    assert await _count(session_factory, tables.audit_log) == audit_before


async def test_R15_om_procurement_is_recorded_by_bdb_not_by_the_unit(api, session_factory):
    # given an approved O&M project
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a, kind="OPERATION_MAINTENANCE")
    # when the unit records the contract, then bdb records the O&M procurement
    by_unit = await mutate(api, a, CONTRACT, "unit", contract_input(project["id"]))
    by_bdb = await mutate(api, a, OM_CONTRACT, "bdb", contract_input(project["id"]))
    # then the unit is refused (R15) and bdb's record starts construction
    assert codes(by_unit) == ["OM_PROCUREMENT_BY_BDB"]
    assert by_bdb["userErrors"] == [] and by_bdb["contract"]["operationMaintenance"] is True
    assert by_bdb["project"]["status"] == "UNDER_CONSTRUCTION"


async def test_wrong_agencies_and_incomplete_records_are_refused_and_nothing_is_written(api, session_factory):
    # given an approved build project
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES, "unit2")
    project = await approved_project(api, a)
    # when finance records the contract, another unit records it, bdb uses the O&M mutation on the unit's turf,
    # and the unit leaves out the supervision firm and uses negotiation under the Tendering Law
    finance = await api.gql(CONTRACT, {"i": contract_input(project["id"])}, token=a.token["finance"])
    other_unit = await api.gql(CONTRACT, {"i": contract_input(project["id"])}, token=a.token["unit2"])
    bdb_om = await mutate(api, a, OM_CONTRACT, "bdb", contract_input(project["id"]))
    incomplete = await mutate(
        api,
        a,
        CONTRACT,
        "unit",
        contract_input(
            project["id"], supervisionFirm=" ", regime="TENDERING", method="COMPETITIVE_NEGOTIATION"
        ),
    )
    # then FORBIDDEN / NOT_FOUND (the other unit may not even see it) / typed refusals listing every problem
    assert error_codes(finance) == ["FORBIDDEN"]
    assert error_codes(other_unit) == ["NOT_FOUND"]
    assert codes(bdb_om) == ["NOT_OM_PROJECT"]
    assert codes(incomplete) == ["IMPLEMENTATION_PART_REQUIRED", "METHOD_NOT_IN_REGIME"]
    # and nothing is written: no contract, the project still APPROVED
    assert await _count(session_factory, construction_tables.contracts) == 0
    assert (await implementation(api, a, project["id"]))["project"]["status"] == "APPROVED"


async def test_R18_quarters_count_from_the_approval_date_and_missing_ones_are_overdue(
    api, session_factory, clock
):
    # given a project approved on 28 Feb 2026 (the last day of February)
    clock.now = clock.now.replace(month=2, day=28)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a, approval_date="2026-02-28")
    ok(await mutate(api, a, CONTRACT, "unit", contract_input(project["id"], signedOn="2026-02-28")))
    # when the unit reports the first period and the clock reaches 1 Sep 2026 without a second report
    first = ok(
        await mutate(
            api,
            a,
            PROGRESS,
            "unit",
            {
                "projectId": project["id"],
                "periodNumber": 1,
                "physicalProgress": "30.50",
                "fundsSpent": "800000.00",
                "milestones": "完成需求调研",
                "problems": "无",
            },
        )
    )
    await move_to(api, a, clock, date(2026, 9, 1))
    seen = await implementation(api, a, project["id"], role="bdb")
    # then the first report was due 28 May (Civil Code Art. 202: the corresponding day) and the second,
    # due 28 Aug, is overdue
    report = first["implementation"]["progressReports"][0]
    assert (report["periodStart"], report["periodEnd"], report["physicalProgress"]) == (
        "2026-02-28",
        "2026-05-28",
        "30.50",
    )
    assert seen["progressQuarters"] == [
        {"number": 1, "dueOn": "2026-05-28", "submitted": True, "overdue": False},
        {"number": 2, "dueOn": "2026-08-28", "submitted": False, "overdue": True},
    ]


async def test_R18_a_period_is_reported_once_and_not_before_it_starts(api, session_factory):
    # given a project under construction, approved today
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a)
    ok(await mutate(api, a, CONTRACT, "unit", contract_input(project["id"])))
    values = {"projectId": project["id"], "periodNumber": 1, "physicalProgress": "10", "fundsSpent": "0.00"}
    ok(await mutate(api, a, PROGRESS, "unit", values))
    # when the same period is reported again, a future period is reported, and the progress is above 100 %
    again = await mutate(api, a, PROGRESS, "unit", values)
    future = await mutate(api, a, PROGRESS, "unit", values | {"periodNumber": 2})
    too_much = await mutate(
        api, a, PROGRESS, "unit", values | {"periodNumber": 3, "physicalProgress": "100.01"}
    )
    bdb = await api.gql(PROGRESS, {"i": values}, token=a.token["bdb"])
    # then each is refused with its reason
    assert codes(again) == ["PERIOD_ALREADY_REPORTED"]
    assert codes(future) == ["PERIOD_NOT_STARTED"]
    assert codes(too_much) == ["PROGRESS_OUT_OF_RANGE"]
    assert error_codes(bdb) == ["FORBIDDEN"]
