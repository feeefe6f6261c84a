"""Art. 19–21 over HTTP: initial acceptance, the 3–6-month window and bdb's extension, the five reports,
failure → rectification → resubmission → re-examination, filing and its acknowledgement."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from store import construction_tables
from tests.api.lifecycle_helpers import (
    ACKNOWLEDGE,
    ALL_REPORTS,
    APPLY,
    DECIDE,
    EXTEND,
    FILE_REPORT,
    INITIAL,
    LIFECYCLE_AGENCIES,
    codes,
    in_trial_operation,
    move_to,
    mutate,
    ok,
    under_construction,
    upload_reports,
)
from tests.utils import error_codes, make_agencies

PASSED_ON = date(2026, 4, 1)  # window: 1 July – 1 October 2026


async def _events(session_factory) -> int:
    async with session_factory() as session:
        return (
            await session.execute(select(func.count()).select_from(construction_tables.acceptance_events))
        ).scalar_one()


async def test_R19_1_the_day_before_3_months_is_refused_and_exactly_3_months_is_accepted(
    api, session_factory, clock
):
    # given an initial acceptance passed on 1 April 2026
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    apply = {"projectId": project["id"]}
    # when the unit applies on 30 June, then on 1 July
    await move_to(api, a, clock, date(2026, 6, 30))
    early = await mutate(api, a, APPLY, "unit", apply)
    await move_to(api, a, clock, date(2026, 7, 1))
    on_time = ok(await mutate(api, a, APPLY, "unit", apply))
    # then the first is refused citing R19.1, the second puts the project under review
    assert codes(early) == ["ACCEPTANCE_TOO_EARLY"] and early["userErrors"][0]["article"] == "第十九条"
    state = on_time["implementation"]
    assert state["project"]["status"] == "ACCEPTANCE_REVIEW"
    assert (state["acceptance"]["windowOpensOn"], state["acceptance"]["windowClosesOn"]) == (
        "2026-07-01",
        "2026-10-01",
    )


async def test_R19_1_exactly_6_months_is_still_inside_the_window(api, session_factory, clock):
    # given an initial acceptance passed on 1 April 2026
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    # when the unit applies on 1 October, exactly 6 months later
    await move_to(api, a, clock, date(2026, 10, 1))
    exactly_six = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    # then it is accepted (以内 includes the bound)
    assert exactly_six["userErrors"] == []
    assert exactly_six["implementation"]["project"]["status"] == "ACCEPTANCE_REVIEW"


async def test_R19_1_one_day_past_6_months_needs_a_bdb_extension(api, session_factory, clock):
    # given an initial acceptance passed on 1 April 2026
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    apply = {"projectId": project["id"]}
    extension = {"projectId": project["id"], "until": "2026-10-31", "reason": "等保测评机构排期延后"}
    # when the unit applies on 2 October, tries to extend itself, and applies again after bdb's extension
    await move_to(api, a, clock, date(2026, 10, 2))
    late = await mutate(api, a, APPLY, "unit", apply)
    not_by_unit = await api.gql(EXTEND, {"i": extension}, token=a.token["unit"])
    ok(await mutate(api, a, EXTEND, "bdb", extension))
    extended = await mutate(api, a, APPLY, "unit", apply)
    # then one day past is outside, and only bdb's extension reopens the window
    assert codes(late) == ["ACCEPTANCE_WINDOW_CLOSED"]
    assert error_codes(not_by_unit) == ["FORBIDDEN"]
    assert (
        extended["userErrors"] == []
        and extended["implementation"]["acceptance"]["extendedUntil"] == "2026-10-31"
    )


async def test_R19_2_every_missing_report_is_named_by_the_projects_classification_and_nothing_is_written(
    api, session_factory, clock
):
    # given a classified (涉密) system whose initial acceptance passed
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    await move_to(api, a, clock, PASSED_ON)
    await upload_reports(api, a, project["id"], ["INITIAL_ACCEPTANCE"])
    ok(
        await mutate(
            api,
            a,
            INITIAL,
            "unit",
            {"projectId": project["id"], "date": "2026-04-01", "passed": True, "classified": True},
        )
    )
    await move_to(api, a, clock, date(2026, 7, 1))
    before = await _events(session_factory)
    # when it applies having uploaded only the construction summary and the MLPS report
    await upload_reports(api, a, project["id"], ["CONSTRUCTION_SUMMARY", "MLPS_EVALUATION"])
    refused = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    # then the four missing reports are named (the secrecy evaluation, not MLPS), and nothing is written
    assert [e["field"][-1] for e in refused["userErrors"]] == [
        "FINANCIAL_REPORT",
        "SUPERVISION_REPORT",
        "SECURITY_SECRECY_EVALUATION",
        "CRYPTO_EVALUATION",
    ]
    assert {e["rule"] for e in refused["userErrors"]} == {"R19.2"}
    assert await _events(session_factory) == before


async def test_R20_failure_rectification_resubmission_re_examination_then_R21_filing(
    api, session_factory, clock
):
    # given a completion-acceptance application under review
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await in_trial_operation(api, a, clock, PASSED_ON)
    pid = {"projectId": project["id"]}
    await move_to(api, a, clock, date(2026, 7, 1))
    await upload_reports(api, a, project["id"], ALL_REPORTS)
    ok(await mutate(api, a, APPLY, "unit", pid))
    # when bdb fails it, the unit tries to file, resubmits after rectifying, bdb passes it, the unit files
    by_unit = await api.gql(
        DECIDE, {"i": pid | {"passed": True, "opinion": "自评合格"}}, token=a.token["unit"]
    )
    failed = ok(await mutate(api, a, DECIDE, "bdb", pid | {"passed": False, "opinion": "数据接口未达标"}))
    not_accepted = await mutate(api, a, FILE_REPORT, "unit", pid)
    not_ackable = await mutate(api, a, ACKNOWLEDGE, "bdb", pid)
    await move_to(api, a, clock, date(2026, 9, 15))
    await upload_reports(api, a, project["id"], ["CONSTRUCTION_SUMMARY"])  # the rectified summary
    resubmitted = ok(await mutate(api, a, APPLY, "unit", pid | {"note": "已完成整改"}))
    ok(await mutate(api, a, DECIDE, "bdb", pid | {"passed": True, "opinion": "复验合格"}))
    await upload_reports(api, a, project["id"], ["COMPLETION_ACCEPTANCE"])
    ok(await mutate(api, a, FILE_REPORT, "unit", pid | {"note": "验收报告"}))
    filed = ok(await mutate(api, a, ACKNOWLEDGE, "bdb", pid))
    # then: 3-month rectification deadline, no filing while not accepted, re-examination, FILED in operation
    assert error_codes(by_unit) == ["FORBIDDEN"]
    assert failed["implementation"]["project"]["status"] == "RECTIFYING"
    assert failed["implementation"]["acceptance"]["rectificationDeadline"] == "2026-10-01"
    assert codes(not_accepted) == ["NOT_ACCEPTED"] and not_accepted["userErrors"][0]["rule"] == "R20"
    assert codes(not_ackable) == ["NOT_ACCEPTED"]
    assert resubmitted["implementation"]["project"]["status"] == "ACCEPTANCE_REVIEW"
    final = filed["implementation"]
    assert (final["project"]["status"], final["project"]["operationStartedOn"]) == ("FILED", "2026-09-15")
    assert [e["kind"] for e in final["acceptanceEvents"]] == [
        "INITIAL",
        "APPLICATION",
        "RESULT",
        "RESUBMISSION",
        "RESULT",
        "FILING",
        "FILING_ACKNOWLEDGED",
    ]


async def test_R19_a_failed_initial_acceptance_keeps_the_project_under_construction(
    api, session_factory, clock
):
    # given a project under construction
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await under_construction(api, a)
    # when the initial acceptance fails, bdb tries to record one, and the unit applies anyway
    failed = ok(
        await mutate(
            api, a, INITIAL, "unit", {"projectId": project["id"], "date": "2026-03-02", "passed": False}
        )
    )
    by_bdb = await api.gql(
        INITIAL,
        {"i": {"projectId": project["id"], "date": "2026-03-02", "passed": True}},
        token=a.token["bdb"],
    )
    applied = await mutate(api, a, APPLY, "unit", {"projectId": project["id"]})
    # then the project stays under construction, bdb is forbidden and the application refused
    assert failed["implementation"]["project"]["status"] == "UNDER_CONSTRUCTION"
    assert failed["implementation"]["acceptance"]["initialPassedOn"] is None
    assert error_codes(by_bdb) == ["FORBIDDEN"]
    assert codes(applied) == ["WRONG_STATE"]
