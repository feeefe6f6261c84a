"""Nothing lost, nothing doubled: many clients acting on one project at the same moment."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from store import audit_chain, tables
from tests.api.projects_helpers import SUBMIT, create
from tests.utils import make_agencies


async def test_50_concurrent_submissions_leave_one_transition_and_one_audit_record(api, session_factory):
    # given a draft and 50 requests submitting it at the same moment
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    variables = {"input": {"projectId": project["id"]}}
    # when
    results = await asyncio.gather(*(api.data(SUBMIT, variables, token=a.token["unit"]) for _ in range(50)))
    # then exactly one wins; every other client is told why, and nothing else was written
    payloads = [r["projectSubmitToReserve"] for r in results]
    winners = [p for p in payloads if not p["userErrors"]]
    losers = {e["code"] for p in payloads for e in p["userErrors"]}
    assert len(winners) == 1 and winners[0]["project"]["status"] == "RESERVE_REVIEW"
    assert losers <= {"INVALID_TRANSITION", "VERSION_CONFLICT"} and len(losers) >= 1
    async with session_factory() as session:
        audits = (
            await session.execute(
                select(func.count())
                .select_from(tables.audit_log)
                .where(tables.audit_log.c.operation == "project:submit-to-reserve")
            )
        ).scalar_one()
        version = (await session.execute(select(tables.projects.c.version))).scalar_one()
    assert audits == 1 and version == project["version"] + 1
    assert (await audit_chain.verify(session_factory)).intact
