"""viewer.can and project.availableActions explain decisions; contact details are a policy decision."""

from __future__ import annotations

from tests.api.projects_helpers import create, submit
from tests.utils import error_codes, make_agencies

CAN = """query($op: Operation!, $id: ID) { viewer { can(operation: $op, projectId: $id)
           { operation allowed code reason rule article scope } } }"""
ACTIONS = (
    "query($id: ID!) { project(id: $id) { availableActions { operation allowed code reason article } } }"
)
CONTACT = "query($id: ID!) { project(id: $id) { contact { name phone email } } }"


async def test_can_explains_an_allowed_operation_with_its_policy_line_and_article(api, session_factory):
    # given a unit with a draft it leads
    a = await make_agencies(api, session_factory, "unit")
    project = await create(api, a.token["unit"])
    # when it asks whether it may submit it, in English
    can = (
        await api.data(
            CAN, {"op": "PROJECT_SUBMIT_TO_RESERVE", "id": project["id"]}, token=a.token["unit"], lang="en"
        )
    )["viewer"]["can"]
    # then yes, by the Art. 7 line on projects it leads
    assert (can["allowed"], can["code"], can["article"], can["scope"]) == (True, "GRANTED", "Art. 7", "lead")
    assert can["rule"] == "p, unit, project:submit-to-reserve, lead, 第七条"
    assert "Art. 7" in can["reason"]


async def test_can_explains_a_refusal_in_chinese(api, session_factory):
    # given a submitted project, a participating unit and finance
    a = await make_agencies(api, session_factory, "unit", "unit2", "finance")
    project = await create(
        api,
        a.token["unit"],
        participants=[
            {"organizationId": a.gid("unit2"), "businessFlow": "b", "dataFlow": "d", "interfaces": "i"}
        ],
        catalogue=[{"code": "C-1", "name": "目录"}],
    )
    await submit(api, a.token["unit"], project["id"])
    # when the participant asks to submit it, and finance asks to review it
    participant = (
        await api.data(CAN, {"op": "PROJECT_SUBMIT_TO_RESERVE", "id": project["id"]}, token=a.token["unit2"])
    )["viewer"]["can"]
    finance = (
        await api.data(CAN, {"op": "RESERVE_REVIEW_RECORD", "id": project["id"]}, token=a.token["finance"])
    )["viewer"]["can"]
    # then both are refused, each saying why in Chinese
    assert (participant["allowed"], participant["code"]) == (False, "OUT_OF_SCOPE")
    assert "牵头" in participant["reason"]
    assert (finance["allowed"], finance["code"], finance["rule"]) == (False, "NO_GRANT", None)
    assert "没有任何授权规则" in finance["reason"]


async def test_can_without_a_project_answers_for_some_objects_and_hides_unreadable_projects(
    api, session_factory
):
    # given two units, one with a draft
    a = await make_agencies(api, session_factory, "unit", "unit2")
    project = await create(api, a.token["unit"])
    # when the other unit asks about creating at all, and about the draft it may not read
    create_at_all = (await api.data(CAN, {"op": "PROJECT_CREATE"}, token=a.token["unit2"]))["viewer"]["can"]
    hidden = await api.gql(CAN, {"op": "PROJECT_UPDATE", "id": project["id"]}, token=a.token["unit2"])
    # then creating is allowed, and the draft looks missing
    assert create_at_all["allowed"] is True
    assert error_codes(hidden) == ["NOT_FOUND"]


async def test_available_actions_say_what_the_viewer_may_do_and_why_not(api, session_factory):
    # given a draft seen by its lead unit, and a submitted project seen by the Big Data Bureau
    a = await make_agencies(api, session_factory, "unit", "bdb")
    draft = await create(api, a.token["unit"])
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    # when each lists the available actions
    unit = (await api.data(ACTIONS, {"id": draft["id"]}, token=a.token["unit"]))["project"][
        "availableActions"
    ]
    bdb = (await api.data(ACTIONS, {"id": project["id"]}, token=a.token["bdb"]))["project"][
        "availableActions"
    ]
    # then the unit may update and submit but not review; bdb reviews but edits nothing of the unit's
    allowed = {r["operation"]: r["allowed"] for r in unit}
    assert (
        allowed["PROJECT_SUBMIT_TO_RESERVE"]
        and allowed["PROJECT_UPDATE"]
        and not allowed["RESERVE_REVIEW_RECORD"]
    )
    by_bdb = {r["operation"]: r["allowed"] for r in bdb}
    assert (
        by_bdb["RESERVE_REVIEW_RECORD"]
        and not by_bdb["PROJECT_UPDATE"]
        and not by_bdb["PROJECT_SUBMIT_TO_RESERVE"]
    )
    assert all(r["reason"] for r in bdb if not r["allowed"])


async def test_contact_phone_and_email_only_for_the_lead_unit_and_bdb(api, session_factory):
    # given a submitted project, and the lead unit, bdb and finance reading its contact
    a = await make_agencies(api, session_factory, "unit", "bdb", "finance")
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    bodies = {
        role: await api.gql(CONTACT, {"id": project["id"]}, token=a.token[role])
        for role in ("unit", "bdb", "finance")
    }
    # then the lead unit and bdb see phone and e-mail
    for role in ("unit", "bdb"):
        assert "errors" not in bodies[role]
        assert bodies[role]["data"]["project"]["contact"]["phone"] == "0417-2800001"
    # and finance sees the name, null phone and e-mail, and a FORBIDDEN error for each — never the data
    finance = bodies["finance"]
    assert finance["data"]["project"]["contact"] == {"name": "陈静", "phone": None, "email": None}
    assert error_codes(finance) == ["FORBIDDEN", "FORBIDDEN"]
    assert sorted(e["path"][-1] for e in finance["errors"]) == ["email", "phone"]
    assert "0417" not in str(finance) and "chen@" not in str(finance)
