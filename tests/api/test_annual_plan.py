"""Art. 9–10 over HTTP: the yearly call, the joint review, the plan and its revisions, mid-year projects."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from store import tables
from tests.api.plan_helpers import (
    APPROVE_PLAN,
    COMPILE,
    OPEN_CALL,
    RETURN_PLAN,
    REVIEW_ENTRY,
    SEND,
    SUBMIT_ENTRY,
    open_call,
    planned_project,
    reserve_project,
)
from tests.utils import error_codes, make_agencies

AGENCIES = ("unit", "bdb", "finance", "government")
MID = (
    "request { id status } plan { revision status items { project { id status } } } userErrors { code rule }"
)


async def test_R10_1_happy_path_call_entries_review_compile_approve_makes_projects_planned(
    api, session_factory
):
    # given a reserve project and an open call
    a = await make_agencies(api, session_factory, *AGENCIES)
    project = await reserve_project(api, a)
    call = await open_call(api, a)
    # when the unit submits, bdb and finance review, bdb compiles and sends, government approves
    entry = (
        await api.data(
            SUBMIT_ENTRY,
            {
                "i": {
                    "callId": call["id"],
                    "projectId": project["id"],
                    "kind": "BUILD",
                    "requestedAmount": "12800000.00",
                    "description": "二期建设",
                }
            },
            token=a.token["unit"],
        )
    )["planEntrySubmit"]["entry"]
    bdb = (
        await api.data(
            REVIEW_ENTRY,
            {"i": {"entryId": entry["id"], "opinion": "同意列入", "recommendedAmount": "12000000.00"}},
            token=a.token["bdb"],
        )
    )["planEntryReview"]
    fin = (
        await api.data(
            REVIEW_ENTRY,
            {"i": {"entryId": entry["id"], "opinion": "资金可保障", "recommendedAmount": "11500000.00"}},
            token=a.token["finance"],
        )
    )["planEntryReview"]
    compiled = (
        await api.data(
            COMPILE,
            {
                "i": {
                    "callId": call["id"],
                    "note": "2026年度计划",
                    "items": [{"entryId": entry["id"], "amount": "11500000.00"}],
                }
            },
            token=a.token["bdb"],
        )
    )["annualPlanCompile"]
    still_reserve = compiled["plan"]["items"][0]["project"]["status"]
    sent = (await api.data(SEND, {"i": {"planId": compiled["plan"]["id"]}}, token=a.token["bdb"]))[
        "annualPlanSend"
    ]
    approved = (
        await api.data(
            APPROVE_PLAN,
            {"i": {"planId": compiled["plan"]["id"], "comment": "同意"}},
            token=a.token["government"],
        )
    )["annualPlanApprove"]
    # then
    assert [r["reviewerRole"] for r in fin["entry"]["reviews"]] == ["bdb", "finance"] and bdb[
        "userErrors"
    ] == []
    assert compiled["plan"]["totalInvestment"] == "11500000.00" and compiled["plan"]["status"] == "COMPILED"
    assert still_reserve == "IN_RESERVE"  # only the government's approval plans it
    assert sent["plan"]["status"] == "SUBMITTED"
    assert approved["plan"]["status"] == "APPROVED"
    assert approved["plan"]["items"][0]["project"] == {
        "id": project["id"],
        "status": "PLANNED",
        "planYear": 2026,
    }
    async with session_factory() as session:
        ops = (
            await session.execute(
                select(tables.audit_log.c.operation, tables.audit_log.c.actor_role)
                .where(tables.audit_log.c.operation.like("%plan%"))
                .order_by(tables.audit_log.c.id)
            )
        ).all()
    assert [tuple(r) for r in ops] == [
        ("plan-call:open", "bdb"),
        ("plan-entry:submit", "unit"),
        ("plan-entry:review", "bdb"),
        ("plan-entry:review", "finance"),
        ("annual-plan:compile", "bdb"),
        ("annual-plan:send", "bdb"),
        ("annual-plan:decide", "government"),
        ("annual-plan:decide", "government"),
    ]  # the plan and its project


async def test_R9_the_whole_deadline_day_is_in_time_and_midnight_is_late(api, session_factory, clock):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    call = await open_call(api, a, deadline="2026-03-31")
    variables = {
        "i": {"callId": call["id"], "projectId": project["id"], "kind": "BUILD", "requestedAmount": "1.00"}
    }

    clock.now = datetime(2026, 3, 31, 15, 59, 59, 999000, tzinfo=UTC)  # 23:59:59.999 in Yingkou
    token = await api.login("user.unit")
    on_time = (await api.data(SUBMIT_ENTRY, variables, token=token))["planEntrySubmit"]
    clock.now = datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC)  # 00:00:00.000 on 1 April in Yingkou
    late = (
        await api.data(
            SUBMIT_ENTRY, variables | {"i": variables["i"] | {"kind": "OPERATION_MAINTENANCE"}}, token=token
        )
    )["planEntrySubmit"]

    assert on_time["userErrors"] == []
    assert [(e["code"], e["rule"], e["article"]) for e in late["userErrors"]] == [
        ("PLAN_CALL_CLOSED", "R9", "第九条")
    ]


async def test_R9_only_bdb_opens_a_call_and_only_before_budget_compilation(api, session_factory):
    a = await make_agencies(api, session_factory, "bdb", "finance")
    values = {
        "year": 2026,
        "deadline": "2026-04-15",
        "budgetCompilationDate": "2026-04-15",
        "requirements": "x",
    }

    wrong_agency = await api.gql(OPEN_CALL, {"i": values}, token=a.token["finance"])
    too_late = (await api.data(OPEN_CALL, {"i": values}, token=a.token["bdb"]))["planCallOpen"]

    assert error_codes(wrong_agency) == ["FORBIDDEN"]
    assert [(e["code"], e["rule"]) for e in too_late["userErrors"]] == [("DEADLINE_NOT_BEFORE_BUDGET", "R9")]


async def test_R10_1_each_agency_acts_only_within_its_role(api, session_factory):
    a = await make_agencies(api, session_factory, *AGENCIES)
    project = await reserve_project(api, a)
    call = await open_call(api, a)
    entry = (
        await api.data(
            SUBMIT_ENTRY,
            {
                "i": {
                    "callId": call["id"],
                    "projectId": project["id"],
                    "kind": "BUILD",
                    "requestedAmount": "100.00",
                }
            },
            token=a.token["unit"],
        )
    )["planEntrySubmit"]["entry"]

    unit_reviews = await api.gql(
        REVIEW_ENTRY,
        {"i": {"entryId": entry["id"], "opinion": "自审", "recommendedAmount": "100.00"}},
        token=a.token["unit"],
    )
    unreviewed = (
        await api.data(
            COMPILE,
            {"i": {"callId": call["id"], "items": [{"entryId": entry["id"], "amount": "100.00"}]}},
            token=a.token["bdb"],
        )
    )["annualPlanCompile"]
    finance_compiles = await api.gql(
        COMPILE, {"i": {"callId": call["id"], "items": []}}, token=a.token["finance"]
    )

    assert error_codes(unit_reviews) == ["FORBIDDEN"]
    assert [(e["code"], e["rule"]) for e in unreviewed["userErrors"]] == [("ENTRY_NOT_REVIEWED", "R10.1")] * 2
    assert error_codes(finance_compiles) == ["FORBIDDEN"]


async def test_R10_1_the_government_returns_a_plan_with_reasons_and_projects_stay_in_reserve(
    api, session_factory
):
    a = await make_agencies(api, session_factory, *AGENCIES)
    project = await reserve_project(api, a)
    call = await open_call(api, a)
    entry = (
        await api.data(
            SUBMIT_ENTRY,
            {
                "i": {
                    "callId": call["id"],
                    "projectId": project["id"],
                    "kind": "BUILD",
                    "requestedAmount": "100.00",
                }
            },
            token=a.token["unit"],
        )
    )["planEntrySubmit"]["entry"]
    for role in ("bdb", "finance"):
        await api.data(
            REVIEW_ENTRY,
            {"i": {"entryId": entry["id"], "opinion": "同意", "recommendedAmount": "100.00"}},
            token=a.token[role],
        )
    plan = (
        await api.data(
            COMPILE,
            {"i": {"callId": call["id"], "items": [{"entryId": entry["id"], "amount": "100.00"}]}},
            token=a.token["bdb"],
        )
    )["annualPlanCompile"]["plan"]
    before_sending = await api.gql(APPROVE_PLAN, {"i": {"planId": plan["id"]}}, token=a.token["government"])
    await api.data(SEND, {"i": {"planId": plan["id"]}}, token=a.token["bdb"])

    no_reason = await api.data(RETURN_PLAN, {"i": {"planId": plan["id"]}}, token=a.token["government"])
    returned = (
        await api.data(
            RETURN_PLAN, {"i": {"planId": plan["id"], "comment": "压减规模"}}, token=a.token["government"]
        )
    )["annualPlanReturn"]

    assert before_sending["data"]["annualPlanApprove"]["userErrors"][0]["code"] == "PLAN_STATE"
    assert no_reason["annualPlanReturn"]["userErrors"][0]["code"] == "RETURN_REASON_REQUIRED"
    assert returned["plan"]["status"] == "RETURNED" and returned["plan"]["decisionComment"] == "压减规模"
    assert returned["plan"]["items"][0]["project"]["status"] == "IN_RESERVE"


async def test_R10_1_an_approved_plan_is_changed_only_by_a_new_recorded_revision(api, session_factory):
    # given an approved plan with one project
    a = await make_agencies(api, session_factory, *AGENCIES, "unit2")
    first, plan = await planned_project(api, a)
    second = await reserve_project(api, a, "unit2")
    calls = await api.data("{ planCalls(first: 5) { edges { node { id } } } }", token=a.token["bdb"])
    call_id = calls["planCalls"]["edges"][0]["node"]["id"]
    entry = (
        await api.data(
            SUBMIT_ENTRY,
            {
                "i": {
                    "callId": call_id,
                    "projectId": second["id"],
                    "kind": "BUILD",
                    "requestedAmount": "300.00",
                }
            },
            token=a.token["unit2"],
        )
    )["planEntrySubmit"]["entry"]
    for role in ("bdb", "finance"):
        await api.data(
            REVIEW_ENTRY,
            {"i": {"entryId": entry["id"], "opinion": "同意", "recommendedAmount": "300.00"}},
            token=a.token[role],
        )
    entries = await api.data(
        "query($c: ID!) { planEntries(callId: $c, first: 10) { edges { node { id project { id } } } } }",
        {"c": call_id},
        token=a.token["bdb"],
    )
    first_entry = next(
        e["node"]["id"] for e in entries["planEntries"]["edges"] if e["node"]["project"]["id"] == first["id"]
    )
    # when bdb compiles revision 2 without the first project and with the second, and government approves
    revision = (
        await api.data(
            COMPILE,
            {"i": {"callId": call_id, "items": [{"entryId": entry["id"], "amount": "300.00"}]}},
            token=a.token["bdb"],
        )
    )["annualPlanCompile"]
    assert revision["userErrors"] == [], revision
    revision = revision["plan"]
    await api.data(SEND, {"i": {"planId": revision["id"]}}, token=a.token["bdb"])
    approved = (await api.data(APPROVE_PLAN, {"i": {"planId": revision["id"]}}, token=a.token["government"]))[
        "annualPlanApprove"
    ]["plan"]
    plans = await api.data(
        "{ annualPlans(first: 5, year: 2026) { edges { node { revision status } } } }", token=a.token["bdb"]
    )
    first_now = await api.data(
        "query($id: ID!) { project(id: $id) { status planYear } }", {"id": first["id"]}, token=a.token["bdb"]
    )
    # then the first revision is superseded, untouched; the dropped project returns to the reserve
    assert first_entry and approved["revision"] == 2 and approved["totalInvestment"] == "300.00"
    assert [e["node"] for e in plans["annualPlans"]["edges"]] == [
        {"revision": 2, "status": "APPROVED"},
        {"revision": 1, "status": "SUPERSEDED"},
    ]
    assert plan["totalInvestment"] == "5000000.00"
    assert first_now["project"] == {"status": "IN_RESERVE", "planYear": None}


async def test_R10_2_mid_year_project_goes_unit_bdb_finance_government_into_the_plan(api, session_factory):
    a = await make_agencies(api, session_factory, *AGENCIES, "unit2")
    await planned_project(api, a)
    urgent = await reserve_project(api, a, "unit2")
    submit = (
        await api.data(
            f"mutation($i: MidYearRequestSubmitInput!) {{ midYearRequestSubmit(input: $i) {{ {MID} }} }}",
            {"i": {"projectId": urgent["id"], "amount": "800000.00", "reason": "防汛应急"}},
            token=a.token["unit2"],
        )
    )["midYearRequestSubmit"]
    rid = submit["request"]["id"]
    review = f"mutation($i: MidYearRequestDecisionInput!) {{ midYearRequestReview(input: $i) {{ {MID} }} }}"
    opinion = f"mutation($i: MidYearRequestFinanceOpinionInput!) {{ midYearRequestFinanceOpinion(input: $i) {{ {MID} }} }}"
    decide = f"mutation($i: MidYearRequestDecisionInput!) {{ midYearRequestDecide(input: $i) {{ {MID} }} }}"

    # each step by its own agency only, in order
    out_of_order = (
        await api.data(
            decide, {"i": {"requestId": rid, "approve": True, "opinion": "同意"}}, token=a.token["government"]
        )
    )["midYearRequestDecide"]
    finance_reviews = await api.gql(
        review, {"i": {"requestId": rid, "approve": True, "opinion": "同意"}}, token=a.token["finance"]
    )
    reviewed = (
        await api.data(
            review,
            {"i": {"requestId": rid, "approve": True, "opinion": "确需年中建设"}},
            token=a.token["bdb"],
        )
    )["midYearRequestReview"]
    opined = (
        await api.data(
            opinion,
            {"i": {"requestId": rid, "opinion": "同意安排", "recommendedAmount": "750000.00"}},
            token=a.token["finance"],
        )
    )["midYearRequestFinanceOpinion"]
    decided = (
        await api.data(
            decide,
            {"i": {"requestId": rid, "approve": True, "opinion": "同意纳入"}},
            token=a.token["government"],
        )
    )["midYearRequestDecide"]

    assert submit["userErrors"] == [] and submit["request"]["status"] == "SUBMITTED"
    assert [(e["code"], e["rule"]) for e in out_of_order["userErrors"]] == [
        ("MID_YEAR_STEP_OUT_OF_ORDER", "R10.2")
    ]
    assert error_codes(finance_reviews) == ["FORBIDDEN"]
    assert reviewed["request"]["status"] == "BDB_APPROVED" and opined["request"]["status"] == "FINANCE_OPINED"
    assert decided["request"]["status"] == "APPROVED"
    assert decided["plan"]["revision"] == 2 and decided["plan"]["status"] == "APPROVED"
    assert {i["project"]["id"]: i["project"]["status"] for i in decided["plan"]["items"]}[
        urgent["id"]
    ] == "PLANNED"
