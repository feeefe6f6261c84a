"""Steps shared by the supervision, obligations, notifications, dashboard and timeline tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.graphql.common import from_global_id
from store import tables
from tests.api.projects_helpers import create, review, submit
from tests.utils import Api

ERRORS = "userErrors { code rule article field message }"
OPEN = f"""mutation($i: InspectionOpenInput!) {{ inspectionOpen(input: $i) {{
  inspection {{ id subject status }} {ERRORS} }} }}"""
CONCLUDE = f"""mutation($i: InspectionConcludeInput!) {{ inspectionConclude(input: $i) {{
  inspection {{ id status findings rectificationDeadline }} {ERRORS} }} }}"""
REPORT = f"""mutation($i: RectificationReportSubmitInput!) {{ rectificationReportSubmit(input: $i) {{
  report {{ id status attachments {{ filename size downloadUrl }} }} {ERRORS} }} }}"""
REVIEW_REPORT = f"""mutation($i: RectificationReportReviewInput!) {{ rectificationReportReview(input: $i) {{
  report {{ id status reviewReasons }} {ERRORS} }} }}"""
SANCTION = (
    "mutation($i: ProjectSanctionInput!) { NAME(input: $i) { project { id status planDeferred } "
    + ERRORS
    + " } }"
)


async def reserve_project(api: Api, unit_token: str, bdb_token: str, **overrides: Any) -> dict[str, Any]:
    """A project in the reserve (submitted, so supervisors see it)."""
    project = await create(api, unit_token, **overrides)
    await submit(api, unit_token, project["id"])
    reviewed = await review(api, bdb_token, project["id"])
    assert reviewed["userErrors"] == [], reviewed
    return project


async def under_construction(
    factory: async_sessionmaker[AsyncSession], project_id: str, approval_date: date
) -> None:
    """Put a reserve project straight into construction with its approval date (issue 4 covers the path)."""
    decoded = from_global_id(project_id)
    assert decoded is not None
    async with factory() as session, session.begin():
        await session.execute(
            update(tables.projects)
            .where(tables.projects.c.id == decoded[1])
            .values(
                status="UNDER_CONSTRUCTION", approval_date=approval_date, approved_investment="1000000.00"
            )
        )


async def sanction(api: Api, token: str, name: str, project_id: str) -> dict[str, Any]:
    return await api.gql(SANCTION.replace("NAME", name), {"i": {"projectId": project_id}}, token=token)


async def order_rectification(api: Api, token: str, project_id: str, subject: str, deadline: str) -> str:
    opened = await api.data(OPEN, {"i": {"projectId": project_id, "subject": subject}}, token=token)
    assert opened["inspectionOpen"]["userErrors"] == [], opened
    inspection_id = opened["inspectionOpen"]["inspection"]["id"]
    concluded = await api.data(
        CONCLUDE,
        {
            "i": {
                "inspectionId": inspection_id,
                "findings": "未按要求共享数据",
                "rectificationDeadline": deadline,
            }
        },
        token=token,
    )
    assert concluded["inspectionConclude"]["userErrors"] == [], concluded
    return str(inspection_id)
