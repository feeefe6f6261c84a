"""Art. 22 over HTTP: self-evaluation 12–24 months into operation, delivered to bdb and finance; bdb's
third-party post-evaluation filed by the commissioned evaluator into the unit's history."""

from __future__ import annotations

from datetime import date, timedelta

from domain.calendar_math import add_months
from tests.api.lifecycle_helpers import (
    COMMISSION,
    LIFECYCLE_AGENCIES,
    POST_RESULT,
    SELF_EVALUATE,
    codes,
    filed_project,
    implementation,
    move_to,
    mutate,
    ok,
)
from tests.utils import error_codes, make_agencies


async def test_R22_self_evaluation_at_11_months_30_days_is_refused_and_at_24_months_accepted(
    api, session_factory, clock
):
    # given a project filed and in operation since a known day
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES)
    project = await filed_project(api, a, clock, passed_on=date(2026, 3, 15))
    started = date.fromisoformat(
        (await implementation(api, a, project["id"]))["project"]["operationStartedOn"]
    )
    # (from 15 June, 11 months and 30 days end on 14 June: the day before 12 months)
    assert add_months(started, 11) + timedelta(days=30) == add_months(started, 12) - timedelta(days=1)
    values = {"projectId": project["id"], "summary": "系统运行稳定，数据共享调用量月均12万次。"}
    # when the unit self-evaluates at 11 months 30 days, then at exactly 24 months
    await move_to(api, a, clock, add_months(started, 11) + timedelta(days=30))
    early = await mutate(api, a, SELF_EVALUATE, "unit", values)
    await move_to(api, a, clock, add_months(started, 24))
    on_time = ok(await mutate(api, a, SELF_EVALUATE, "unit", values))
    # then only the second is accepted, and it is delivered to bdb and finance, who read it
    assert (
        codes(early) == ["OUTSIDE_SELF_EVALUATION_WINDOW"]
        and early["userErrors"][0]["article"] == "第二十二条"
    )
    assert on_time["implementation"]["selfEvaluations"][0]["deliveredTo"] == ["bdb", "finance"]
    seen_by_finance = await implementation(api, a, project["id"], role="finance")
    assert seen_by_finance["selfEvaluations"][0]["submittedOn"] == add_months(started, 24).isoformat()


async def test_R22_bdb_commissions_a_post_evaluation_that_only_the_commissioned_evaluator_files(
    api, session_factory, clock
):
    # given a filed project and a second evaluator organization
    a = await make_agencies(api, session_factory, *LIFECYCLE_AGENCIES, "evaluator2")
    project = await filed_project(api, a, clock)
    # when the unit and bdb commission, and the other evaluator and the commissioned one file results
    by_unit = await api.gql(
        COMMISSION,
        {"i": {"projectId": project["id"], "evaluatorOrganizationId": a.gid("bdb")}},
        token=a.token["unit"],
    )
    not_evaluator = await mutate(
        api, a, COMMISSION, "bdb", {"projectId": project["id"], "evaluatorOrganizationId": a.gid("finance")}
    )
    commissioned = ok(
        await mutate(
            api,
            a,
            COMMISSION,
            "bdb",
            {"projectId": project["id"], "evaluatorOrganizationId": a.gid("evaluator")},
        )
    )
    result = {
        "postEvaluationId": commissioned["postEvaluation"]["id"],
        "score": "86.5",
        "grade": "GOOD",
        "findings": "数据共享成效明显",
    }
    by_other = await api.gql(POST_RESULT, {"i": result}, token=a.token["evaluator2"])
    filed = ok(await mutate(api, a, POST_RESULT, "evaluator", result))
    again = await mutate(api, a, POST_RESULT, "evaluator", result)
    # then only bdb commissions an evaluator, only that evaluator files, once; bdb reads the result
    assert error_codes(by_unit) == ["FORBIDDEN"]
    assert codes(not_evaluator) == ["NOT_AN_EVALUATOR"]
    assert error_codes(by_other) in (["FORBIDDEN"], ["NOT_FOUND"])
    assert (filed["postEvaluation"]["score"], filed["postEvaluation"]["grade"]) == ("86.50", "GOOD")
    assert codes(again) == ["POST_EVALUATION_COMPLETED"]
    seen = (await implementation(api, a, project["id"], role="bdb"))["postEvaluations"]
    assert [(p["score"], p["findings"]) for p in seen] == [("86.50", "数据共享成效明显")]
