"""Art. 16–17 over HTTP: the dry run shows the route and the rule; small changes within the total are
filed and effective at once (15 % cumulative); everything else waits for bdb; approved figures keep history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from store import construction_tables, tables
from tests.api.lifecycle_helpers import (
    CHANGE,
    CLASSIFY,
    DECIDE_CHANGE,
    LIFECYCLE_AGENCIES,
    codes,
    mutate,
    ok,
    under_construction,
)
from tests.utils import error_codes, make_agencies


def _change(project_id: str, adjusted: str, total: str = "3000000.00", **extra: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "aspects": ["CONTENT"],
        "description": "调整数据治理模块建设内容",
        "reason": "TECHNICAL_OPTIMISATION",
        "sameObjectives": True,
        "newTotalInvestment": total,
        "adjustedFunds": adjusted,
    } | extra


async def test_R17_dry_run_exactly_15_percent_is_filed_and_one_fen_more_needs_approval(api, session_factory):
    # given a project under construction, approved at 3,000,000.00 (15 % = 450,000.00)
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    # when the unit previews 450,000.00 and 450,000.01, then files 450,000.00
    exactly = ok(
        (await api.data(CLASSIFY, {"i": _change(project["id"], "450000.00")}, token=a.token["unit"]))[
            "changeRequestClassify"
        ]
    )["classification"]
    above = ok(
        (await api.data(CLASSIFY, {"i": _change(project["id"], "450000.01")}, token=a.token["unit"]))[
            "changeRequestClassify"
        ]
    )["classification"]
    filed = ok(await mutate(api, a, CHANGE, "unit", _change(project["id"], "450000.00")))
    # then the preview names route, rule and article; the filing is effective at once
    assert (exactly["route"], exactly["rule"], exactly["article"]) == ("FILING", "R17", "第十七条")
    assert (exactly["filingLimit"], exactly["cumulativeShare"]) == ("450000.00", "15.00")
    assert (above["route"], above["rule"], above["cumulativeAdjusted"]) == ("APPROVAL", "R17", "450000.01")
    assert filed["changeRequest"]["status"] == "FILED"
    assert [v["version"] for v in filed["implementation"]["approvedFigureVersions"]] == [1, 2]


async def test_R17_three_filed_adjustments_summing_past_15_percent_need_bdb_approval(api, session_factory):
    # given two filed adjustments of 200,000.00 each
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    for _ in range(2):
        assert (
            ok(await mutate(api, a, CHANGE, "unit", _change(project["id"], "200000.00")))["changeRequest"][
                "status"
            ]
            == "FILED"
        )
    # when a third of 50,000.01 is filed (cumulative 450,000.01)
    third = ok(await mutate(api, a, CHANGE, "unit", _change(project["id"], "50000.01")))
    # then it waits for bdb under R17, and a fourth change is refused while it waits
    assert (
        third["changeRequest"]["route"],
        third["changeRequest"]["rule"],
        third["changeRequest"]["status"],
    ) == ("APPROVAL", "R17", "PENDING")
    assert codes(await mutate(api, a, CHANGE, "unit", _change(project["id"], "1.00"))) == ["CHANGE_PENDING"]


async def test_R16_an_increase_is_approved_by_bdb_and_every_version_of_the_approved_figures_is_kept(
    api, session_factory
):
    # given a change that raises the total to 3,300,000.00
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    pending = ok(
        await mutate(
            api,
            a,
            CHANGE,
            "unit",
            _change(project["id"], "300000.00", "3300000.00", aspects=["SCALE", "INVESTMENT"]),
        )
    )
    change_id = pending["changeRequest"]["id"]
    # when the unit tries to approve it, then bdb approves it
    by_unit = await api.gql(
        DECIDE_CHANGE,
        {"i": {"changeRequestId": change_id, "approve": True, "opinion": "同意"}},
        token=a.token["unit"],
    )
    by_bdb = ok(
        await mutate(
            api,
            a,
            DECIDE_CHANGE,
            "bdb",
            {"changeRequestId": change_id, "approve": True, "opinion": "同意增加投资"},
        )
    )
    # then R16 decided the route, only bdb may approve, and the approved figures moved with their history
    assert (pending["changeRequest"]["rule"], pending["changeRequest"]["route"]) == ("R16", "APPROVAL")
    assert pending["implementation"]["project"]["approvedInvestment"] == "3000000.00"
    assert error_codes(by_unit) == ["FORBIDDEN"]
    assert by_bdb["changeRequest"]["status"] == "APPROVED"
    assert by_bdb["implementation"]["project"]["approvedInvestment"] == "3300000.00"
    assert [
        (v["version"], v["approvedInvestment"]) for v in by_bdb["implementation"]["approvedFigureVersions"]
    ] == [(1, "3000000.00"), (2, "3300000.00")]
    async with session_factory() as session:
        operations = (
            await session.execute(
                select(tables.audit_log.c.operation, tables.audit_log.c.target_type)
                .where(tables.audit_log.c.operation.like("change-request:%"))
                .order_by(tables.audit_log.c.id)
            )
        ).all()
    assert [tuple(o) for o in operations] == [
        ("change-request:file", "ChangeRequest"),
        ("change-request:decide", "ChangeRequest"),
        ("change-request:decide", "Project"),
    ]


async def test_wrong_agencies_cannot_file_or_preview_a_change_and_nothing_is_written(api, session_factory):
    # given a project under construction
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    # when finance files a change and bdb previews one
    by_finance = await api.gql(CHANGE, {"i": _change(project["id"], "1.00")}, token=a.token["finance"])
    preview_by_bdb = await api.gql(CLASSIFY, {"i": _change(project["id"], "1.00")}, token=a.token["bdb"])
    # then both are FORBIDDEN and no change request exists
    assert error_codes(by_finance) == ["FORBIDDEN"] and error_codes(preview_by_bdb) == ["FORBIDDEN"]
    async with session_factory() as session:
        count = await session.execute(select(func.count()).select_from(construction_tables.change_requests))
        assert count.scalar_one() == 0
