"""The webhook guide is generated from the code, its snippets verify real signatures, every body the worker
builds fits the published JSON Schema, and an owner sees each delivery's last HTTP status and error."""

from __future__ import annotations

import ipaddress
import json
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jsonschema
import pytest
from sqlalchemy import insert, select

from api import webhooks_doc
from api.graphql.common import to_global_id
from api.webhook_deliveries import ERROR_MAX_CHARS, public_error
from api.webhooks import TargetPolicy, sign
from api.workers.webhooks import WebhookWorker, WorkerConfig
from authz.enforcer import Authorizer
from domain.actors import OrgType
from store.sync_tables import webhook_deliveries, webhook_subscriptions
from tests.api.projects_helpers import create, review, submit
from tests.utils import make_agencies, make_org

SCHEMA = json.loads(webhooks_doc.SCHEMA_PATH.read_text(encoding="utf-8"))
GUIDE = webhooks_doc.DOC_PATH.read_text(encoding="utf-8")


def _code_block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", GUIDE.split("## Verifying the signature")[1], re.DOTALL)
    assert match, language
    return match.group(1)


def test_the_committed_webhook_guide_and_schema_are_generated_from_the_current_code():
    # given the committed guide and schema
    committed = (GUIDE, webhooks_doc.SCHEMA_PATH.read_text(encoding="utf-8"))
    # when rendering them from the code
    current = (webhooks_doc.render(), webhooks_doc.render_schema())
    # then they are the same (run `python -m api webhooks-doc` after changing event types or payloads)
    assert committed == current


def test_the_retry_schedule_in_the_guide_is_the_workers_backoff_doubling_up_to_its_ceiling():
    # given the worker's configuration
    config = WorkerConfig(backoff_seconds=5.0)
    # when computing the schedule the guide prints
    schedule = webhooks_doc.retry_schedule(config)
    # then it doubles from the first delay, stops at the ceiling, and has one delay per retry
    assert schedule[:3] == [5.0, 10.0, 20.0]
    assert max(schedule) == config.max_backoff_seconds and len(schedule) == config.max_attempts - 1
    assert f"after {config.max_attempts} attempts" in GUIDE


SECRET = "s3cr3t"


def _signed(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"x-yingkou-timestamp": timestamp, "x-yingkou-signature": sign(SECRET, timestamp, body)}


def test_the_guides_python_snippet_accepts_our_signature_and_refuses_a_changed_body_or_old_timestamp():
    # given the guide's Python snippet and a body signed as the worker signs it
    namespace: dict = {}
    exec(_code_block("python"), namespace)  # noqa: S102 — the guide's own text
    body = b'{"eventId":"e-1","eventType":"project:create"}'
    headers = _signed(body)
    stale = {**headers, "x-yingkou-timestamp": str(int(time.time()) - 3600)}
    stale["x-yingkou-signature"] = sign("s3cr3t", stale["x-yingkou-timestamp"], body)
    # when verifying it, a changed body, a wrong secret and a replay an hour later
    # then only the original passes
    assert namespace["verify"]("s3cr3t", headers, body) is True
    assert namespace["verify"]("s3cr3t", headers, body.replace(b"e-1", b"e-2")) is False
    assert namespace["verify"]("wrong", headers, body) is False
    assert namespace["verify"]("s3cr3t", stale, body) is False


def test_the_guides_node_snippet_accepts_our_signature_and_refuses_a_changed_body():
    # given the guide's Node.js snippet and a body signed as the worker signs it
    body = '{"eventId":"e-1","data":{"name":"教育专网"}}'.encode()
    headers = _signed(body)
    script = _code_block("js") + (
        f"const h = {json.dumps(headers)}; const b = Buffer.from({json.dumps(body.decode())});"
        "console.log(JSON.stringify([verify('s3cr3t', h, b), verify('s3cr3t', h, Buffer.from('x')),"
        " verify('wrong', h, b)]));"
    )
    # when node runs it
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    # then only the original body with the right secret verifies
    assert json.loads(out.stdout) == [True, False, False]


async def _subscribe_directly(session_factory, organization: int) -> None:
    """A subscription to every event, written as webhookSubscriptionCreate would (no URL check needed)."""
    async with session_factory() as session, session.begin():
        await session.execute(
            insert(webhook_subscriptions).values(
                organization_id=organization,
                name="x",
                url="http://127.0.0.1:9/",
                secret="s",
                event_types=["*"],
            )
        )


async def test_every_payload_the_worker_builds_validates_against_the_published_schema(api, session_factory):
    # given subscribers to every event: a unit, the Big Data Bureau and the audit office (reads the audit log)
    a = await make_agencies(api, session_factory, "admin", "unit", "bdb", "audit")
    for role in ("unit", "bdb", "audit"):
        await _subscribe_directly(session_factory, a.org[role])
    # and events with a project snapshot (create, submit, the reserve review) and without one (a token issued)
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    assert (await review(api, a.token["bdb"], project["id"]))["userErrors"] == []
    integrator = await make_org(session_factory, OrgType.INTEGRATOR)
    await api.data(
        'mutation($o: ID!) { apiTokenCreate(input: {name: "同步", organizationId: $o}) { token } }',
        {"o": to_global_id("Organization", integrator)},
        token=a.token["admin"],
    )
    # when the worker fans the events out
    await WebhookWorker(session_factory, Authorizer()).dispatch()
    async with session_factory() as session:
        payloads = list((await session.execute(select(webhook_deliveries.c.payload))).scalars())
    # then every body validates, each against its own event type's definition
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for payload in payloads:
        validator.validate(payload)
    kinds = {(p["eventType"], p["target"]["type"], p["data"] is None) for p in payloads}
    assert {
        ("project:create", "Project", False),
        ("reserve-review:record", "Project", False),
        ("api-token:create", "ApiToken", True),
    } <= kinds
    assert any("reserveReview" in (p["data"] or {}) for p in payloads)
    # and a body whose type and data disagree with the schema is refused
    broken = next(p for p in payloads if p["data"]) | {"eventType": "no:such-event"}
    assert not validator.is_valid(broken)


class _FailingReceiver:
    """Answers every POST with HTTP 503, as a receiver in maintenance would."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(503)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def failing_receiver():
    receiver = _FailingReceiver()
    yield receiver
    receiver.server.shutdown()


DELIVERIES = """{ webhookSubscriptions { nodes { name deliveries(first: 5) {
  eventType status attempts nextAttemptAt lastAttemptAt lastHttpStatus lastError } } } }"""


async def test_the_owner_sees_each_deliverys_attempts_last_http_status_and_a_short_error_without_secrets(
    api, session_factory, failing_receiver
):
    # given an integrator's two subscriptions: one to a receiver answering 503, one to a closed port whose
    # URL carries the receiver's own key in its query string
    a = await make_agencies(api, session_factory, "unit", "integrator")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    closed_port = closed.server_address[1]
    closed.server_close()
    urls = {
        "503": f"http://127.0.0.1:{failing_receiver.port}/hook",
        "closed": f"http://127.0.0.1:{closed_port}/hook?key=receiver-secret-123",
    }
    async with session_factory() as session, session.begin():
        for name, url in urls.items():
            await session.execute(
                insert(webhook_subscriptions).values(
                    organization_id=a.org["integrator"],
                    name=name,
                    url=url,
                    secret="signing-secret",
                    event_types=["*"],
                )
            )
    # and a project submitted to the reserve (published: the integrator may read it)
    project = await create(api, a.token["unit"])
    await submit(api, a.token["unit"], project["id"])
    # when the worker tries each delivery once
    loopback = TargetPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    worker = WebhookWorker(session_factory, Authorizer(), WorkerConfig(backoff_seconds=60), loopback)
    await worker.dispatch()
    async with httpx.AsyncClient(timeout=5) as http:
        await worker.deliver_due(http)
    body = (await api.data(DELIVERIES, token=a.token["integrator"]))["webhookSubscriptions"]["nodes"]
    seen = {s["name"]: s["deliveries"] for s in body}
    # then the owner reads the attempt count, the status or the error, and when the next attempt is due
    assert [d["eventType"] for d in seen["503"]] == ["PROJECT_SUBMIT_TO_RESERVE"]
    assert [d["eventType"] for d in seen["closed"]] == ["PROJECT_SUBMIT_TO_RESERVE"]
    [refused], [unreachable] = seen["503"], seen["closed"]
    assert refused["attempts"] == 1 and refused["lastHttpStatus"] == 503 and refused["lastError"] is None
    assert refused["status"] == "pending" and refused["nextAttemptAt"] > refused["lastAttemptAt"]
    assert unreachable["attempts"] == 1 and unreachable["lastHttpStatus"] is None
    assert unreachable["lastError"].startswith("ConnectError")
    assert len(unreachable["lastError"]) <= ERROR_MAX_CHARS
    # and neither the receiver's key nor the signing secret is shown
    assert "receiver-secret-123" not in json.dumps(body) and "signing-secret" not in json.dumps(body)


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (None, None),
        ("", None),
        ("ConnectError: All connection attempts failed", "ConnectError: All connection attempts failed"),
        (
            "HTTPStatusError: redirect to https://user:pw@hooks.example.org/in?token=abc#frag\nline two",
            "HTTPStatusError: redirect to https://hooks.example.org/in line two",
        ),
    ],
)
def test_a_delivery_error_is_shown_on_one_line_without_url_credentials_query_or_fragment(error, shown):
    # given an error as the worker recorded it
    # when showing it to the subscription's owner
    # then credentials, query string and fragment are gone and it is one line
    assert public_error(error) == shown


def test_a_long_delivery_error_is_cut_to_the_documented_length():
    # given an error longer than the limit
    error = "ReadTimeout: " + "x" * 1000
    # when showing it
    shown = public_error(error)
    # then it is exactly at the limit, marked as cut
    assert shown is not None and len(shown) == ERROR_MAX_CHARS and shown.endswith("…")
