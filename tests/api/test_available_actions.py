"""`availableActions` and `viewer.can` tell the truth: an action is allowed exactly when its mutation is not
refused by the project's lifecycle precondition, and a refusal carries the mutation's own userErrors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from api.graphql.authz import PRECONDITIONS, PROJECT_ACTIONS
from api.graphql.common import to_global_id
from authz.operations import Operation
from tests.api import lifecycle_helpers as lh
from tests.api.plan_helpers import planned_project, reserve_project
from tests.api.projects_helpers import create, review, submit
from tests.api.supervision_helpers import order_rectification, sanction
from tests.utils import Agencies, Api, error_codes, make_agencies

ERR = "userErrors { code rule article field message }"
ACTIONS = """query($id: ID!) { project(id: $id) { status availableActions {
  operation allowed code reason mutation reasons { code rule article field message } } } }"""
CAN = """query($op: Operation!, $id: ID) { viewer { can(operation: $op, projectId: $id) {
  allowed code mutation reasons { code message } } } }"""
NEXT_STEP = """query($id: ID!) { project(id: $id) { status nextApprovalStep { document }
  nextApprovalStepBlocked { code rule article message } } }"""
AUTHORIZED = ("GRANTED", "PRECONDITION_FAILED")
STALE = 0  # an expectedVersion no project has: refused after the precondition, so nothing is written


def _doc(mutation: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {ERR} }} }}"


def _calls(a: Agencies, pid: str) -> dict[Operation, tuple[str, str, str, dict[str, Any]]]:
    """Per project action: the role that holds it, the mutation, its input type and an input that every
    check after the precondition refuses (stale version, blank text, zero amount …) — so nothing changes."""
    today = "2026-01-05"
    return {
        Operation.APPROVAL_FACTS_UPDATE: (
            "unit",
            "projectApprovalFactsUpdate",
            "ProjectApprovalFactsUpdateInput",
            {"expectedVersion": STALE},
        ),
        Operation.APPROVAL_DOCUMENT_SUBMIT: (
            "unit",
            "approvalDocumentSubmit",
            "ApprovalDocumentSubmitInput",
            {"type": "PROPOSAL", "requestedInvestment": "1.00", "expectedVersion": STALE},
        ),
        Operation.CONTRACT_RECORD: (
            "unit",
            "contractRecord",
            "ContractRecordInput",
            lh.contract_input(pid, expectedVersion=STALE),
        ),
        Operation.OM_PROCUREMENT_RECORD: (
            "bdb",
            "omProcurementRecord",
            "ContractRecordInput",
            lh.contract_input(pid, expectedVersion=STALE),
        ),
        Operation.CHANGE_REQUEST_FILE: (
            "unit",
            "changeRequestFile",
            "ChangeRequestInput",
            {
                "aspects": ["INVESTMENT"],
                "description": "增加投资",
                "reason": "OTHER",
                "sameObjectives": True,
                "newTotalInvestment": "3100000.00",
                "adjustedFunds": "100000.00",
                "expectedVersion": STALE,
            },
        ),
        Operation.PROGRESS_REPORT_SUBMIT: (
            "unit",
            "progressReportSubmit",
            "ProgressReportSubmitInput",
            {"periodNumber": 1, "physicalProgress": "150", "fundsSpent": "0.00"},
        ),
        Operation.ACCEPTANCE_INITIAL_RECORD: (
            "unit",
            "acceptanceInitialRecord",
            "AcceptanceInitialRecordInput",
            {"date": "2099-01-01", "passed": False},
        ),
        Operation.ACCEPTANCE_EXTEND: (
            "bdb",
            "acceptanceExtensionRecord",
            "AcceptanceExtensionRecordInput",
            {"until": "2099-01-01", "reason": ""},
        ),
        Operation.ACCEPTANCE_APPLY: ("unit", "acceptanceApply", "AcceptanceApplyInput", {}),
        Operation.ACCEPTANCE_REPORT_UPLOAD: (
            "unit",
            "acceptanceReportUpload",
            "AcceptanceReportUploadInput",
            {"report": "FINANCIAL_REPORT"},  # no file: FILE_REQUIRED once the precondition passes
        ),
        Operation.ACCEPTANCE_DECIDE: (
            "bdb",
            "acceptanceDecide",
            "AcceptanceDecideInput",
            {"passed": True, "opinion": ""},
        ),
        Operation.DISBURSEMENT_RECORD: (
            "finance",
            "disbursementRecord",
            "DisbursementRecordInput",
            {"kind": "PROGRESS", "amount": "0.00", "paidOn": today},
        ),
        Operation.RESOURCE_ALLOCATE: (
            "bdb",
            "dataCentreResourceAllocate",
            "DataCentreResourceAllocateInput",
            {"resources": ""},
        ),
        Operation.SELF_EVALUATION_SUBMIT: (
            "unit",
            "selfEvaluationSubmit",
            "SelfEvaluationSubmitInput",
            {"summary": ""},
        ),
        Operation.POST_EVALUATION_COMMISSION: (
            "bdb",
            "postEvaluationCommission",
            "PostEvaluationCommissionInput",
            {"evaluatorOrganizationId": a.gid("unit")},
        ),
        Operation.PLAN_ENTRY_SUBMIT: (
            "unit",
            "planEntrySubmit",
            "PlanEntrySubmitInput",
            {"callId": to_global_id("PlanCall", 999_999), "kind": "BUILD", "requestedAmount": "0.00"},
        ),
        Operation.MID_YEAR_SUBMIT: (
            "unit",
            "midYearRequestSubmit",
            "MidYearRequestSubmitInput",
            {"amount": "1.00", "reason": ""},
        ),
        Operation.PROJECT_UPDATE: ("unit", "projectUpdate", "ProjectUpdateInput", {"expectedVersion": STALE}),
        Operation.PROJECT_PARTICIPATION_UPDATE: (
            "unit2",
            "projectParticipationUpdate",
            "ProjectParticipationUpdateInput",
            {"businessFlow": "b", "dataFlow": "d", "interfaces": "i", "expectedVersion": STALE},
        ),
        Operation.PROJECT_SUBMIT_TO_RESERVE: (
            "unit",
            "projectSubmitToReserve",
            "ProjectSubmitToReserveInput",
            {"expectedVersion": STALE},
        ),
        Operation.RESERVE_REVIEW_RECORD: (
            "bdb",
            "reserveReviewRecord",
            "ReserveReviewRecordInput",
            {"checks": [], "expectedVersion": STALE},
        ),
        Operation.INSPECTION_OPEN: ("bdb", "inspectionOpen", "InspectionOpenInput", {"subject": "MLPS"}),
        Operation.PROJECT_PLAN_DEFER: (
            "bdb",
            "projectPlanDefer",
            "ProjectPlanDeferInput",
            {"defer": True, "expectedVersion": STALE},
        ),
        Operation.PROJECT_SUSPEND: (
            "bdb",
            "projectSuspend",
            "ProjectSanctionInput",
            {"expectedVersion": STALE},
        ),
        Operation.PROJECT_RESUME: (
            "bdb",
            "projectResume",
            "ProjectSanctionInput",
            {"expectedVersion": STALE},
        ),
        Operation.PROJECT_TERMINATE: (
            "bdb",
            "projectTerminate",
            "ProjectSanctionInput",
            {"expectedVersion": STALE},
        ),
        Operation.INFO_REQUEST_SEND: ("bdb", "infoRequestSend", "InfoRequestSendInput", {"question": ""}),
        # No input of these can fail after the precondition: they run last, and may change the project.
        Operation.ACCEPTANCE_REPORT_FILE: ("unit", "acceptanceReportFile", "AcceptanceFilingInput", {}),
        Operation.ACCEPTANCE_FILING_ACKNOWLEDGE: (
            "bdb",
            "acceptanceFilingAcknowledge",
            "AcceptanceFilingInput",
            {},
        ),
    }


AGENCIES = (*lh.LIFECYCLE_AGENCIES, "unit2")


def _joint(a: Agencies) -> dict[str, Any]:
    """A joint project (so the participating unit's action is exercised too)."""
    return {
        "participants": [
            {"organizationId": a.gid("unit2"), "businessFlow": "b", "dataFlow": "d", "interfaces": "i"}
        ],
        "catalogue": [{"code": "C-1", "name": "目录"}],
    }


async def _draft(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await create(api, a.token["unit"], **_joint(a))


async def _returned(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    project = await _draft(api, a, clock)
    await submit(api, a.token["unit"], project["id"])
    returned = await review(api, a.token["bdb"], project["id"], failed={"OVERALL_PLAN": "不符合总体规划"})
    assert returned["project"]["status"] == "DRAFT", returned
    return project


async def _reserve_review(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    project = await _draft(api, a, clock)
    await submit(api, a.token["unit"], project["id"])
    return project


async def _in_reserve(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await reserve_project(api, a, **_joint(a))


async def _planned(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return (await planned_project(api, a, **_joint(a)))[0]


async def _approved(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await lh.approved_project(api, a, **_joint(a))


async def _under_construction(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await lh.under_construction(api, a, **_joint(a))


async def _trial_operation(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await lh.in_trial_operation(api, a, clock, date(2026, 4, 1), **_joint(a))


async def _accepted(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await lh.accepted_project(api, a, clock, **_joint(a))


async def _filed(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    return await lh.filed_project(api, a, clock, **_joint(a))


async def _suspended(api: Api, a: Agencies, clock: Any) -> dict[str, Any]:
    """Under construction, a rectification ordered by bdb left overdue, then suspended (R23.2)."""
    project = await lh.under_construction(api, a, **_joint(a))
    await order_rectification(api, a.token["bdb"], project["id"], "DATA_SHARING", "2026-03-20")
    await lh.move_to(api, a, clock, date(2026, 3, 23))
    body = await sanction(api, a.token["bdb"], "projectSuspend", project["id"])
    assert body["data"]["projectSuspend"]["userErrors"] == [], body
    return project


STATES: dict[str, Callable[[Api, Agencies, Any], Awaitable[dict[str, Any]]]] = {
    "DRAFT": _draft,
    "RETURNED": _returned,
    "RESERVE_REVIEW": _reserve_review,
    "IN_RESERVE": _in_reserve,
    "PLANNED": _planned,
    "APPROVED": _approved,
    "UNDER_CONSTRUCTION": _under_construction,
    "TRIAL_OPERATION": _trial_operation,
    "ACCEPTED": _accepted,
    "FILED": _filed,
    "SUSPENDED": _suspended,
}


async def _actions(api: Api, a: Agencies, role: str, pid: str) -> dict[str, dict[str, Any]]:
    """The project's actions as one agency reads them, by operation."""
    data = await api.data(ACTIONS, {"id": pid}, token=a.token[role])
    return {r["operation"]: r for r in data["project"]["availableActions"]}


@pytest.mark.parametrize("state", list(STATES))
async def test_available_actions_are_allowed_exactly_when_the_mutation_passes_its_precondition(
    api, session_factory, clock, state
):
    # given a project in the state, and for every project action the agency that holds it
    a = await make_agencies(api, session_factory, *AGENCIES)
    project = await STATES[state](api, a, clock)
    pid = project["id"]
    calls = _calls(a, pid)
    assert set(calls) == set(PROJECT_ACTIONS) == set(PRECONDITIONS)
    checked = 0
    for op, (role, mutation, input_type, values) in calls.items():
        # when the agency reads the action, then performs it
        read = await api.gql(ACTIONS, {"id": pid}, token=a.token[role])
        body = await api.gql(
            _doc(mutation, input_type), {"i": {"projectId": pid, **values}}, token=a.token[role]
        )
        payload = (body.get("data") or {}).get(mutation)
        if read.get("errors"):  # a project the agency may not read: the mutation does not find it either
            assert error_codes(read) == ["NOT_FOUND"] and payload is None, (state, op, body)
            continue
        told = {r["operation"]: r for r in read["data"]["project"]["availableActions"]}[op.name]
        # then the action names its mutation, and says what the mutation answers
        assert told["mutation"] == mutation
        if told["code"] not in AUTHORIZED:  # authorization refused first: the mutation is FORBIDDEN
            assert told["reasons"] == [] and payload is None, (state, op, body)
            assert error_codes(body) == ["FORBIDDEN"], (state, op, body)
            continue
        answered = [e["code"] for e in payload["userErrors"]] if payload else []
        if told["allowed"]:
            assert told["reasons"] == [] and told["code"] == "GRANTED"
            assert not set(answered) & PRECONDITION_CODES, (state, op, answered)
        else:
            assert told["code"] == "PRECONDITION_FAILED" and told["reason"], (state, op, told)
            assert payload is not None, (state, op, body)
            assert payload["userErrors"] == told["reasons"], (state, op)
        checked += 1
    # and most actions were exercised past authorization
    assert checked >= len(PROJECT_ACTIONS) // 2, checked


# Codes only preconditions give: one of them in a mutation's answer means its precondition refused it.
PRECONDITION_CODES = {
    "PROJECT_NOT_EDITABLE",
    "INVALID_TRANSITION",
    "APPROVAL_FACTS_LOCKED",
    "PROJECT_NOT_IN_APPROVAL",
    "DOCUMENT_UNDER_REVIEW",
    "PROJECT_NOT_APPROVED",
    "PRELIMINARY_DESIGN_NOT_APPROVED",
    "NOT_IN_APPROVED_PLAN",
    "OM_PROCUREMENT_BY_BDB",
    "NOT_OM_PROJECT",
    "CHANGE_NOT_OPEN",
    "CHANGE_PENDING",
    "NOT_REPORTING",
    "WRONG_STATE",
    "NOT_ACCEPTED",
    "FILING_PENDING",
    "NO_FILING",
    "NOT_APPROVED",
    "RESOURCES_BEFORE_FILING",
    "NOT_IN_OPERATION",
    "OUTSIDE_SELF_EVALUATION_WINDOW",
    "PROJECT_NOT_IN_RESERVE",
    "MID_YEAR_PENDING",
    "PROJECT_PLAN_DEFERRED",
    "PROJECT_SUSPENDED",
    "NO_FAILED_RECTIFICATION",
    "NOT_SUSPENDED",
}


async def test_in_reserve_the_lead_unit_is_told_the_draft_actions_are_closed_and_why(api, session_factory):
    # given a project in the reserve (issue 14: the unit used to be told it may update and submit it)
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await reserve_project(api, a)
    # when the lead unit lists its actions, in English
    data = await api.data(ACTIONS, {"id": project["id"]}, token=a.token["unit"], lang="en")
    actions = {r["operation"]: r for r in data["project"]["availableActions"]}
    # then editing, submitting, acceptance and contracts are refused with the mutations' own codes
    update, submit_again = actions["PROJECT_UPDATE"], actions["PROJECT_SUBMIT_TO_RESERVE"]
    assert (update["allowed"], update["code"], update["mutation"]) == (
        False,
        "PRECONDITION_FAILED",
        "projectUpdate",
    )
    assert [(r["code"], r["rule"], r["article"]) for r in update["reasons"]] == [
        ("PROJECT_NOT_EDITABLE", "R16", "Art. 16")
    ]
    assert "cannot be edited" in update["reason"]
    assert [r["code"] for r in submit_again["reasons"]] == ["INVALID_TRANSITION"]
    assert [r["code"] for r in actions["ACCEPTANCE_APPLY"]["reasons"]] == ["WRONG_STATE"]
    assert [r["code"] for r in actions["CONTRACT_RECORD"]["reasons"]] == ["PROJECT_NOT_APPROVED"]
    # and what the reserve allows is allowed
    assert actions["APPROVAL_DOCUMENT_SUBMIT"]["allowed"] and actions["PLAN_ENTRY_SUBMIT"]["allowed"]


async def test_viewer_can_answers_as_available_actions_do(api, session_factory):
    # given a project in reserve review, its unit and bdb
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    # when the unit asks whether it may update it, bdb whether it may review it, and the unit about creating
    update = (await api.data(CAN, {"op": "PROJECT_UPDATE", "id": project["id"]}, token=a.token["unit"]))[
        "viewer"
    ]["can"]
    review_it = (
        await api.data(CAN, {"op": "RESERVE_REVIEW_RECORD", "id": project["id"]}, token=a.token["bdb"])
    )["viewer"]["can"]
    create_any = (await api.data(CAN, {"op": "PROJECT_CREATE"}, token=a.token["unit"]))["viewer"]["can"]
    # then the update is refused for the project's state, the review allowed, creation allowed (no project)
    assert (update["allowed"], update["code"], [r["code"] for r in update["reasons"]]) == (
        False,
        "PRECONDITION_FAILED",
        ["PROJECT_NOT_EDITABLE"],
    )
    assert (review_it["allowed"], review_it["code"], review_it["mutation"]) == (
        True,
        "GRANTED",
        "reserveReviewRecord",
    )
    assert (create_any["allowed"], create_any["mutation"], create_any["reasons"]) == (
        True,
        "projectCreate",
        [],
    )


async def test_an_authorization_refusal_comes_before_the_precondition(api, session_factory):
    # given a draft, and its unit (no grant to review) asking about the review
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    # when it reads the review action of the draft (which the draft's state refuses too)
    unit = (await _actions(api, a, "unit", project["id"]))["RESERVE_REVIEW_RECORD"]
    # then the answer is the authorization's, with no precondition reasons
    assert (unit["allowed"], unit["code"], unit["reasons"]) == (False, "NO_GRANT", [])


async def test_next_approval_step_null_says_why(api, session_factory, clock):
    # given a draft, a reserve project, a project with a document under review and an approved project
    a = await make_agencies(api, session_factory, *lh.LIFECYCLE_AGENCIES)
    draft = await create(api, a.token["unit"])
    reserve = await reserve_project(api, a)
    under_review = await reserve_project(api, a)
    lh.ok(
        (
            await api.data(
                lh.DOC_SUBMIT,
                {"i": {"projectId": under_review["id"], "type": "PROPOSAL", "requestedInvestment": "1.00"}},
                token=a.token["unit"],
            )
        )["approvalDocumentSubmit"]
    )
    approved = await lh.approved_project(api, a)

    async def step(pid: str) -> dict[str, Any]:
        return (await api.data(NEXT_STEP, {"id": pid}, token=a.token["unit"]))["project"]

    # when each is asked for its next approval step
    answers = {
        name: await step(p["id"])
        for name, p in (("draft", draft), ("reserve", reserve), ("review", under_review), ("done", approved))
    }
    # then a step comes with no blocker, and a null step says why
    assert answers["reserve"]["nextApprovalStep"] is not None
    assert answers["reserve"]["nextApprovalStepBlocked"] == []
    blocked = {k: [e["code"] for e in v["nextApprovalStepBlocked"]] for k, v in answers.items()}
    assert blocked["draft"] == ["PROJECT_NOT_IN_APPROVAL"]
    assert blocked["review"] == ["DOCUMENT_UNDER_REVIEW"]
    assert blocked["done"] == ["APPROVAL_PATH_COMPLETE"]
    assert all(answers[k]["nextApprovalStep"] is None for k in ("draft", "review", "done"))
