"""Draft → reserve review → in reserve, over HTTP as the agencies that own each step (Art. 6–8, R6–R8)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from api.graphql.common import pk_of
from domain.actors import Actor
from store import tables
from store.uow import SqlUnitOfWork
from tests.api.projects_helpers import (
    CREATE,
    GET,
    PARTICIPATE,
    REVIEW,
    SUBMIT,
    UPDATE,
    all_checks,
    create,
    draft_input,
    review,
    submit,
)
from tests.utils import error_codes, make_agencies

UNIT_ACTOR = Actor(user_id=None, organization_id=0, role="unit", username="test.unit")
AUDIT = """query($id: ID!) { auditLog(first: 20, filter: {targetId: $id}) { totalCount edges { node {
  operation actorUsername actorRole requestId before after targetType } } } }"""


async def _audit_count(session_factory) -> int:
    async with session_factory() as session:
        return len((await session.execute(select(tables.audit_log.c.id))).all())


async def test_R7_happy_path_draft_to_reserve_with_audit_records(api, session_factory):
    # given a unit and the Big Data Bureau
    a = await make_agencies(api, session_factory, "unit", "bdb")
    # when the unit drafts and submits, and bdb records five passed checks
    project = await create(api, a.token["unit"])
    submitted = await submit(api, a.token["unit"], project["id"])
    reviewed = await review(api, a.token["bdb"], project["id"], comment="同意入库。")
    # then
    assert project["status"] == "DRAFT" and project["code"] is None
    assert submitted["status"] == "RESERVE_REVIEW" and submitted["code"] == "YK-2026-0001"
    assert reviewed["userErrors"] == []
    assert reviewed["project"]["status"] == "IN_RESERVE"
    assert reviewed["review"] == {"outcome": "ACCEPTED", "returnReasons": []}
    # and each step left its audit record, with before/after, actor and request id
    log = (await api.data(AUDIT, {"id": project["id"]}, token=a.token["bdb"]))["auditLog"]
    records = [e["node"] for e in reversed(log["edges"])]
    assert [r["operation"] for r in records] == [
        "project:create",
        "project:submit-to-reserve",
        "reserve-review:record",
    ]
    assert [r["actorRole"] for r in records] == ["unit", "unit", "bdb"]
    assert records[1]["before"]["status"] == "DRAFT" and records[1]["after"]["status"] == "RESERVE_REVIEW"
    assert records[2]["after"]["reserveReview"]["outcome"] == "ACCEPTED"
    assert all(r["requestId"] for r in records)


async def test_R7_a_failed_check_returns_the_project_with_reasons(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])

    returned = await review(
        api,
        a.token["bdb"],
        project["id"],
        failed={"INTENSIVE_PLATFORMS": "统一身份认证应复用市级平台。"},
        comment="请修改后再提交。",
    )

    assert returned["project"]["status"] == "DRAFT"
    assert returned["review"]["outcome"] == "RETURNED"
    assert returned["review"]["returnReasons"] == [
        "充分利用基础支撑平台，集约化建设：统一身份认证应复用市级平台。",
        "请修改后再提交。",
    ]
    # the unit edits and resubmits; the project keeps its code
    edited = (
        await api.data(
            UPDATE,
            {"input": {"projectId": project["id"], "description": "复用市级统一身份认证。"}},
            token=a.token["unit"],
        )
    )["projectUpdate"]
    assert edited["userErrors"] == []
    again = await submit(api, a.token["unit"], project["id"])
    assert again["code"] == "YK-2026-0001" and again["status"] == "RESERVE_REVIEW"


async def test_R7_every_missing_check_and_note_is_listed_and_nothing_changes(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    before = await _audit_count(session_factory)
    checks = all_checks()[:3]
    checks[0]["note"] = "  "

    payload = (
        await api.data(
            REVIEW, {"input": {"projectId": project["id"], "checks": checks}}, token=a.token["bdb"]
        )
    )["reserveReviewRecord"]

    assert [(e["code"], e["rule"], e["article"]) for e in payload["userErrors"]] == [
        ("RESERVE_CHECK_MISSING", "R7", "第七条"),
        ("RESERVE_CHECK_MISSING", "R7", "第七条"),
        ("RESERVE_CHECK_NOTE_REQUIRED", "R7", "第七条"),
    ]
    assert payload["userErrors"][2]["field"] == ["input", "checks", "0", "note"]
    assert payload["project"] is None
    current = (await api.data(GET, {"id": project["id"]}, token=a.token["bdb"]))["project"]
    assert current["status"] == "RESERVE_REVIEW" and current["reserveReviews"] == []
    assert await _audit_count(session_factory) == before


async def test_finance_cannot_accept_into_the_reserve(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "finance")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    before = await _audit_count(session_factory)

    body = await api.gql(
        REVIEW, {"input": {"projectId": project["id"], "checks": all_checks()}}, token=a.token["finance"]
    )

    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == "您所在单位的角色无权执行此操作。"
    current = (await api.data(GET, {"id": project["id"]}, token=a.token["finance"]))["project"]
    assert current["status"] == "RESERVE_REVIEW"
    assert await _audit_count(session_factory) == before


async def test_a_unit_cannot_read_or_edit_another_units_draft(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "unit2")
    project = await create(api, a.token["unit"])

    read = await api.gql(GET, {"id": project["id"]}, token=a.token["unit2"])
    edit = await api.gql(
        UPDATE, {"input": {"projectId": project["id"], "name": "改名"}}, token=a.token["unit2"]
    )
    listed = await api.data(
        "{ projects(first: 10) { totalCount edges { node { id } } } }", token=a.token["unit2"]
    )

    assert error_codes(read) == ["NOT_FOUND"] and error_codes(edit) == ["NOT_FOUND"]
    assert listed["projects"] == {"totalCount": 0, "edges": []}
    mine = (await api.data(GET, {"id": project["id"]}, token=a.token["unit"]))["project"]
    assert mine["name"] == "营口市智慧教育云平台（二期）"


async def test_supervisors_see_submitted_projects_but_not_drafts(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "bdb", "audit")
    draft = await create(api, a.token["unit"], name="草稿项目")
    submitted = await create(api, a.token["unit"], name="已提交项目")
    await submit(api, a.token["unit"], submitted["id"])

    bdb = await api.data("{ projects(first: 10) { edges { node { name } } } }", token=a.token["bdb"])
    audit = await api.data("{ projects(first: 10) { edges { node { name } } } }", token=a.token["audit"])

    assert [e["node"]["name"] for e in bdb["projects"]["edges"]] == ["已提交项目"]
    assert error_codes(await api.gql(GET, {"id": draft["id"]}, token=a.token["bdb"])) == ["NOT_FOUND"]
    assert [e["node"]["name"] for e in audit["projects"]["edges"]] == ["已提交项目", "草稿项目"]


async def test_R6_leaving_the_government_cloud_needs_a_reason(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")

    zh = (
        await api.data(CREATE, {"input": draft_input(deploysOnGovernmentCloud=False)}, token=a.token["unit"])
    )["projectCreate"]
    en = (
        await api.data(
            CREATE,
            {"input": draft_input(connectsResourcePlatform=False)},
            token=a.token["unit"],
            lang="en-US,en;q=0.9",
        )
    )["projectCreate"]
    ok = (
        await api.data(
            CREATE,
            {
                "input": draft_input(
                    deploysOnGovernmentCloud=False, platformExemptionReason="密码设备须本地部署。"
                )
            },
            token=a.token["unit"],
        )
    )["projectCreate"]

    assert zh["project"] is None
    assert zh["userErrors"][0] | {"message": None} == {
        "code": "PLATFORM_EXEMPTION_REASON_REQUIRED",
        "rule": "R6",
        "article": "第六条",
        "field": ["input", "platformExemptionReason"],
        "message": None,
    }
    assert "政务云" in zh["userErrors"][0]["message"]
    assert en["userErrors"][0]["article"] == "Art. 6" and "government cloud" in en["userErrors"][0]["message"]
    assert ok["userErrors"] == [] and ok["project"]["platformExemptionReason"] == "密码设备须本地部署。"


async def test_R8_participants_state_their_own_part_before_submission(api, session_factory):
    # given a joint project led by one unit with another participating
    a = await make_agencies(api, session_factory, "unit", "unit2", "unit3")
    project = await create(
        api,
        a.token["unit"],
        participants=[{"organizationId": a.gid("unit2")}],
        catalogue=[{"code": "YK-DATA-001", "name": "城市部件数据"}],
    )
    # when the lead submits before the participant has stated its part
    early = (await api.data(SUBMIT, {"input": {"projectId": project["id"]}}, token=a.token["unit"]))[
        "projectSubmitToReserve"
    ]
    # then every missing part is named
    assert [(e["code"], e["field"][-1]) for e in early["userErrors"]] == [
        ("PARTICIPANT_PART_MISSING", "businessFlow"),
        ("PARTICIPANT_PART_MISSING", "dataFlow"),
        ("PARTICIPANT_PART_MISSING", "interfaces"),
    ]
    # the participant reads it and states its part, but cannot edit the rest; an outsider cannot even see it
    part = {
        "projectId": project["id"],
        "businessFlow": "事件流转",
        "dataFlow": "日汇总",
        "interfaces": "共享交换平台",
    }
    stated = (await api.data(PARTICIPATE, {"input": part}, token=a.token["unit2"]))[
        "projectParticipationUpdate"
    ]
    assert stated["userErrors"] == [] and stated["project"]["participants"][0]["businessFlow"] == "事件流转"
    assert error_codes(
        await api.gql(UPDATE, {"input": {"projectId": project["id"], "name": "x"}}, token=a.token["unit2"])
    ) == ["FORBIDDEN"]
    assert error_codes(await api.gql(PARTICIPATE, {"input": part}, token=a.token["unit3"])) == ["NOT_FOUND"]
    # and now the submission goes through
    assert (await submit(api, a.token["unit"], project["id"]))["status"] == "RESERVE_REVIEW"


async def test_R8_a_joint_project_needs_a_data_catalogue(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "unit2")
    project = await create(
        api,
        a.token["unit"],
        participants=[
            {"organizationId": a.gid("unit2"), "businessFlow": "b", "dataFlow": "d", "interfaces": "i"}
        ],
    )

    payload = (await api.data(SUBMIT, {"input": {"projectId": project["id"]}}, token=a.token["unit"]))[
        "projectSubmitToReserve"
    ]

    assert [(e["code"], e["rule"]) for e in payload["userErrors"]] == [("DATA_CATALOGUE_REQUIRED", "R8")]


async def test_R8_two_projects_cannot_both_build_the_same_catalogue_item(api, session_factory):
    a = await make_agencies(api, session_factory, "unit", "unit2")
    first = await create(api, a.token["unit"], catalogue=[{"code": "YK-DATA-001", "name": "城市部件数据"}])
    await submit(api, a.token["unit"], first["id"])
    second = await create(api, a.token["unit2"], catalogue=[{"code": "YK-DATA-001", "name": "城市部件数据"}])
    reuse = await create(
        api,
        a.token["unit2"],
        catalogue=[{"code": "YK-DATA-001", "name": "城市部件数据", "newConstruction": False}],
    )

    refused = (await api.data(SUBMIT, {"input": {"projectId": second["id"]}}, token=a.token["unit2"]))[
        "projectSubmitToReserve"
    ]

    assert [(e["code"], e["rule"]) for e in refused["userErrors"]] == [
        ("CATALOGUE_ITEM_ALREADY_CLAIMED", "R8")
    ]
    assert "YK-2026-0001" in refused["userErrors"][0]["message"]
    assert (await submit(api, a.token["unit2"], reuse["id"]))["status"] == "RESERVE_REVIEW"


async def test_a_submitted_project_is_not_edited_directly(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])

    payload = (
        await api.data(
            UPDATE, {"input": {"projectId": project["id"], "totalInvestment": "1.00"}}, token=a.token["unit"]
        )
    )["projectUpdate"]

    assert [(e["code"], e["rule"], e["article"]) for e in payload["userErrors"]] == [
        ("PROJECT_NOT_EDITABLE", "R16", "第十六条")
    ]


async def test_a_stale_expected_version_is_a_conflict(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    await api.data(
        UPDATE,
        {"input": {"projectId": project["id"], "name": "第一次修改", "expectedVersion": project["version"]}},
        token=a.token["unit"],
    )

    stale = (
        await api.data(
            UPDATE,
            {
                "input": {
                    "projectId": project["id"],
                    "name": "基于旧版本的修改",
                    "expectedVersion": project["version"],
                }
            },
            token=a.token["unit"],
        )
    )["projectUpdate"]

    assert [e["code"] for e in stale["userErrors"]] == ["VERSION_CONFLICT"]
    current = (await api.data(GET, {"id": project["id"]}, token=a.token["unit"]))["project"]
    assert current["name"] == "第一次修改" and current["version"] == project["version"] + 1


async def test_money_is_exact_cny(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")

    exact = await create(api, a.token["unit"], totalInvestment="2000000.00")
    fractional = await api.gql(
        CREATE, {"input": draft_input(totalInvestment="2000000.001")}, token=a.token["unit"]
    )
    number = await api.gql(CREATE, {"input": draft_input(totalInvestment=2000000.5)}, token=a.token["unit"])
    zero = (await api.data(CREATE, {"input": draft_input(totalInvestment="0.00")}, token=a.token["unit"]))[
        "projectCreate"
    ]

    assert exact["totalInvestment"] == "2000000.00"
    assert "errors" in fractional and fractional["data"] is None
    assert "errors" in number
    assert [e["code"] for e in zero["userErrors"]] == ["INVALID_AMOUNT"]


async def test_project_codes_count_per_year(api, session_factory, clock):
    a = await make_agencies(api, session_factory, "unit")
    codes = []
    for _ in range(2):
        project = await create(api, a.token["unit"])
        codes.append((await submit(api, a.token["unit"], project["id"]))["code"])
    clock.advance(days=365)
    token = await api.login("user.unit")
    project = await create(api, token)
    codes.append((await submit(api, token, project["id"]))["code"])

    assert codes == ["YK-2026-0001", "YK-2026-0002", "YK-2027-0001"]


async def test_codes_have_no_gaps_a_refused_submission_uses_no_number(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")
    first = await create(api, a.token["unit"], description="")
    refused = (await api.data(SUBMIT, {"input": {"projectId": first["id"]}}, token=a.token["unit"]))[
        "projectSubmitToReserve"
    ]
    assert [e["code"] for e in refused["userErrors"]] == ["DESCRIPTION_REQUIRED"]
    second = await create(api, a.token["unit"])
    assert (await submit(api, a.token["unit"], second["id"]))["code"] == "YK-2026-0001"
    again = (await api.data(SUBMIT, {"input": {"projectId": second["id"]}}, token=a.token["unit"]))[
        "projectSubmitToReserve"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
    await api.data(
        UPDATE, {"input": {"projectId": first["id"], "description": "建设内容。"}}, token=a.token["unit"]
    )

    assert (await submit(api, a.token["unit"], first["id"]))["code"] == "YK-2026-0002"


async def test_a_submission_does_not_wait_for_another_and_codes_keep_no_gaps(api, session_factory, clock):
    a = await make_agencies(api, session_factory, "unit")
    earlier, first, second, third = [await create(api, a.token["unit"]) for _ in range(4)]
    await submit(api, a.token["unit"], earlier["id"])  # takes 0001, adding the year's first block of numbers
    async with SqlUnitOfWork(session_factory, actor=UNIT_ACTOR, clock=clock, request_id="open") as open_one:
        # a submission has taken the next number and not committed yet
        held = await open_one.projects.take_code_number(2026, pk_of(first["id"], "Project", "zh"))
        # when another is submitted meanwhile, it does not wait for the first to commit
        meanwhile = await asyncio.wait_for(submit(api, a.token["unit"], second["id"]), timeout=10)
        # and the first then fails (rolls back)
    after = await submit(api, a.token["unit"], third["id"])

    assert held == 2 and meanwhile["code"] == "YK-2026-0003"
    assert after["code"] == "YK-2026-0002"  # the number the failed submission held is not lost


async def test_concurrent_submissions_take_distinct_numbers_without_gaps(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")
    projects = [await create(api, a.token["unit"]) for _ in range(20)]

    submitted = await asyncio.gather(*(submit(api, a.token["unit"], p["id"]) for p in projects))

    assert sorted(s["code"] for s in submitted) == [f"YK-2026-{n:04d}" for n in range(1, 21)]


async def test_project_by_code_and_by_node_id(api, session_factory):
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])

    by_code = await api.data('{ project(code: "YK-2026-0001") { id name } }', token=a.token["unit"])
    by_node = await api.data(
        "query($id: ID!) { node(id: $id) { id ... on Project { code } } }",
        {"id": project["id"]},
        token=a.token["unit"],
    )
    missing = await api.gql('{ project(code: "YK-2026-9999") { id } }', token=a.token["unit"])

    assert by_code["project"]["id"] == project["id"]
    assert by_node["node"] == {"id": project["id"], "code": "YK-2026-0001"}
    assert error_codes(missing) == ["NOT_FOUND"]
