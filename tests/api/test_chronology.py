"""Dates that cannot lie, over HTTP: stated dates against today and the project's recorded chronology
(R13.3, R14.1, R19.3, R24.1), the R20 rectification deadline, and contracts against the approved
investment (R16). Each refusal changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from store import construction_tables, tables
from tests.api.lifecycle_helpers import (
    ALL_REPORTS,
    APPLY,
    CHANGE,
    CONTRACT,
    DECIDE,
    DECIDE_CHANGE,
    DOC_APPROVE,
    DOC_SUBMIT,
    EXTEND,
    INITIAL,
    LIFECYCLE_AGENCIES,
    approved_project,
    codes,
    contract_input,
    in_trial_operation,
    move_to,
    mutate,
    ok,
    under_construction,
    upload_reports,
)
from tests.api.plan_helpers import planned_project
from tests.utils import make_agencies


async def _count(session_factory, table) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


def _errors(payload) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["code"], e["rule"], e["article"]) for e in payload["userErrors"]]


async def test_R13_3_an_approval_dated_2019_for_a_document_submitted_today_is_refused(
    api, session_factory, clock
):
    # given a proposal submitted today (2 March 2026)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project, _ = await planned_project(api, a)
    submitted = ok(
        (
            await api.data(
                DOC_SUBMIT,
                {"i": {"projectId": project["id"], "type": "PROPOSAL", "requestedInvestment": "3000000.00"}},
                token=a.token["unit"],
            )
        )["approvalDocumentSubmit"]
    )
    doc_id = submitted["document"]["id"]
    audit_before = await _count(session_factory, tables.audit_log)

    # when bdb dates the approval 1 January 2019 — with and without a late-entry reason
    def approval(on: str, reason: str | None = None) -> dict:
        values = {"documentId": doc_id, "approvalNumber": "营数据审〔2019〕1号", "approvalDate": on}
        values |= {"approvedInvestment": "3000000.00", "lateEntryReason": reason}
        return {"i": values}

    refused = (await api.data(DOC_APPROVE, approval("2019-01-01"), token=a.token["bdb"]))[
        "approvalDocumentApprove"
    ]
    explained = (await api.data(DOC_APPROVE, approval("2019-01-01", "补录"), token=a.token["bdb"]))[
        "approvalDocumentApprove"
    ]
    en = await api.gql(DOC_APPROVE, approval("2019-01-01", "补录"), token=a.token["bdb"], lang="en")

    # then it predates the submission recorded today (a reason moves no bound) and nothing was written
    assert ("DATE_BEFORE_PRECEDING_STEP", "R13.3", "第十三条") in _errors(refused)
    assert ("LATE_ENTRY_REASON_REQUIRED", "R24.1", "第二十四条") in _errors(refused)
    assert _errors(explained) == [("DATE_BEFORE_PRECEDING_STEP", "R13.3", "第十三条")]
    assert "2026-03-02" in explained["userErrors"][0]["message"]
    assert "submission" in en["data"]["approvalDocumentApprove"]["userErrors"][0]["message"]
    assert await _count(session_factory, tables.audit_log) == audit_before


async def test_R19_3_an_initial_acceptance_100_days_before_a_contract_signed_today_is_refused(
    api, session_factory, clock
):
    # given a project approved and contracted today (2 March 2026)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    await upload_reports(api, a, project["id"], ["INITIAL_ACCEPTANCE", *ALL_REPORTS])
    events_before = await _count(session_factory, construction_tables.acceptance_events)
    # when the unit states an initial acceptance on 22 November 2025 (100 days ago), and then today
    back = await mutate(
        api, a, INITIAL, "unit", {"projectId": project["id"], "date": "2025-11-22", "passed": True}
    )
    explained = await mutate(
        api,
        a,
        INITIAL,
        "unit",
        {"projectId": project["id"], "date": "2025-11-22", "passed": True, "lateEntryReason": "纸质纪要补录"},
    )
    events_after_refusals = await _count(session_factory, construction_tables.acceptance_events)
    today = ok(
        await mutate(
            api, a, INITIAL, "unit", {"projectId": project["id"], "date": "2026-03-02", "passed": True}
        )
    )
    # and applies for completion acceptance the same day
    applied = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    # then the backdated acceptance is refused before construction started; today's starts the trial
    # operation, and completion acceptance must wait the 3 months of Art. 19
    assert _errors(back) == [
        ("DATE_BEFORE_PRECEDING_STEP", "R19.3", "第十九条"),
        ("LATE_ENTRY_REASON_REQUIRED", "R24.1", "第二十四条"),
    ]
    assert _errors(explained) == [("DATE_BEFORE_PRECEDING_STEP", "R19.3", "第十九条")]
    assert events_after_refusals == events_before
    assert today["implementation"]["acceptance"]["windowOpensOn"] == "2026-06-02"
    assert codes(applied) == ["ACCEPTANCE_TOO_EARLY"]


async def test_R24_1_a_contract_entered_31_days_late_needs_a_reason_and_the_audit_keeps_it(
    api, session_factory, clock
):
    # given a project approved on 2 March 2026, and the clock moved to 2 May
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await approved_project(api, a)
    await move_to(api, a, clock, date(2026, 5, 2))
    # when the contract signed on 1 April (31 days ago) is recorded without and with a reason,
    # and a contract dated before the approval is tried
    bare = await mutate(api, a, CONTRACT, "unit", contract_input(project["id"], signedOn="2026-04-01"))
    early = await mutate(
        api, a, CONTRACT, "unit", contract_input(project["id"], signedOn="2026-03-01", lateEntryReason="补录")
    )
    reason = "合同原件经财政评审后补录"
    recorded = ok(
        await mutate(
            api,
            a,
            CONTRACT,
            "unit",
            contract_input(project["id"], signedOn="2026-04-01", lateEntryReason=reason),
        )
    )
    # then the first asks for the reason (R24.1), the second predates the approval (R14.1), the third is
    # recorded and its audit record keeps the reason
    assert [(e["code"], e["rule"], e["field"]) for e in bare["userErrors"]] == [
        ("LATE_ENTRY_REASON_REQUIRED", "R24.1", ["input", "lateEntryReason"])
    ]
    assert _errors(early) == [("DATE_BEFORE_PRECEDING_STEP", "R14.1", "第十四条")]
    assert recorded["project"]["status"] == "UNDER_CONSTRUCTION"
    async with session_factory() as session:
        after = (
            await session.execute(
                select(tables.audit_log.c.after)
                .where(tables.audit_log.c.target_type == "Contract")
                .order_by(tables.audit_log.c.id.desc())
                .limit(1)
            )
        ).scalar_one()
    assert after["lateEntryReason"] == reason and after["signed_on"] == "2026-04-01"


async def test_R16_a_contract_above_the_approved_investment_is_refused_until_bdb_approves_a_change(
    api, session_factory, clock
):
    # given a project approved at 3,000,000.00 with a first contract of 2,850,000.00
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    second = contract_input(project["id"], amount="150000.01", contractNumber="HT-2")
    # when a second contract of 150,000.01 (total 3,000,000.01) is recorded, then again after bdb approved a
    # change raising the total to 3,300,000.00 (R16)
    above = await mutate(api, a, CONTRACT, "unit", second)
    change = ok(
        await mutate(
            api,
            a,
            CHANGE,
            "unit",
            {
                "projectId": project["id"],
                "aspects": ["SCALE", "INVESTMENT"],
                "description": "增加灾备节点",
                "reason": "BUSINESS_NEEDS",
                "sameObjectives": True,
                "newTotalInvestment": "3300000.00",
                "adjustedFunds": "300000.00",
            },
        )
    )
    ok(
        await mutate(
            api,
            a,
            DECIDE_CHANGE,
            "bdb",
            {"changeRequestId": change["changeRequest"]["id"], "approve": True, "opinion": "同意增加投资"},
        )
    )
    after_change = await mutate(api, a, CONTRACT, "unit", second)
    # then one fen above the approved investment is refused citing Art. 16; once the change is approved the
    # same contract is recorded
    assert [(e["code"], e["rule"], e["field"]) for e in above["userErrors"]] == [
        ("CONTRACT_ABOVE_APPROVED", "R16", ["input", "amount"])
    ]
    assert above["userErrors"][0]["article"] == "第十六条"
    assert after_change["userErrors"] == [] and after_change["contract"]["amount"] == "150000.01"


async def test_R20_a_resubmission_after_the_rectification_deadline_is_refused_unless_bdb_extends_it(
    api, session_factory, clock
):
    # given a completion acceptance failed on 1 July 2026 (rectify by 1 October)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, date(2026, 4, 1))
    pid = {"projectId": project["id"]}
    await move_to(api, a, clock, date(2026, 7, 1))
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    ok(await mutate(api, a, APPLY, "unit", pid))
    ok(await mutate(api, a, DECIDE, "bdb", pid | {"passed": False, "opinion": "数据接口未达标"}))
    # when the unit resubmits on 2 October, then bdb extends the rectification to 31 October and it resubmits
    await move_to(api, a, clock, date(2026, 10, 2))
    late = await mutate(api, a, APPLY, "unit", pid)
    past = await mutate(api, a, EXTEND, "bdb", pid | {"until": "2026-10-01", "reason": "整改涉及采购"})
    extended = ok(
        await mutate(api, a, EXTEND, "bdb", pid | {"until": "2026-10-31", "reason": "整改涉及采购"})
    )
    resubmitted = ok(await mutate(api, a, APPLY, "unit", pid))
    # then the late resubmission is refused citing Art. 20, the extension moves the deadline, and the
    # resubmission within it goes to bdb's re-examination
    assert _errors(late) == [("RECTIFICATION_OVERDUE", "R20", "第二十条")]
    assert codes(past) == ["EXTENSION_NOT_LATER", "EXTENSION_IN_PAST"]
    assert extended["implementation"]["acceptance"]["rectificationDeadline"] == "2026-10-31"
    assert resubmitted["implementation"]["project"]["status"] == "ACCEPTANCE_REVIEW"
