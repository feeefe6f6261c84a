"""The whole life of one project over HTTP, each step by the agency that owns it: draft → reserve →
annual plan → approvals → contract → change → progress → funds → acceptance → filing → self-evaluation →
post-evaluation shown at the unit's next application — and the audit log that records every step."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from api.graphql.common import from_global_id
from domain.calendar_math import add_months
from store import tables
from tests.api.lifecycle_helpers import (
    ACKNOWLEDGE,
    ALL_REPORTS,
    ALLOCATE,
    APPLY,
    CHANGE,
    COMMISSION,
    CONTRACT,
    DECIDE,
    DISBURSE,
    DOC_SUBMIT,
    FILE_REPORT,
    INITIAL,
    LIFECYCLE_AGENCIES,
    POST_RESULT,
    PROGRESS,
    SELF_EVALUATE,
    approve_document,
    contract_input,
    implementation,
    move_to,
    mutate,
    ok,
    upload_reports,
)
from tests.api.plan_helpers import planned_project, reserve_project
from tests.utils import make_agencies

HISTORY = "query($id: ID!) { approvalDocument(id: $id) { unitPostEvaluations { projectName score grade } } }"


async def test_one_project_from_draft_to_post_evaluation_by_the_agencies_that_own_each_step(
    api, session_factory, clock
):
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    # given a draft the unit submits, bdb takes into the reserve, and the government approves in the 2026 plan
    project, plan = await planned_project(api, a, name="营口市城市运行管理服务平台数据底座")
    pid = project["id"]
    assert plan["status"] == "APPROVED"
    # when bdb approves its feasibility study and preliminary design (evaluated, crypto-reviewed)
    await approve_document(api, a, pid, "FEASIBILITY_STUDY", "3000000.00", "2026-03-02")
    approved = await approve_document(api, a, pid, "PRELIMINARY_DESIGN", "3000000.00", "2026-03-02")
    # and the unit records its contract, files a small change and reports its first quarter
    ok(await mutate(api, a, CONTRACT, "unit", contract_input(pid)))
    change = ok(
        await mutate(
            api,
            a,
            CHANGE,
            "unit",
            {
                "projectId": pid,
                "aspects": ["CONTENT"],
                "description": "增加城市部件数据接入",
                "reason": "BUSINESS_NEEDS",
                "sameObjectives": True,
                "newTotalInvestment": "3000000.00",
                "adjustedFunds": "120000.00",
            },
        )
    )
    ok(
        await mutate(
            api,
            a,
            PROGRESS,
            "unit",
            {
                "projectId": pid,
                "periodNumber": 1,
                "physicalProgress": "35.00",
                "fundsSpent": "900000.00",
                "milestones": "完成数据底座部署",
            },
        )
    )
    ok(
        await mutate(
            api,
            a,
            DISBURSE,
            "finance",
            {"projectId": pid, "kind": "PROGRESS", "amount": "2700000.00", "paidOn": "2026-03-02"},
        )
    )
    # and passes its initial acceptance, applies three months later, bdb accepts, the unit files, bdb acknowledges
    await move_to(api, a, clock, date(2026, 4, 1))
    await upload_reports(api, a, pid, ["INITIAL_ACCEPTANCE"])
    ok(await mutate(api, a, INITIAL, "unit", {"projectId": pid, "date": "2026-04-01", "passed": True}))
    await move_to(api, a, clock, date(2026, 7, 1))
    await upload_reports(api, a, pid, ALL_REPORTS)
    ok(await mutate(api, a, APPLY, "unit", {"projectId": pid}))
    ok(await mutate(api, a, DECIDE, "bdb", {"projectId": pid, "passed": True, "opinion": "验收合格"}))
    await upload_reports(api, a, pid, ["COMPLETION_ACCEPTANCE"])
    ok(await mutate(api, a, FILE_REPORT, "unit", {"projectId": pid, "note": "竣工验收报告"}))
    filed = ok(await mutate(api, a, ACKNOWLEDGE, "bdb", {"projectId": pid}))
    # and finance pays the remaining funds, bdb allocates data-centre resources
    ok(
        await mutate(
            api,
            a,
            DISBURSE,
            "finance",
            {"projectId": pid, "kind": "FINAL", "amount": "300000.00", "paidOn": "2026-07-01"},
        )
    )
    ok(
        await mutate(
            api, a, ALLOCATE, "bdb", {"projectId": pid, "resources": "政务云 16 vCPU / 64 GB / 4 TB"}
        )
    )
    # and a year into operation the unit self-evaluates; bdb commissions a post-evaluation the evaluator files
    await move_to(api, a, clock, add_months(date(2026, 7, 1), 12))
    ok(
        await mutate(
            api, a, SELF_EVALUATE, "unit", {"projectId": pid, "summary": "运行稳定，支撑城市运行管理。"}
        )
    )
    commissioned = ok(
        await mutate(
            api, a, COMMISSION, "bdb", {"projectId": pid, "evaluatorOrganizationId": a.gid("evaluator")}
        )
    )
    ok(
        await mutate(
            api,
            a,
            POST_RESULT,
            "evaluator",
            {
                "postEvaluationId": commissioned["postEvaluation"]["id"],
                "score": "91",
                "grade": "EXCELLENT",
                "findings": "数据汇聚和共享成效显著",
            },
        )
    )
    # and the unit applies for its next project
    following = await reserve_project(api, a, name="营口市城市运行管理平台（二期）")
    proposal = ok(
        (
            await api.data(
                DOC_SUBMIT,
                {
                    "i": {
                        "projectId": following["id"],
                        "type": "PROPOSAL",
                        "requestedInvestment": "2000000.00",
                    }
                },
                token=a.token["unit"],
            )
        )["approvalDocumentSubmit"]
    )

    # then every stage left its mark on the project
    assert approved["status"] == "APPROVED" and change["changeRequest"]["status"] == "FILED"
    assert filed["implementation"]["project"]["status"] == "FILED"
    life = await implementation(api, a, pid, role="bdb")
    assert life["project"]["operationStartedOn"] == "2026-07-01"
    assert life["progressQuarters"] == [
        {"number": 1, "dueOn": "2026-06-02", "submitted": True, "overdue": False}
    ]
    assert life["disbursedTotal"] == "3000000.00"
    assert life["selfEvaluations"][0]["deliveredTo"] == ["bdb", "finance"]
    assert life["postEvaluations"][0]["grade"] == "EXCELLENT"
    # and bdb sees the post-evaluation beside the unit's next application (R22)
    history = await api.data(HISTORY, {"id": proposal["document"]["id"]}, token=a.token["bdb"])
    assert history["approvalDocument"]["unitPostEvaluations"] == [
        {"projectName": "营口市城市运行管理服务平台数据底座", "score": "91.00", "grade": "EXCELLENT"}
    ]
    # and the audit log holds each step with the agency that took it, in order
    async with session_factory() as session:
        rows = (
            await session.execute(
                select(tables.audit_log.c.operation, tables.audit_log.c.actor_role)
                .where(
                    tables.audit_log.c.target_type == "Project",
                    tables.audit_log.c.target_id == from_global_id(pid)[1],
                )
                .order_by(tables.audit_log.c.id)
            )
        ).all()
    steps = [(operation, role) for operation, role in rows]
    milestones = [
        ("project:create", "unit"),
        ("project:submit-to-reserve", "unit"),
        ("reserve-review:record", "bdb"),
        ("annual-plan:decide", "government"),
        ("approval-document:approve", "bdb"),
        ("contract:record", "unit"),
        ("change-request:file", "unit"),
        ("acceptance:initial-record", "unit"),
        ("acceptance:apply", "unit"),
        ("acceptance:decide", "bdb"),
        ("acceptance:filing-acknowledge", "bdb"),
    ]
    positions = [steps.index(step) for step in milestones]
    assert positions == sorted(positions), steps
    async with session_factory() as session:
        written = set(
            (
                await session.execute(
                    select(
                        tables.audit_log.c.target_type,
                        tables.audit_log.c.operation,
                        tables.audit_log.c.actor_role,
                    )
                )
            ).all()
        )
    assert {
        ("Contract", "contract:record", "unit"),
        ("ProgressReport", "progress-report:submit", "unit"),
        ("Disbursement", "disbursement:record", "finance"),
        ("ResourceAllocation", "data-centre-resource:allocate", "bdb"),
        ("SelfEvaluation", "self-evaluation:submit", "unit"),
        ("PostEvaluation", "post-evaluation:commission", "bdb"),
        ("PostEvaluation", "post-evaluation:file", "evaluator"),
    } <= written
