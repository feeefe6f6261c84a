"""Steps of Art. 9–13 over HTTP, shared by the plan and approval tests."""

from __future__ import annotations

from typing import Any

from tests.api.projects_helpers import create, review, submit
from tests.utils import Agencies, Api

ERR = "userErrors { code rule article field message }"
OPEN_CALL = f"mutation($i: PlanCallOpenInput!) {{ planCallOpen(input: $i) {{ call {{ id year closesAt isOpen }} {ERR} }} }}"
SUBMIT_ENTRY = f"mutation($i: PlanEntrySubmitInput!) {{ planEntrySubmit(input: $i) {{ entry {{ id kind requestedAmount reviews {{ reviewerRole }} }} {ERR} }} }}"
REVIEW_ENTRY = f"mutation($i: PlanEntryReviewInput!) {{ planEntryReview(input: $i) {{ entry {{ id reviews {{ reviewerRole opinion recommendedAmount }} }} {ERR} }} }}"
PLAN_FIELDS = "id year revision status totalInvestment items { amount source project { id status planYear } }"
COMPILE = f"mutation($i: AnnualPlanCompileInput!) {{ annualPlanCompile(input: $i) {{ plan {{ {PLAN_FIELDS} }} {ERR} }} }}"
SEND = f"mutation($i: AnnualPlanInput!) {{ annualPlanSend(input: $i) {{ plan {{ {PLAN_FIELDS} }} {ERR} }} }}"
APPROVE_PLAN = (
    f"mutation($i: AnnualPlanInput!) {{ annualPlanApprove(input: $i) {{ plan {{ {PLAN_FIELDS} }} {ERR} }} }}"
)
RETURN_PLAN = f"mutation($i: AnnualPlanInput!) {{ annualPlanReturn(input: $i) {{ plan {{ {PLAN_FIELDS} decisionComment }} {ERR} }} }}"


async def reserve_project(api: Api, a: Agencies, unit: str = "unit", **fields: Any) -> dict[str, Any]:
    """A project the unit drafted, submitted and bdb accepted into the reserve."""
    project = await create(api, a.token[unit], **fields)
    await submit(api, a.token[unit], project["id"])
    reviewed = await review(api, a.token["bdb"], project["id"])
    assert reviewed["project"]["status"] == "IN_RESERVE", reviewed
    return reviewed["project"]


async def open_call(api: Api, a: Agencies, **overrides: Any) -> dict[str, Any]:
    values = {
        "year": 2026,
        "deadline": "2026-03-31",
        "budgetCompilationDate": "2026-04-15",
        "requirements": "各单位报送下一年度建设和运维计划。",
    } | overrides
    payload = (await api.data(OPEN_CALL, {"i": values}, token=a.token["bdb"]))["planCallOpen"]
    assert payload["userErrors"] == [], payload
    return payload["call"]


async def planned_project(
    api: Api, a: Agencies, unit: str = "unit", amount: str = "5000000.00", **fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A reserve project taken through the call, joint review, compilation and government approval."""
    project = await reserve_project(api, a, unit, **fields)
    call = await open_call(api, a)
    entry = (
        await api.data(
            SUBMIT_ENTRY,
            {
                "i": {
                    "callId": call["id"],
                    "projectId": project["id"],
                    "kind": "BUILD",
                    "requestedAmount": amount,
                }
            },
            token=a.token[unit],
        )
    )["planEntrySubmit"]
    for role in ("bdb", "finance"):
        await api.data(
            REVIEW_ENTRY,
            {"i": {"entryId": entry["entry"]["id"], "opinion": "同意", "recommendedAmount": amount}},
            token=a.token[role],
        )
    plan = (
        await api.data(
            COMPILE,
            {"i": {"callId": call["id"], "items": [{"entryId": entry["entry"]["id"], "amount": amount}]}},
            token=a.token["bdb"],
        )
    )["annualPlanCompile"]["plan"]
    await api.data(SEND, {"i": {"planId": plan["id"]}}, token=a.token["bdb"])
    approved = await api.data(APPROVE_PLAN, {"i": {"planId": plan["id"]}}, token=a.token["government"])
    assert approved["annualPlanApprove"]["userErrors"] == [], approved
    return project, approved["annualPlanApprove"]["plan"]
