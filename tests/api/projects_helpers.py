"""GraphQL documents and small steps shared by the project tests."""

from __future__ import annotations

from typing import Any

from tests.utils import Api

PROJECT_FIELDS = """
  id code name status version totalInvestment year
  deploysOnGovernmentCloud platformExemptionReason
  leadOrganization { name }
  participants { organization { name } businessFlow dataFlow interfaces }
  catalogue { code name newConstruction }
  reserveReviews { outcome returnReasons checks { check passed note } }
"""
ERRORS = "userErrors { code rule article field message }"

CREATE = f"mutation($input: ProjectCreateInput!) {{ projectCreate(input: $input) {{ project {{ {PROJECT_FIELDS} }} {ERRORS} }} }}"
UPDATE = f"mutation($input: ProjectUpdateInput!) {{ projectUpdate(input: $input) {{ project {{ {PROJECT_FIELDS} }} {ERRORS} }} }}"
SUBMIT = (
    f"mutation($input: ProjectSubmitToReserveInput!) {{ projectSubmitToReserve(input: $input) "
    f"{{ project {{ {PROJECT_FIELDS} }} {ERRORS} }} }}"
)
REVIEW = (
    f"mutation($input: ReserveReviewRecordInput!) {{ reserveReviewRecord(input: $input) "
    f"{{ project {{ {PROJECT_FIELDS} }} review {{ outcome returnReasons }} {ERRORS} }} }}"
)
PARTICIPATE = (
    f"mutation($input: ProjectParticipationUpdateInput!) {{ projectParticipationUpdate(input: $input) "
    f"{{ project {{ {PROJECT_FIELDS} }} {ERRORS} }} }}"
)
GET = f"query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}"
CHECKS = ["OVERALL_PLAN", "INDUSTRY_PLAN", "INTENSIVE_PLATFORMS", "DATA_SHARING", "SECURITY_IN_STEP"]


def draft_input(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "营口市智慧教育云平台（二期）",
        "kind": "BUILD",
        "category": "BUSINESS_SYSTEM",
        "fundingSource": "FISCAL",
        "totalInvestment": "12800000.00",
        "description": "建设全市统一的教育资源公共服务平台。",
        "contact": {"name": "陈静", "phone": "0417-2800001", "email": "chen@yk.gov.cn"},
    } | overrides


def all_checks(failed: dict[str, str] | None = None) -> list[dict[str, Any]]:
    failed = failed or {}
    return [{"check": c, "passed": c not in failed, "note": failed.get(c, "符合要求。")} for c in CHECKS]


async def create(api: Api, token: str, **overrides: Any) -> dict[str, Any]:
    payload = (await api.data(CREATE, {"input": draft_input(**overrides)}, token=token))["projectCreate"]
    assert payload["userErrors"] == [], payload
    return payload["project"]


async def submit(api: Api, token: str, project_id: str) -> dict[str, Any]:
    payload = (await api.data(SUBMIT, {"input": {"projectId": project_id}}, token=token))[
        "projectSubmitToReserve"
    ]
    assert payload["userErrors"] == [], payload
    return payload["project"]


async def review(
    api: Api, token: str, project_id: str, failed: dict[str, str] | None = None, comment: str = ""
) -> dict[str, Any]:
    return (
        await api.data(
            REVIEW,
            {"input": {"projectId": project_id, "checks": all_checks(failed), "comment": comment}},
            token=token,
        )
    )["reserveReviewRecord"]
