"""Webhooks against a real HTTP receiver on localhost: every event arrives exactly once per event id after a
failed first attempt, across an API restart, signed, and only what the subscriber may read."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jsonschema
import pytest
from sqlalchemy import func, insert, select

from api import webhooks_doc
from api.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TargetPolicy,
    UnsafeTarget,
    verify,
)
from api.workers.webhooks import WebhookWorker, WorkerConfig
from authz.enforcer import Authorizer
from domain.actors import OrgType
from store.sync_tables import (
    webhook_deliveries,
    webhook_delivery_attempts,
    webhook_events,
    webhook_subscriptions,
)
from tests.api.projects_helpers import create, submit
from tests.browser.live import live_server
from tests.utils import PASSWORD, Api, error_codes, make_agencies, make_org, make_user

SUBSCRIBE = """mutation($input: WebhookSubscriptionCreateInput!) { webhookSubscriptionCreate(input: $input) {
  secret subscription { id eventTypes } userErrors { code field } } }"""
DEACTIVATE = """mutation($input: WebhookSubscriptionDeactivateInput!) { webhookSubscriptionDeactivate(input: $input) {
  subscription { id active } userErrors { code } } }"""
DELIVERIES = """query { webhookSubscriptions(first: 5) { edges { node { deliveries {
  eventId status attempts lastHttpStatus lastError } } } } }"""


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
    # given a unit, an integrator's own user subscribing it to every event, and a live API with fast retries
    # that may send to the loopback receiver
    settings = settings.model_copy(
        update={
            "webhook_poll_seconds": 0.05,
            "webhook_backoff_seconds": 1.5,
            "webhook_allowed_networks": ["127.0.0.1/32"],
        }
    )
    unit_org = await make_org(session_factory, OrgType.UNIT, name="测试-建设单位")
    integrator_org = await make_org(session_factory, OrgType.INTEGRATOR, name="测试-对接系统")
    await make_user(session_factory, integrator_org, "hook.integrator")
    await make_user(session_factory, unit_org, "hook.unit")
    with live_server(settings, database_url) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            api = Api(http)
            integrator, unit = _login(base, "hook.integrator"), _login(base, "hook.unit")
            from api.graphql.common import to_global_id

            created = (
                await api.data(
                    SUBSCRIBE,
                    {
                        "input": {
                            "organizationId": to_global_id("Organization", integrator_org),
                            "name": "数据共享平台",
                            "url": receiver.url,
                            "eventTypes": ["ALL"],
                        }
                    },
                    token=integrator,
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
            log = (await api.data(DELIVERIES, token=_login(base, "hook.integrator")))["webhookSubscriptions"]
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
    assert [(d["lastHttpStatus"], d["lastError"]) for d in deliveries] == [(204, None), (204, None)]
    # … and every body fits the published JSON Schema
    schema = json.loads(webhooks_doc.SCHEMA_PATH.read_text(encoding="utf-8"))
    for b in bodies:
        jsonschema.validate(b, schema, format_checker=jsonschema.FormatChecker())
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


async def test_only_the_receiving_organizations_own_users_subscribe_it_and_bad_input_is_a_user_error(
    api, session_factory
):
    # given an administrator, a unit, two integrators' users and an API token of the first integrator
    a = await make_agencies(api, session_factory, "admin", "unit", "integrator", "integrator2")
    token = await _api_token(api, a, "integrator")
    own = {"organizationId": a.gid("integrator"), "name": "x", "url": "https://93.184.216.34/hook"}
    own["eventTypes"] = ["ALL"]
    bad = own | {"url": "ftp://example", "eventTypes": []}
    # when the administrator subscribes its own organization (bdb) and the integrator's, a unit and the
    # second integrator subscribe the first, its token subscribes it, and its own user sends bad input
    by_admin_for_bdb = await api.gql(
        SUBSCRIBE, {"input": own | {"organizationId": a.gid("admin")}}, token=a.token["admin"]
    )
    by_admin = await api.gql(SUBSCRIBE, {"input": own}, token=a.token["admin"])
    by_unit = await api.gql(SUBSCRIBE, {"input": own}, token=a.token["unit"])
    by_other = await api.gql(SUBSCRIBE, {"input": own}, token=a.token["integrator2"])
    by_token = await api.gql(SUBSCRIBE, {"input": own}, token=token)
    invalid = (await api.data(SUBSCRIBE, {"input": bad}, token=a.token["integrator"]))[
        "webhookSubscriptionCreate"
    ]
    unknown = await api.gql(
        SUBSCRIBE, {"input": own | {"eventTypes": ["no:such"]}}, token=a.token["integrator"]
    )
    # then all but the organization's own user are forbidden, and its bad input is userErrors
    for refused in (by_admin_for_bdb, by_admin, by_unit, by_other, by_token):
        assert error_codes(refused) == ["FORBIDDEN"], refused
    assert sorted(e["code"] for e in invalid["userErrors"]) == [
        "WEBHOOK_EVENT_TYPES_INVALID",
        "WEBHOOK_URL_INVALID",
    ]
    assert invalid["secret"] is None
    assert error_codes(unknown) == ["BAD_USER_INPUT"]  # not a WebhookEventType
    assert await _subscription_count(session_factory) == 0


async def test_an_organization_sees_and_stops_only_its_own_subscriptions_the_administrator_sees_all(
    api, session_factory
):
    # given two integrators, each with a subscription (a public address: nothing is ever sent in this test)
    a = await make_agencies(api, session_factory, "admin", "integrator", "integrator2")
    ids = {}
    for role in ("integrator", "integrator2"):
        created = await api.data(
            SUBSCRIBE,
            {
                "input": {
                    "organizationId": a.gid(role),
                    "name": role,
                    "url": "https://93.184.216.34/h",
                    "eventTypes": ["ALL"],
                }
            },
            token=a.token[role],
        )
        assert created["webhookSubscriptionCreate"]["userErrors"] == []
        ids[role] = created["webhookSubscriptionCreate"]["subscription"]["id"]
    listing = "query { webhookSubscriptions(first: 10) { edges { node { id } } } }"
    # when each lists subscriptions, and the second integrator tries to stop the first's
    seen = {
        role: {
            e["node"]["id"]
            for e in (await api.data(listing, token=a.token[role]))["webhookSubscriptions"]["edges"]
        }
        for role in ("admin", "integrator", "integrator2")
    }
    stop_other = await api.gql(
        DEACTIVATE, {"input": {"subscriptionId": ids["integrator"]}}, token=a.token["integrator2"]
    )
    stop_own = await api.data(
        DEACTIVATE, {"input": {"subscriptionId": ids["integrator2"]}}, token=a.token["integrator2"]
    )
    # then each sees its own, the administrator all, and another organization's subscription is NOT_FOUND
    assert seen == {
        "admin": set(ids.values()),
        "integrator": {ids["integrator"]},
        "integrator2": {ids["integrator2"]},
    }
    assert error_codes(stop_other) == ["NOT_FOUND"]
    assert stop_own["webhookSubscriptionDeactivate"]["subscription"]["active"] is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://127.1.2.3/hook",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://localhost:8080/hook",
    ],
)
async def test_a_webhook_may_not_point_to_loopback_link_local_or_private_addresses(api, session_factory, url):
    # given an integrator's own user (no network is allowed beyond the public internet)
    a = await make_agencies(api, session_factory, "integrator")
    given = {"organizationId": a.gid("integrator"), "name": "内网探测", "url": url, "eventTypes": ["ALL"]}
    # when it subscribes with an address of a refused class (or a name that resolves to one)
    payload = (await api.data(SUBSCRIBE, {"input": given}, token=a.token["integrator"]))[
        "webhookSubscriptionCreate"
    ]
    # then the URL is refused and nothing is stored
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("WEBHOOK_URL_FORBIDDEN_ADDRESS", ["input", "url"])
    ]
    assert payload["secret"] is None and await _subscription_count(session_factory) == 0


async def test_production_accepts_only_https_and_an_allowed_network_is_accepted():
    # given the production policy, and a development one that allows an intranet network
    production = TargetPolicy(require_https=True)
    intranet = TargetPolicy(allowed_networks=(ipaddress.ip_network("10.20.0.0/16"),))
    # when URLs are checked (IP literals: no lookup, no traffic)
    # then plain http is refused in production, https to a public address is pinned to it
    with pytest.raises(UnsafeTarget) as http_refused:
        await production.check("http://93.184.216.34/hook")
    assert http_refused.value.code == "WEBHOOK_URL_INVALID"
    target = await production.check("https://93.184.216.34:8443/hook?x=1")
    assert (target.url, target.host_header) == ("https://93.184.216.34:8443/hook?x=1", "93.184.216.34:8443")
    assert (await intranet.check("http://10.20.1.2/hook")).address == "10.20.1.2"
    with pytest.raises(UnsafeTarget):
        await intranet.check("http://10.21.1.2/hook")


async def _refusing_dns(host: str, port: int) -> list[str]:
    """A DNS answer that changed since the subscription was made (DNS rebinding): loopback now."""
    return ["93.184.216.34", "127.0.0.1"]


async def _receiver_dns(host: str, port: int) -> list[str]:
    """`receiver.test` (a name no real DNS answers) is the loopback receiver."""
    assert host == "receiver.test"
    return ["127.0.0.1"]


@pytest.mark.parametrize(
    ("targets", "arrives"),
    [
        (TargetPolicy(), False),  # localhost: refused at delivery too
        (TargetPolicy(resolver=_refusing_dns, allowed_networks=()), False),  # rebinding to loopback
        (
            TargetPolicy(resolver=_receiver_dns, allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),)),
            True,
        ),
    ],
)
async def test_the_target_is_checked_again_at_delivery_and_the_post_goes_to_the_checked_address(
    session_factory, receiver, targets, arrives
):
    # given a pending delivery for a subscription whose URL was stored without the creation check
    port = receiver.server.server_address[1]
    host = "receiver.test" if targets.resolver is _receiver_dns else "localhost"
    delivery = await _pending_delivery(session_factory, f"http://{host}:{port}/hook")
    worker = WebhookWorker(session_factory, Authorizer(), WorkerConfig(), targets)
    # when the worker delivers it
    async with httpx.AsyncClient() as http:
        sent = await worker.deliver_due(http)
    # then a refused target is never contacted and the attempt says why; an allowed one gets the POST at the
    # checked address with the URL's host name in the Host header
    async with session_factory() as session:
        errors = list(
            (
                await session.execute(
                    select(webhook_delivery_attempts.c.error).where(
                        webhook_delivery_attempts.c.delivery_id == delivery
                    )
                )
            ).scalars()
        )
    assert sent == 1
    if arrives:
        assert [r[2]["Host"] for r in receiver.received] == [f"receiver.test:{port}"]
    else:
        assert receiver.received == []
        assert len(errors) == 1 and "WEBHOOK_URL_FORBIDDEN_ADDRESS" in errors[0]


async def _pending_delivery(session_factory, url: str) -> int:
    org = await make_org(session_factory, OrgType.INTEGRATOR, name="测试-直接写入的订阅")
    async with session_factory() as session, session.begin():
        sub = (
            await session.execute(
                insert(webhook_subscriptions)
                .values(organization_id=org, name="x", url=url, secret="s", event_types=["*"])
                .returning(webhook_subscriptions.c.id)
            )
        ).scalar_one()
        event = (
            await session.execute(
                insert(webhook_events)
                .values(
                    event_id="e-1",
                    event_type="project:update",
                    target_type="Project",
                    target_id=1,
                    occurred_at=datetime.now(UTC),
                )
                .returning(webhook_events.c.id)
            )
        ).scalar_one()
        return (
            await session.execute(
                insert(webhook_deliveries)
                .values(event_id=event, subscription_id=sub, payload={"eventId": "e-1", "eventType": "x"})
                .returning(webhook_deliveries.c.id)
            )
        ).scalar_one()


async def _subscription_count(session_factory) -> int:
    async with session_factory() as session:
        return (await session.execute(select(func.count()).select_from(webhook_subscriptions))).scalar_one()


async def _api_token(api, a, role: str) -> str:
    """An API token of that role's organization, made by a fresh administrator."""
    query = (
        """mutation($i: ApiTokenCreateInput!) { apiTokenCreate(input: $i) { token userErrors { code } } }"""
    )
    body = await api.data(
        query, {"i": {"organizationId": a.gid(role), "name": "同步"}}, token=a.token["admin"]
    )
    return body["apiTokenCreate"]["token"]


async def test_two_workers_in_parallel_send_each_delivery_once(engine, database_url, session_factory):
    # given ten events for one subscriber, and two workers (as in two API processes) on separate pools
    from store.engine import make_engine, make_session_factory

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
    loopback = TargetPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    workers = [
        WebhookWorker(f, Authorizer(), WorkerConfig(), loopback)
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
