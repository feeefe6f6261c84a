"""The integrator guide's changes-feed loop (docs/examples/changes_feed.py), run as shipped against the API:
it sees a new project, waits out RATE_LIMITED by its Retry-After, and resumes from its stored cursor."""

from __future__ import annotations

import asyncio
import importlib.util
import re
from types import ModuleType

import httpx

from api.app import create_app
from api.settings import PROJECT_ROOT
from tests.api.projects_helpers import create
from tests.utils import Api, make_agencies

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "changes_feed.py"
GUIDE = PROJECT_ROOT / "docs" / "integrators.md"


def _example() -> ModuleType:
    """The example file itself, loaded as a module (not a copy of its code)."""
    spec = importlib.util.spec_from_file_location("changes_feed_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_guides_changes_feed_loop_sees_a_new_project_waits_out_rate_limits_and_resumes(
    settings, engine, clock, session_factory, tmp_path
):
    # given an API allowing 4 requests a minute per credential, and a unit that created a project
    limited = settings.model_copy(update={"rate_limit_per_minute": 4})
    statuses: list[int] = []
    waits: list[tuple[float, int | None]] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    app = create_app(limited, engine=engine, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        a = await make_agencies(Api(http), session_factory, "unit")
        project = await create(Api(http), a.token["unit"])
    feed = _example()
    cursor_file = tmp_path / "changes.cursor"

    async def sleep(seconds: float) -> None:
        # the loop's waits pass on the API's clock (and give the event loop a turn)
        waits.append((seconds, statuses[-1] if statuses else None))
        clock.advance(seconds=seconds)
        await asyncio.sleep(0.02)

    seen: list[dict] = []
    headers = {"Authorization": f"Bearer {a.token['unit']}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers, event_hooks={"response": [record]}
    ) as client:
        # when the example loop follows the feed from an empty cursor file until it has seen the project and
        # been rate limited once
        await asyncio.wait_for(
            feed.follow(
                client,
                cursor_file,
                seen.append,
                until=lambda: any(c["targetId"] == project["id"] for c in seen) and 429 in statuses,
                sleep=sleep,
            ),
            timeout=60,
        )
        first_cursor = cursor_file.read_text(encoding="utf-8")
        # and a second run resumes from the stored cursor for one answered batch
        answered = statuses.count(200)
        resumed: list[dict] = []
        await asyncio.wait_for(
            feed.follow(client, cursor_file, resumed.append, until=lambda: statuses.count(200) > answered),
            timeout=60,
        )
    # then it saw the project's creation, with the project as it is now
    created = [c for c in seen if c["operation"] == "project:create" and c["targetId"] == project["id"]]
    assert len(created) == 1 and created[0]["node"]["id"] == project["id"]
    # and it waited the 429's Retry-After (a whole number of seconds up to the window) before asking again
    retry_waits = [seconds for seconds, status in waits if status == 429]
    assert retry_waits and all(0 < s <= 60 and s == int(s) for s in retry_waits)
    assert statuses[statuses.index(429) + 1] == 200
    # and the cursor it stored is the last batch's, from which the second run saw nothing again
    assert first_cursor and seen[-1]["cursor"] == first_cursor
    assert all(c["targetId"] != project["id"] for c in resumed)


async def test_a_feed_error_that_retrying_cannot_fix_stops_the_loop_with_its_code(client, tmp_path):
    # given a cursor file damaged by hand and a client without a valid token
    feed = _example()
    cursor_file = tmp_path / "changes.cursor"
    cursor_file.write_text("not-a-cursor", encoding="utf-8")
    client.headers["Authorization"] = "Bearer ykt_not-a-token"
    # when the loop starts
    try:
        await feed.follow(client, cursor_file, print, until=lambda: False)
    except feed.FeedError as error:
        stopped = str(error)
    # then it stops with the code instead of retrying forever, and keeps the cursor file as it was
    assert "UNAUTHENTICATED" in stopped
    assert cursor_file.read_text(encoding="utf-8") == "not-a-cursor"


def test_the_guide_names_the_example_its_test_and_files_that_exist():
    # given the integrator guide
    text = GUIDE.read_text(encoding="utf-8")
    # when collecting the repository paths it mentions
    paths = set(re.findall(r"`((?:docs|tests|api)/[\w/.-]+\.(?:py|md|json))`", text))
    paths |= {f"docs/{m}" for m in re.findall(r"\]\(((?:examples/)?[\w.-]+\.(?:md|py))\)", text)}
    # then the example and its test are among them, and every one exists
    assert {"docs/examples/changes_feed.py", "tests/api/test_integrator_guide.py"} <= paths
    assert [p for p in paths if not (PROJECT_ROOT / p).exists()] == []
