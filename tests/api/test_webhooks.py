"""Webhooks against a real HTTP receiver on localhost: every event arrives exactly once per event id after a
failed first attempt, across an API restart, signed, and only what the subscriber may read."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select

from api.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from domain.actors import OrgType
from store.sync_tables import webhook_delivery_attempts
from tests.api.projects_helpers import create, submit
from tests.browser.live import live_server
from tests.utils import PASSWORD, Api, make_org, make_user

SUBSCRIBE = """mutation($input: WebhookSubscriptionCreateInput!) { webhookSubscriptionCreate(input: $input) {
  secret subscription { id eventTypes } userErrors { code field } } }"""
DELIVERIES = """query { webhookSubscriptions(first: 5) { edges { node { deliveries { eventId status attempts } } } } }"""


class Receiver:
    """Answers 500 to the first attempt of every event id, 204 afterwards; records what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes, dict[str, str], int]] = []
        self.first_failure = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers[EVENT_ID_HEADER]
                with receiver.lock:
                    seen = any(r[0] == event_id for r in receiver.received)
                    status = 204 if seen else 500
                    receiver.received.append((event_id, body, dict(self.headers), status))
                self.send_response(status)
                self.end_headers()
                if status == 500:
                    receiver.first_failure.set()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def successes(self) -> Counter[str]:
        with self.lock:
            return Counter(r[0] for r in self.received if r[3] == 204)

    def wait_for(self, condition, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out; received {[(r[0], r[3]) for r in self.received]}"
            time.sleep(0.05)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def _login(base: str, username: str) -> str:
    body = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }",
            "variables": {"u": username, "p": PASSWORD},
        },
    ).json()
    return body["data"]["login"]["token"]


async def test_every_event_arrives_once_per_event_id_after_retries_across_a_restart_signed_and_redacted(
    settings, database_url, session_factory, receiver
):
    # given an admin, a unit, an integrator subscribed to every event, and a live API with fast retries
    settings = settings.model_copy(update={"webhook_poll_seconds": 0.05, "webhook_backoff_seconds": 1.5})
    admin_org = await make_org(session_factory, OrgType.BDB, name="测试-管理员单位")
    unit_org = await make_org(session_factory, OrgType.UNIT, name="测试-建设单位")
    integrator_org = await make_org(session_factory, OrgType.INTEGRATOR, name="测试-对接系统")
    await make_user(session_factory, admin_org, "hook.admin", is_admin=True)
    await make_user(session_factory, unit_org, "hook.unit")
    with live_server(settings, database_url) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            api = Api(http)
            admin, unit = _login(base, "hook.admin"), _login(base, "hook.unit")
            from api.graphql.common import to_global_id

            created = (
                await api.data(
                    SUBSCRIBE,
                    {
                        "input": {
                            "organizationId": to_global_id("Organization", integrator_org),
                            "name": "数据共享平台",
                            "url": receiver.url,
                            "eventTypes": ["*"],
                        }
                    },
                    token=admin,
                )
            )["webhookSubscriptionCreate"]
            secret = created["secret"]
            # when a unit creates a draft (hidden from the integrator) and submits it (published)
            first = await create(api, unit)
            await submit(api, unit, first["id"])
            # … the first attempt fails and the API restarts before the retry
            receiver.first_failure.wait(timeout=20)
    with live_server(settings, database_url) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            api = Api(http)
            unit = _login(base, "hook.unit")
            second = await create(api, unit, name="营口市第二个对接测试项目")
            await submit(api, unit, second["id"])
            receiver.wait_for(lambda: len(receiver.successes()) == 2)
            await asyncio.sleep(
                1.0
            )  # a duplicate (a second claim of the same delivery) would have arrived by now
            log = (await api.data(DELIVERIES, token=_login(base, "hook.admin")))["webhookSubscriptions"]
    # then each event arrived exactly once after one refused attempt, both submissions, nothing of the drafts
    assert sorted(receiver.successes().values()) == [1, 1]
    bodies = [json.loads(r[1]) for r in receiver.received if r[3] == 204]
    assert sorted(b["eventType"] for b in bodies) == ["project:submit-to-reserve"] * 2
    assert {b["target"]["id"] for b in bodies} == {first["id"], second["id"]}
    assert all("contactPhone" not in (b["data"] or {}) for b in bodies)
    # … every request carried a valid signature
    assert all(
        verify(secret, r[2][TIMESTAMP_HEADER], r[1], r[2][SIGNATURE_HEADER]) for r in receiver.received
    )
    # … and the delivery log shows two attempts per event, now delivered
    deliveries = log["edges"][0]["node"]["deliveries"]
    assert sorted((d["status"], d["attempts"]) for d in deliveries) == [("delivered", 2), ("delivered", 2)]
    async with session_factory() as session:
        codes = sorted((await session.execute(select(webhook_delivery_attempts.c.status_code))).scalars())
    assert codes == [204, 204, 500, 500]


async def test_a_wrong_secret_does_not_verify():
    # given a body signed with one secret
    from api.webhooks import sign

    signature = sign("right", "1700000000", b'{"a":1}')
    # when verified with another secret, or with a changed body
    # then neither verifies, while the original does
    assert not verify("wrong", "1700000000", b'{"a":1}', signature)
    assert not verify("right", "1700000000", b'{"a":2}', signature)
    assert verify("right", "1700000000", b'{"a":1}', signature)


async def test_only_the_administrator_subscribes_and_bad_input_is_a_user_error(api, session_factory):
    # given an administrator and a unit
    from tests.utils import error_codes, make_agencies

    a = await make_agencies(api, session_factory, "admin", "unit")
    bad = {"organizationId": a.gid("unit"), "name": "x", "url": "ftp://example", "eventTypes": ["no:such"]}
    # when each subscribes with an invalid URL and event type
    refused = await api.gql(SUBSCRIBE, {"input": bad}, token=a.token["unit"])
    invalid = (await api.data(SUBSCRIBE, {"input": bad}, token=a.token["admin"]))["webhookSubscriptionCreate"]
    # then the unit is forbidden, and the administrator gets userErrors naming the fields
    assert error_codes(refused) == ["FORBIDDEN"]
    assert sorted(e["code"] for e in invalid["userErrors"]) == [
        "WEBHOOK_EVENT_TYPES_INVALID",
        "WEBHOOK_URL_INVALID",
    ]
    assert invalid["secret"] is None


async def test_two_workers_in_parallel_send_each_delivery_once(engine, database_url, session_factory):
    # given ten events for one subscriber, and two workers (as in two API processes) on separate pools
    from sqlalchemy import insert

    from api.webhooks_worker import WebhookWorker, WorkerConfig
    from authz.enforcer import Authorizer
    from store.engine import make_engine, make_session_factory
    from store.sync_tables import webhook_deliveries, webhook_events, webhook_subscriptions

    r = Receiver()
    org = await make_org(session_factory, OrgType.AUDIT, name="测试-审计对接")
    async with session_factory() as session, session.begin():
        sub = (
            await session.execute(
                insert(webhook_subscriptions)
                .values(organization_id=org, name="x", url=r.url, secret="s", event_types=["*"])
                .returning(webhook_subscriptions.c.id)
            )
        ).scalar_one()
        events = (
            (
                await session.execute(
                    insert(webhook_events).returning(webhook_events.c.id),
                    [
                        {
                            "event_id": f"e-{n}",
                            "event_type": "project:update",
                            "target_type": "Project",
                            "target_id": n,
                            "occurred_at": datetime.now(UTC),
                        }
                        for n in range(10)
                    ],
                )
            )
            .scalars()
            .all()
        )
        await session.execute(
            insert(webhook_deliveries),
            [
                {
                    "event_id": e,
                    "subscription_id": sub,
                    "payload": {"eventId": f"first-{e}", "eventType": "x"},
                }
                for e in events
            ],
        )
    other_engine = make_engine(database_url, pool_size=2)
    workers = [
        WebhookWorker(f, Authorizer(), WorkerConfig())
        for f in (session_factory, make_session_factory(other_engine))
    ]
    for e in events:  # the receiver refuses only a first attempt: mark each id as tried, so all succeed
        r.received.append((f"first-{e}", b"", {}, 500))
    # when both workers deliver at the same time
    try:
        async with httpx.AsyncClient() as http:
            sent = await asyncio.gather(*(w.deliver_due(http) for w in workers))
    finally:
        await other_engine.dispose()
        r.server.shutdown()
    # then the ten deliveries were shared out and each event id arrived exactly once
    assert sum(sent) == 10
    assert sorted(r.successes().values()) == [1] * 10
