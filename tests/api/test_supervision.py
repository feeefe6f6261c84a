"""Art. 23–24 over HTTP: inspections by field, rectification, bdb's sanctions, requests for information."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from tests.api.projects_helpers import UPDATE
from tests.api.supervision_helpers import (
    OPEN,
    REPORT,
    REVIEW_REPORT,
    order_rectification,
    reserve_project,
    sanction,
    under_construction,
)
from tests.utils import error_codes, make_agencies

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_R23_1_cac_cannot_inspect_fund_use_and_audit_cannot_open_inspections(api, session_factory):
    # given
    a = await make_agencies(api, session_factory, "unit", "bdb", "cac", "audit", "finance")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    variables = {"i": {"projectId": project["id"], "subject": "FUND_USE"}}
    # when
    by_cac = (await api.data(OPEN, variables, token=a.token["cac"], lang="en"))["inspectionOpen"]
    by_audit = await api.gql(OPEN, variables, token=a.token["audit"])
    by_finance = (await api.data(OPEN, variables, token=a.token["finance"]))["inspectionOpen"]
    # then
    assert [(e["code"], e["rule"], e["article"]) for e in by_cac["userErrors"]] == [
        ("SUBJECT_OUTSIDE_FIELD", "R23.1", "Art. 23")
    ]
    assert by_cac["inspection"] is None
    assert error_codes(by_audit) == ["FORBIDDEN"]
    assert by_finance["userErrors"] == [] and by_finance["inspection"]["status"] == "OPEN"


async def test_R23_2_only_bdb_can_suspend_resume_or_terminate_and_only_on_failed_rectification(
    api, session_factory, clock
):
    # given a rectification ordered by cac, not yet overdue
    a = await make_agencies(api, session_factory, "unit", "bdb", "cac", "finance", "audit")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-03-31")
    # when others try
    refused = {
        role: error_codes(await sanction(api, a.token[role], name, project["id"]))
        for role in ("cac", "finance", "audit", "unit")
        for name in ("projectSuspend", "projectResume", "projectTerminate")
    }
    early = (await sanction(api, a.token["bdb"], "projectSuspend", project["id"]))["data"]["projectSuspend"]
    # then
    assert set(map(tuple, refused.values())) == {("FORBIDDEN",)}
    assert [e["code"] for e in early["userErrors"]] == ["NO_FAILED_RECTIFICATION"]
    # when the deadline has passed (23:59:59 China time on 31 March)
    clock.now = datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC)
    bdb = await api.login("user.bdb")
    suspended = (await sanction(api, bdb, "projectSuspend", project["id"]))["data"]["projectSuspend"]
    resumed = (await sanction(api, bdb, "projectResume", project["id"]))["data"]["projectResume"]
    terminated = (await sanction(api, bdb, "projectTerminate", project["id"]))["data"]["projectTerminate"]
    again = (await sanction(api, bdb, "projectResume", project["id"]))["data"]["projectResume"]
    # then
    assert suspended["project"]["status"] == "SUSPENDED"
    assert resumed["project"]["status"] == "IN_RESERVE"
    assert terminated["project"]["status"] == "TERMINATED"
    assert [e["code"] for e in again["userErrors"]] == ["NOT_SUSPENDED"]


async def test_R23_2_a_suspended_project_refuses_an_edit_and_accepts_a_rectification_report(
    api, client, session_factory, clock
):
    # given a project under construction whose data-sharing rectification is overdue, suspended by bdb
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await under_construction(session_factory, project["id"], date(2026, 2, 1))
    inspection = await order_rectification(api, a.token["bdb"], project["id"], "DATA_SHARING", "2026-03-10")
    clock.now = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    unit, bdb = await api.login("user.unit"), await api.login("user.bdb")
    assert (await sanction(api, bdb, "projectSuspend", project["id"]))["data"]["projectSuspend"][
        "userErrors"
    ] == []
    # when the unit edits, then reports its rectification with a document
    edit = await api.data(UPDATE, {"input": {"projectId": project["id"], "name": "改名"}}, token=unit)
    variables = {
        "i": {
            "inspectionId": inspection,
            "content": "已接入市共享交换平台",
            "attachments": [{"label": "整改报告", "file": None}],
        }
    }
    response = await client.post(
        "/graphql",
        headers={"Authorization": f"Bearer {unit}", "GraphQL-Preflight": "1"},
        data={
            "operations": json.dumps({"query": REPORT, "variables": variables}),
            "map": json.dumps({"0": ["variables.i.attachments.0.file"]}),
        },
        files={"0": ("整改报告.pdf", PDF, "application/pdf")},
    )
    reported = response.json()["data"]["rectificationReportSubmit"]
    # then
    assert [(e["code"], e["rule"], e["article"]) for e in edit["projectUpdate"]["userErrors"]] == [
        ("PROJECT_SUSPENDED", "R23.2", "第二十三条")
    ]
    assert reported["userErrors"] == []
    assert reported["report"]["status"] == "PENDING"
    (attachment,) = reported["report"]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("整改报告.pdf", len(PDF))
    download = await client.get(attachment["downloadUrl"], headers={"Authorization": f"Bearer {bdb}"})
    assert download.status_code == 200 and download.content == PDF
    # and when bdb accepts it and resumes, the project is back under construction
    accepted = await api.data(
        REVIEW_REPORT, {"i": {"reportId": reported["report"]["id"], "accept": True}}, token=bdb
    )
    resumed = (await sanction(api, bdb, "projectResume", project["id"]))["data"]["projectResume"]
    assert accepted["rectificationReportReview"]["report"]["status"] == "ACCEPTED"
    assert resumed["project"]["status"] == "UNDER_CONSTRUCTION"


async def test_R23_2_a_rejected_rectification_lets_bdb_defer_the_plan_and_only_the_orderer_reviews(
    api, session_factory
):
    # given finance ordered a fund-use rectification; the unit reported
    a = await make_agencies(api, session_factory, "unit", "bdb", "finance", "cac")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    inspection = await order_rectification(api, a.token["finance"], project["id"], "FUND_USE", "2026-04-30")
    report = (
        await api.data(
            REPORT, {"i": {"inspectionId": inspection, "content": "已退回违规支出"}}, token=a.token["unit"]
        )
    )["rectificationReportSubmit"]["report"]
    # when cac (not the ordering agency) reviews, then finance rejects without and with reasons
    by_cac = await api.data(
        REVIEW_REPORT, {"i": {"reportId": report["id"], "accept": True}}, token=a.token["cac"]
    )
    bare = await api.data(
        REVIEW_REPORT, {"i": {"reportId": report["id"], "accept": False}}, token=a.token["finance"]
    )
    rejected = await api.data(
        REVIEW_REPORT,
        {"i": {"reportId": report["id"], "accept": False, "reasons": "支出凭证不全"}},
        token=a.token["finance"],
    )
    deferred = await api.data(
        "mutation($i: ProjectPlanDeferInput!) { projectPlanDefer(input: $i) { project { planDeferred } "
        "userErrors { code } } }",
        {"i": {"projectId": project["id"], "defer": True}},
        token=a.token["bdb"],
    )
    mid_year = await api.data(
        "mutation($i: MidYearRequestSubmitInput!) { midYearRequestSubmit(input: $i) "
        "{ userErrors { code rule } } }",
        {"i": {"projectId": project["id"], "amount": "500000.00", "reason": "急需建设"}},
        token=a.token["unit"],
    )
    # then
    assert [e["code"] for e in by_cac["rectificationReportReview"]["userErrors"]] == [
        "NOT_THE_INSPECTING_AGENCY"
    ]
    assert [e["code"] for e in bare["rectificationReportReview"]["userErrors"]] == ["REQUIRED"]
    assert rejected["rectificationReportReview"]["report"] == {
        "id": report["id"],
        "status": "REJECTED",
        "reviewReasons": "支出凭证不全",
    }
    assert deferred["projectPlanDefer"] == {"project": {"planDeferred": True}, "userErrors": []}
    assert mid_year["midYearRequestSubmit"]["userErrors"] == [
        {"code": "PROJECT_PLAN_DEFERRED", "rule": "R23.2"}
    ]


async def test_R24_bdb_finance_and_audit_ask_and_the_unit_answers_on_record(api, session_factory):
    # given
    a = await make_agencies(api, session_factory, "unit", "bdb", "audit", "cac")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    ask = (
        "mutation($i: InfoRequestSendInput!) { infoRequestSend(input: $i) { request { id question } "
        "userErrors { code } } }"
    )
    # when
    asked = (
        await api.data(
            ask, {"i": {"projectId": project["id"], "question": "请提供资金支付凭证"}}, token=a.token["audit"]
        )
    )["infoRequestSend"]["request"]
    by_cac = await api.gql(ask, {"i": {"projectId": project["id"], "question": "?"}}, token=a.token["cac"])
    answered = await api.data(
        "mutation($i: InfoRequestAnswerInput!) { infoRequestAnswer(input: $i) { request { answer } "
        "userErrors { code } } }",
        {"i": {"requestId": asked["id"], "answer": "见附件凭证清单"}},
        token=a.token["unit"],
    )
    listed = await api.data(
        "query($p: ID!) { infoRequests(projectId: $p) { question answer requesterRole } }",
        {"p": project["id"]},
        token=a.token["bdb"],
    )
    # then
    assert error_codes(by_cac) == ["FORBIDDEN"]
    assert answered["infoRequestAnswer"] == {"request": {"answer": "见附件凭证清单"}, "userErrors": []}
    assert listed["infoRequests"] == [
        {"question": "请提供资金支付凭证", "answer": "见附件凭证清单", "requesterRole": "audit"}
    ]
