"""`Project.timeline`: the project's events in order, from the audit log, for whoever may read it."""

from __future__ import annotations

from tests.api.supervision_helpers import order_rectification, reserve_project
from tests.utils import error_codes, make_agencies

TIMELINE = "query($id: ID!) { project(id: $id) { timeline { operation label actorRole targetType status } } }"


async def test_the_timeline_lists_every_event_of_the_project_in_order(api, session_factory):
    # given a project drafted, submitted, accepted into the reserve, then inspected with a rectification order
    a = await make_agencies(api, session_factory, "unit", "unit2", "bdb", "cac", "audit")
    project = await reserve_project(api, a.token["unit"], a.token["bdb"])
    await order_rectification(api, a.token["cac"], project["id"], "NETWORK_SECURITY", "2026-04-30")
    # when
    events = (await api.data(TIMELINE, {"id": project["id"]}, token=a.token["audit"]))["project"]["timeline"]
    stranger = await api.gql(TIMELINE, {"id": project["id"]}, token=a.token["unit2"])
    # then
    assert [(e["operation"], e["actorRole"], e["targetType"]) for e in events] == [
        ("project:create", "unit", "Project"),
        ("project:submit-to-reserve", "unit", "Project"),
        ("reserve-review:record", "bdb", "Project"),
        ("inspection:open", "cac", "Inspection"),
        ("inspection:conclude", "cac", "Inspection"),
    ]
    assert events[2]["status"] == "IN_RESERVE" and events[4]["label"] == "记录检查发现并责令限期整改"
    assert error_codes(stranger) == ["NOT_FOUND"]
