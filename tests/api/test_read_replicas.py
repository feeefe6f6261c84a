"""Issue 17: reads on a REAL streaming replica (pg_basebackup of the test server), writes on the primary,
read-your-writes through the WAL position, lag in /metrics and /readyz, and the fall-back when it dies.

One replica for the module (it is the expensive part); each test gets its database on the primary as
usual, and the replica receives it by streaming. "Two API processes" are two apps on the same databases,
each with its own replica watcher and memory, as two uvicorn workers would have.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.auth import issue_session_token
from api.graphql.common import from_global_id, to_global_id
from api.read_replicas import RecentWrites, header_position
from api.settings import Settings
from domain.actors import Actor, OrgType, role_of
from store import approval_tables, embedded, roles, supervision_tables, sync_tables, tables
from store.engine import make_engine, make_session_factory
from store.replicas import Replica, ReplicaSet, format_lsn, lost_on, parse_lsn
from store.session_tables import user_sessions
from tests.api.lifecycle_helpers import TEST_SECRET
from tests.api.projects_helpers import CREATE, draft_input
from tests.conftest import _admin_connection, _with_database
from tests.replica_server import ReplicaServer
from tests.utils import Api, error_codes, make_org, make_user

LIST = "{ projects(first: 50) { edges { node { name } } } }"
POSITION = "x-yk-wal-position"
PROJECT = "query($id: ID!) { project(by: {id: $id}) { name } }"
ELSEWHERE = """query($id: ID!) {
  node(id: $id) { id }
  dashboard { projectsByStatus { key count } }
  changes(first: 10) { changes { operation } }
}"""


@pytest.fixture(scope="module")
def replica(template_database: str) -> Iterator[ReplicaServer]:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the replica is made from the embedded server's own files")
    server = ReplicaServer(template_database, Path(tempfile.mkdtemp(prefix="yk-replica-")))
    server.create()
    yield server
    server.remove()


@pytest.fixture(scope="module")
async def replicated_database(template_database: str, replica: ReplicaServer) -> AsyncIterator[str]:
    """One migrated database for the module, as the runtime role, once the replica has received it."""
    template = make_url(template_database).database
    name = f"yk_test_replicas_{os.getpid()}"
    admin = await _admin_connection(template_database)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER {roles.OWNER}')
        await _replicated(replica, name)
        yield _with_database(template_database, name, roles.RUNTIME)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def primary(replicated_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(replicated_database, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def processes(
    replica: ReplicaServer, replicated_database: str, primary: AsyncEngine
) -> AsyncIterator[tuple[Api, Api]]:
    """Two API processes on the primary and the replica, each with its own watcher and memory."""
    database = str(make_url(replicated_database).database)
    settings = Settings(
        token_secret=TEST_SECRET,
        token_ttl_minutes=60,
        replica_urls=[replica.url(database, roles.RUNTIME)],
        replica_check_seconds=0.1,
    )
    apps = [create_app(settings, engine=primary) for _ in range(2)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") for app in apps]
    yield Api(clients[0]), Api(clients[1])
    for app, client in zip(apps, clients, strict=True):
        await client.aclose()
        await app.state.replicas.stop()
        await app.state.rate_counter.stop()  # as the lifespan's shutdown (none here): not past the database


def _replicas(api: Api) -> ReplicaSet:
    return api.client._transport.app.state.replicas  # type: ignore[attr-defined,no-any-return]


async def _replicated(replica: ReplicaServer, database: str) -> None:
    """The new database has reached the replica (CREATE DATABASE streams like any write)."""
    deadline = time.monotonic() + 60  # a bound for a busy machine, not an expectation
    while not replica.sql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):  # noqa: S608 (ours)
        assert time.monotonic() < deadline, "the replica never received the test database"
        await asyncio.sleep(0.05)


_units = itertools.count(1)


async def _unit(primary: AsyncEngine) -> str:
    """A user of a new unit (it reads only its own projects)."""
    return (await _signed_in(primary, OrgType.UNIT))[0]


async def _signed_in(primary: AsyncEngine, kind: OrgType, *, admin: bool = False) -> tuple[str, int, int]:
    """A user of a new organization of `kind` (its administrator if `admin`): token, user id, organization
    id; the session token is minted directly (an argon2 sign-in costs seconds on a busy machine)."""
    factory = make_session_factory(primary)
    username = f"user.{kind.value}{next(_units)}"
    org = await make_org(factory, kind, name=f"测试-{username}")
    await make_user(factory, org, username, is_admin=admin)
    async with factory() as session:
        user_id = (
            await session.execute(select(tables.users.c.id).where(tables.users.c.username == username))
        ).scalar_one()
    role = role_of(is_admin=admin, organization_type=kind.value)
    actor = Actor(user_id=user_id, organization_id=org, role=role, username=username)
    async with primary.begin() as connection:
        now = datetime.now(UTC)
        session_id = (
            await connection.execute(
                insert(user_sessions)
                .values(user_id=user_id, created_at=now, expires_at=now + timedelta(hours=1))
                .returning(user_sessions.c.id)
            )
        ).scalar_one()
    token = issue_session_token(
        actor, session_id=session_id, secret=TEST_SECRET, ttl=timedelta(minutes=60), now=now
    ).token
    return token, user_id, org


async def _create(api: Api, token: str, name: str) -> httpx.Response:
    response = await api.client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": draft_input(name=name)}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json()["data"]["projectCreate"]["userErrors"] == []
    return response


async def _names(api: Api, token: str, position: str | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {token}", **({POSITION: position} if position else {})}
    response = await api.client.post("/graphql", json={"query": LIST}, headers=headers)
    assert response.status_code == 200, response.text
    return [edge["node"]["name"] for edge in response.json()["data"]["projects"]["edges"]]


async def _metrics(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name.startswith(("yk_db_replica", "yk_db_reads_routed", "yk_db_reads_retried"))
    }


def _routed(metrics: dict[Any, float], target: str, reason: str) -> float:
    return metrics.get(("yk_db_reads_routed_total", (("reason", reason), ("target", target))), 0.0)


def _retried(metrics: dict[Any, float]) -> float:
    return metrics.get(("yk_db_reads_retried_total", (("replica", "replica1"),)), 0.0)


def _replica1(name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (name, (("replica", "replica1"),))


async def test_a_query_reads_on_the_replica_and_a_mutation_writes_on_the_primary(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given two API processes, and a replica that stops replaying (it still answers reads)
    one, other = processes
    token = await _unit(primary)
    before = await _metrics(other)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when the unit creates a project through one process (the replica would refuse the write) ...
        created = await _create(one, token, "只读副本测试项目")
        # ... and reads it through the other, without the position the write answered, then with it
        without_position = await _names(other, token)
        project_id = created.json()["data"]["projectCreate"]["project"]["id"]
        by_id = await other.gql(PROJECT, {"id": project_id}, token=token)
        elsewhere = await other.gql(ELSEWHERE, {"id": project_id}, token=token)
        export = await other.client.get(
            "/export/projects.ndjson", headers={"Authorization": f"Bearer {token}"}
        )
        with_position = await _names(other, token, created.headers[POSITION])
        same_process = await _names(one, token)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then the plain reads came from the replica, which has not replayed the write yet: the list, node
    # reads, the dashboard, the change feed and the export
    assert without_position == []
    assert error_codes(by_id) == ["NOT_FOUND"] and error_codes(elsewhere) == ["NOT_FOUND"]
    assert elsewhere["data"]["dashboard"]["projectsByStatus"] == []
    assert elsewhere["data"]["changes"]["changes"] == []
    assert export.status_code == 200 and export.text == ""
    # and the reads that must see it waited for the paused replica in vain and went to the primary (the
    # writer's own process remembers its position without the header)
    assert with_position == ["只读副本测试项目"]
    assert same_process == ["只读副本测试项目"]
    after = await _metrics(other)
    assert _routed(after, "replica1", "rotation") - _routed(before, "replica1", "rotation") == 4
    assert _routed(after, "primary", "wait-timeout") - _routed(before, "primary", "wait-timeout") == 1
    assert parse_lsn(created.headers[POSITION]) is not None


ADMIN_READS = """{
  viewer { user { displayName } }
  organizations(last: 5) { edges { node { name } } }
  apiTokens(first: 5) { edges { node { name } } }
  webhookSubscriptions(first: 5) { edges { node { name } } }
}"""
BDB_READS = """query($project: ID!) {
  auditLog(first: 5, filter: {targetId: $project}) { edges { node { operation } } }
  planCalls(first: 5) { edges { node { year } } }
  notifications(first: 5) { edges { node { obligationKey } } }
}"""
_years = itertools.count(2090)


async def test_the_lists_an_administrator_and_a_bureau_read_come_from_the_replica_and_the_writer_sees_its_writes(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given an administrator, the Big Data Bureau, a unit, and a replica that stops replaying
    one, other = processes
    admin, admin_id, admin_org = await _signed_in(primary, OrgType.BDB, admin=True)
    bdb, _, bdb_org = await _signed_in(primary, OrgType.BDB)
    unit = await _unit(primary)
    year = next(_years)
    await _replayed_everything(replica, primary)
    before = await _metrics(other)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when other clients write to the primary: a unit creates a project (its audit record), and the
        # administrator's name, an organization, an API token, a webhook subscription, a plan call and a
        # notice for the bureau change
        created = await _create(one, unit, "只读列表测试项目")
        project_gid = created.json()["data"]["projectCreate"]["project"]["id"]
        async with primary.begin() as connection:
            await connection.execute(
                tables.users.update().where(tables.users.c.id == admin_id).values(display_name="新名字")
            )
            await connection.execute(
                insert(tables.organizations).values(name="只读副本新单位", type=OrgType.UNIT.value)
            )
            await connection.execute(
                insert(tables.api_tokens).values(
                    name="只读副本令牌", prefix="yk_ro", token_hash=f"{year:064d}", organization_id=admin_org
                )
            )
            await connection.execute(
                insert(sync_tables.webhook_subscriptions).values(
                    organization_id=admin_org,
                    name="只读副本订阅",
                    url="https://example.org/hook",
                    secret="s" * 32,
                    event_types=["project:create"],
                )
            )
            await connection.execute(
                insert(approval_tables.plan_calls).values(
                    year=year,
                    deadline=date(year, 3, 1),
                    budget_compilation_date=date(year, 6, 1),
                    requirements="只读副本测试",
                    opened_at=datetime.now(UTC),
                )
            )
            await connection.execute(
                insert(supervision_tables.notifications).values(
                    organization_id=bdb_org,
                    project_id=select(tables.projects.c.id)
                    .where(tables.projects.c.name == "只读列表测试项目")
                    .scalar_subquery(),
                    obligation_key="replica-test",
                    kind="OPENED",
                    rule="R18",
                    opens_on=date(year, 1, 1),
                    due_on=date(year, 1, 31),
                )
            )
        written = await _written(primary)  # past the commit
        # ... and the administrator and the bureau read without, then with, the position those writes reached
        variables = {"project": project_gid}
        admin_stale = await _data(other, ADMIN_READS, {}, admin)
        bdb_stale = await _data(other, BDB_READS, variables, bdb)
        admin_fresh = await _data(other, ADMIN_READS, {}, admin, written)
        bdb_fresh = await _data(other, BDB_READS, variables, bdb, written)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then every list was read on the replica, which has none of the writes ...
    assert admin_stale["viewer"]["user"]["displayName"] != "新名字"
    assert "只读副本新单位" not in _listed(admin_stale["organizations"], "name")
    assert "只读副本令牌" not in _listed(admin_stale["apiTokens"], "name")
    assert "只读副本订阅" not in _listed(admin_stale["webhookSubscriptions"], "name")
    assert bdb_stale["auditLog"]["edges"] == []
    assert year not in _listed(bdb_stale["planCalls"], "year")
    assert "replica-test" not in _listed(bdb_stale["notifications"], "obligationKey")
    # ... and whoever brings the writes' position reads them all (on the primary: the replica is paused)
    assert admin_fresh["viewer"]["user"]["displayName"] == "新名字"
    assert "只读副本新单位" in _listed(admin_fresh["organizations"], "name")
    assert "只读副本令牌" in _listed(admin_fresh["apiTokens"], "name")
    assert "只读副本订阅" in _listed(admin_fresh["webhookSubscriptions"], "name")
    assert _listed(bdb_fresh["auditLog"], "operation") == ["project:create"]
    assert year in _listed(bdb_fresh["planCalls"], "year")
    assert "replica-test" in _listed(bdb_fresh["notifications"], "obligationKey")
    after = await _metrics(other)
    assert _routed(after, "replica1", "rotation") - _routed(before, "replica1", "rotation") == 2
    assert _routed(after, "primary", "wait-timeout") - _routed(before, "primary", "wait-timeout") == 2


UNIT_READS = """query($project: ID!) {
  inspections(projectId: $project) { subject }
  infoRequests(projectId: $project) { question }
  approvalDocuments(first: 5) { edges { node { status } } }
  obligations(first: 5) { edges { node { rule } } }
}"""


async def test_a_projects_supervision_obligations_and_documents_come_from_the_replica_and_the_writer_sees_them(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given a unit with a project, and a replica that has it and then stops replaying
    one, other = processes
    unit, unit_user, unit_org = await _signed_in(primary, OrgType.UNIT)
    created = await _create(one, unit, "只读监督测试项目")
    project_gid = created.json()["data"]["projectCreate"]["project"]["id"]
    await _replayed_everything(replica, primary)
    before = await _metrics(other)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when agencies write to the primary: an inspection ordering a rectification (an obligation), a
        # question and an approval document on it
        now = datetime.now(UTC)
        project = (
            select(tables.projects.c.id).where(tables.projects.c.name == "只读监督测试项目").scalar_subquery()
        )
        async with primary.begin() as connection:
            await connection.execute(
                insert(supervision_tables.inspections).values(
                    project_id=project,
                    agency_organization_id=unit_org,
                    agency_role="audit",
                    subject="FUND_USE",
                    status="RECTIFICATION_ORDERED",
                    findings="只读副本整改",
                    rectification_deadline=date.today() + timedelta(days=30),
                    opened_at=now,
                    concluded_at=now,
                )
            )
            await connection.execute(
                insert(supervision_tables.info_requests).values(
                    project_id=project,
                    requester_organization_id=unit_org,
                    requester_role="audit",
                    question="只读副本问询",
                    asked_at=now,
                )
            )
            await connection.execute(
                insert(approval_tables.approval_documents).values(
                    project_id=project,
                    type="PROPOSAL",
                    version=1,
                    status="SUBMITTED",
                    path_rule="R11.1",
                    requested_investment=100,
                    submitted_at=now,
                    submitted_by_user_id=unit_user,
                )
            )
        written = await _written(primary)  # past the commit
        # ... and the unit reads them without, then with, the position those writes reached
        stale = await _data(other, UNIT_READS, {"project": project_gid}, unit)
        fresh = await _data(other, UNIT_READS, {"project": project_gid}, unit, written)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then the first read came from the replica, which has none of them, and the second has them all
    assert stale == {
        "inspections": [],
        "infoRequests": [],
        "approvalDocuments": {"edges": []},
        "obligations": {"edges": []},
    }
    assert fresh == {
        "inspections": [{"subject": "FUND_USE"}],
        "infoRequests": [{"question": "只读副本问询"}],
        "approvalDocuments": {"edges": [{"node": {"status": "SUBMITTED"}}]},
        "obligations": {"edges": [{"node": {"rule": "R23.1"}}]},
    }
    after = await _metrics(other)
    assert _routed(after, "replica1", "rotation") - _routed(before, "replica1", "rotation") == 1
    assert _routed(after, "primary", "wait-timeout") - _routed(before, "primary", "wait-timeout") == 1


IMPLEMENTATION_READS = """query($project: ID!) {
  projectImplementation(projectId: $project) {
    acceptanceReportFiles { report file { filename } }
    postEvaluations { score }
  }
  dashboard { overdueObligationsByAgency { key count } }
}"""
DOCUMENT_READS = """query($document: ID!) {
  approvalDocument(id: $document) { attachments { filename } unitPostEvaluations { projectName grade } }
}"""
ONE_DOCUMENT = "query($document: ID!) { approvalDocument(id: $document) { status } }"
DELIVERIES = """{
  webhookSubscriptions(first: 50) { edges { node { name deliveries { eventId status } } } }
}"""


async def test_implementation_files_post_evaluations_a_document_deliveries_and_overdue_counts_come_from_the_replica(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given a submitted project (it has a code: the bureau sees it) with an approval document, a webhook
    # subscription, a unit, the bureau and an administrator, and a replica that has them and stops replaying
    one, other = processes
    unit, unit_user, unit_org = await _signed_in(primary, OrgType.UNIT)
    bdb, _, _ = await _signed_in(primary, OrgType.BDB)
    admin, _, admin_org = await _signed_in(primary, OrgType.BDB, admin=True)
    created = await _create(one, unit, "只读实施测试项目")
    project_gid = created.json()["data"]["projectCreate"]["project"]["id"]
    decoded = from_global_id(project_gid)
    assert decoded is not None
    project = decoded[1]
    documents, deliveries = approval_tables.approval_documents, sync_tables.webhook_deliveries
    now = datetime.now(UTC)
    document: dict[str, Any] = {
        "project_id": project,
        "type": "PROPOSAL",
        "status": "SUBMITTED",
        "path_rule": "R11.1",
        "requested_investment": 100,
        "submitted_at": now,
        "submitted_by_user_id": unit_user,
    }
    subscription_name = f"只读副本推送-{project}"
    async with primary.begin() as connection:
        await connection.execute(
            tables.projects.update().where(tables.projects.c.id == project).values(code=f"RR-{project}")
        )
        first_document = (
            await connection.execute(
                insert(documents).values(version=1, **document).returning(documents.c.id)
            )
        ).scalar_one()
        subscription = (
            await connection.execute(
                insert(sync_tables.webhook_subscriptions)
                .values(
                    organization_id=admin_org,
                    name=subscription_name,
                    url="https://example.org/hook",
                    secret="s" * 32,
                    event_types=["project:create"],
                )
                .returning(sync_tables.webhook_subscriptions.c.id)
            )
        ).scalar_one()
    await _replayed_everything(replica, primary)
    before = await _metrics(other)
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when the primary receives: an acceptance report file and a completed post-evaluation of the
        # project, a file on its document and a second document, an inspection's rectification order past
        # its deadline (an overdue obligation), and a delivery to the subscription
        event_id = str(uuid.uuid4())
        async with primary.begin() as connection:
            a = approval_tables.attachments
            file = {"content_type": "application/pdf", "size": 3, "sha256": "0" * 64, "storage": "s3"}
            await connection.execute(
                insert(a).values(
                    owner_type="AcceptanceReport",
                    owner_id=project,
                    label="CONSTRUCTION_SUMMARY",
                    filename="建设总结.pdf",
                    **file,
                )
            )
            await connection.execute(
                insert(a).values(
                    owner_type="ApprovalDocument", owner_id=first_document, filename="建议书.pdf", **file
                )
            )
            await connection.execute(
                insert(approval_tables.post_evaluations).values(
                    project_id=project,
                    unit_organization_id=unit_org,
                    score=88,
                    grade="GOOD",
                    completed_at=now,
                )
            )
            second_document = (
                await connection.execute(
                    insert(documents).values(version=2, **document).returning(documents.c.id)
                )
            ).scalar_one()
            await connection.execute(
                insert(supervision_tables.inspections).values(
                    project_id=project,
                    agency_organization_id=unit_org,
                    agency_role="audit",
                    subject="FUND_USE",
                    status="RECTIFICATION_ORDERED",
                    findings="只读副本逾期整改",
                    rectification_deadline=date.today() - timedelta(days=10),
                    opened_at=now - timedelta(days=40),
                    concluded_at=now - timedelta(days=40),
                )
            )
            event = (
                await connection.execute(
                    insert(sync_tables.webhook_events)
                    .values(
                        event_id=event_id,
                        event_type="project:create",
                        target_type="Project",
                        target_id=project,
                        occurred_at=now,
                        dispatched_at=now,
                    )
                    .returning(sync_tables.webhook_events.c.id)
                )
            ).scalar_one()
            # delivered already: no worker of these apps would send it (ASGITransport runs no lifespan anyway)
            await connection.execute(
                insert(deliveries).values(
                    event_id=event,
                    subscription_id=subscription,
                    payload={},
                    status="delivered",
                    attempts=1,
                    delivered_at=now,
                )
            )
        written = await _written(primary)  # past the commit
        # ... and the unit, the bureau and the administrator read them without, then with, that position
        first = to_global_id("ApprovalDocument", first_document)
        second = to_global_id("ApprovalDocument", second_document)
        reads: list[tuple[str, dict[str, Any], str]] = [
            (IMPLEMENTATION_READS, {"project": project_gid}, unit),
            (DOCUMENT_READS, {"document": first}, bdb),
            (DELIVERIES, {}, admin),
        ]
        stale = [await _data(other, query, variables, token) for query, variables, token in reads]
        stale_second = await other.gql(ONE_DOCUMENT, {"document": second}, token=bdb)
        fresh = [await _data(other, query, variables, token, written) for query, variables, token in reads]
        fresh_second = await _data(other, ONE_DOCUMENT, {"document": second}, bdb, written)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then every read came from the replica, which has none of the writes (the second document is not found
    # there) ...
    implementation, document_read, subscriptions = stale
    assert implementation == {
        "projectImplementation": {"acceptanceReportFiles": [], "postEvaluations": []},
        "dashboard": {"overdueObligationsByAgency": []},
    }
    assert document_read == {"approvalDocument": {"attachments": [], "unitPostEvaluations": []}}
    assert _deliveries(subscriptions, subscription_name) == []
    assert error_codes(stale_second) == ["NOT_FOUND"]
    # ... and whoever brings the writes' position reads them all
    implementation, document_read, subscriptions = fresh
    assert implementation == {
        "projectImplementation": {
            "acceptanceReportFiles": [
                {"report": "CONSTRUCTION_SUMMARY", "file": {"filename": "建设总结.pdf"}}
            ],
            "postEvaluations": [{"score": "88.00"}],
        },
        "dashboard": {
            "overdueObligationsByAgency": [{"key": to_global_id("Organization", unit_org), "count": 1}]
        },
    }
    assert document_read == {
        "approvalDocument": {
            "attachments": [{"filename": "建议书.pdf"}],
            "unitPostEvaluations": [{"projectName": "只读实施测试项目", "grade": "GOOD"}],
        }
    }
    assert _deliveries(subscriptions, subscription_name) == [{"eventId": event_id, "status": "delivered"}]
    assert fresh_second == {"approvalDocument": {"status": "SUBMITTED"}}
    after = await _metrics(other)
    assert _routed(after, "replica1", "rotation") - _routed(before, "replica1", "rotation") == 4
    assert _routed(after, "primary", "wait-timeout") - _routed(before, "primary", "wait-timeout") == 4


def _deliveries(subscriptions: dict[str, Any], name: str) -> list[dict[str, Any]]:
    (found,) = [
        edge["node"]
        for edge in subscriptions["webhookSubscriptions"]["edges"]
        if edge["node"]["name"] == name
    ]
    return found["deliveries"]  # type: ignore[no-any-return]


async def _data(
    api: Api, query: str, variables: dict[str, Any], token: str, position: str | None = None
) -> dict[str, Any]:
    """A query's data (no errors), echoing a WAL position if given."""
    headers = {"Authorization": f"Bearer {token}", **({POSITION: position} if position else {})}
    response = await api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def _listed(connection: dict[str, Any], field: str) -> list[Any]:
    return [edge["node"][field] for edge in connection["edges"]]


async def _written(primary: AsyncEngine) -> str:
    """The WAL position the primary's committed writes have reached (what a writer's client carries)."""
    async with primary.connect() as connection:
        return str((await connection.execute(text("SELECT pg_current_wal_insert_lsn()::text"))).scalar_one())


async def _replayed_everything(replica: ReplicaServer, primary: AsyncEngine) -> None:
    """The replica has replayed all the primary has written so far (the set-up's writes are on both)."""
    written = await _written(primary)
    deadline = time.monotonic() + 60  # bounds for a busy machine, not expectations
    while (parse_lsn(replica.sql("SELECT pg_last_wal_replay_lsn()::text")) or 0) < (parse_lsn(written) or 0):
        assert time.monotonic() < deadline, "the replica never caught up"
        await asyncio.sleep(0.05)


async def test_read_your_writes_waits_for_a_delayed_replica_and_reads_there(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given a replica that applies every commit one second late (real lag), and a process that may wait up
    # to ten seconds for it (a busy machine replays late on top of the delay)
    one, other = processes
    token = await _unit(primary)
    before = await _metrics(other)
    _replicas(other).wait_seconds = 10.0
    replica.sql("ALTER SYSTEM SET recovery_min_apply_delay = '1s'")
    replica.sql("SELECT pg_reload_conf()")
    try:
        # when a project is created, then listed at once through the other process without and with the
        # position the write answered
        created = await _create(one, token, "延迟副本测试项目")
        started = time.monotonic()
        stale = await _names(other, token)
        own = await _names(other, token, created.headers[POSITION])
        waited = time.monotonic() - started
    finally:
        replica.sql("ALTER SYSTEM RESET recovery_min_apply_delay")
        replica.sql("SELECT pg_reload_conf()")
        _replicas(other).wait_seconds = 0.2
    # then the lag is real for everyone else, and the writer's read waited for the replica to replay it
    assert stale == []
    assert own == ["延迟副本测试项目"]
    assert 0.2 < waited < 10.0
    after = await _metrics(other)
    assert _routed(after, "replica1", "waited") - _routed(before, "replica1", "waited") == 1
    assert _routed(after, "primary", "wait-timeout") == _routed(before, "primary", "wait-timeout")


async def test_lag_shows_in_metrics_and_readyz_and_a_replica_over_the_bound_leaves_rotation(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given processes that take a replica out beyond 0.3 s of lag, and a replica that stops replaying
    one, other = processes
    token = await _unit(primary)
    before = await _metrics(other)
    for api in processes:
        _replicas(api).max_lag_seconds = 0.3
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        # when a write leaves it behind for more than the bound
        await _create(one, token, "滞后测试项目")
        await asyncio.sleep(0.6)
        ready = await one.client.get("/readyz")
        behind = await _metrics(one)
        listed = await _names(other, token)  # the other process remembers nothing of this user
        after = await _metrics(other)
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    # then /readyz stays ready and reports the replica lagging, /metrics has its lag in bytes and seconds,
    # and reads go to the primary meanwhile
    assert ready.status_code == 200
    (report,) = ready.json()["replicas"]
    assert report["name"] == "replica1" and report["state"] == "lagging"
    assert report["lagBytes"] > 0 and report["lagSeconds"] >= 0.3
    assert behind[_replica1("yk_db_replica_lag_bytes")] > 0
    assert behind[_replica1("yk_db_replica_lag_seconds")] >= 0.3
    assert behind[_replica1("yk_db_replica_in_rotation")] == 0
    assert behind[_replica1("yk_db_replica_up")] == 1
    assert listed == ["滞后测试项目"]
    assert _routed(after, "primary", "none-in-rotation") - _routed(before, "primary", "none-in-rotation") == 1
    # and once it replays again it is back in rotation, its lag within the bounds (not exactly 0: the replica
    # copies the whole server, which other tests may be writing to at the same moment)
    try:
        deadline = time.monotonic() + 60
        while (report := (await one.client.get("/readyz")).json()["replicas"][0])["state"] != "ok":
            assert time.monotonic() < deadline, report
            await asyncio.sleep(0.05)
    finally:
        for api in processes:
            _replicas(api).max_lag_seconds = 5.0
    assert report["lagBytes"] < 64 * 1024 * 1024 and report["lagSeconds"] < 5.0


async def test_a_query_whose_replica_dies_is_answered_in_full_elsewhere_and_the_replica_leaves_rotation(
    replica: ReplicaServer, processes: tuple[Api, Api], primary: AsyncEngine
) -> None:
    # given two processes that have read a project from the replica (their pools hold replica connections),
    # whose watchers will not look at the replica before the next reads do
    one, other = processes
    token = await _unit(primary)
    await _create(one, token, "副本宕机测试项目")
    await _replayed_everything(replica, primary)
    assert await _names(other, token) == await _names(one, token) == ["副本宕机测试项目"]
    replicas = _replicas(other)
    for api in processes:
        await _replicas(api).watch_every(60)
    before, exporter_before = await _metrics(other), await _metrics(one)
    # when the replica dies
    replica.stop("immediate")
    try:
        # ... under a query routed to it by one process, and an export by the other (it is still in
        # rotation for both: nothing has looked since)
        first = await other.client.post(
            "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {token}"}
        )
        export = await one.client.get("/export/projects.ndjson", headers={"Authorization": f"Bearer {token}"})
        held_out = replicas.replicas[0].status.state
        after_first, exporter_after = await _metrics(other), await _metrics(one)
        for api in processes:
            await _replicas(api).watch_every(0.1)
        await asyncio.sleep(0.3)  # a few checks
        listed = await _names(other, token)
        ready = await other.client.get("/readyz")
        after = await _metrics(other)
    finally:
        replica.start()
        for api in processes:
            await _replicas(api).watch_every(0.1)
    # then the query is answered in full, with no error: once more on the primary (the only replica is out)
    assert first.status_code == 200, first.text
    assert first.json() == {"data": {"projects": {"edges": [{"node": {"name": "副本宕机测试项目"}}]}}}
    assert held_out == "down"
    # and so is the export, which had sent no rows yet
    assert export.status_code == 200 and [
        orjson.loads(line)["name"] for line in export.text.splitlines()
    ] == ["副本宕机测试项目"]
    assert _retried(exporter_after) - _retried(exporter_before) == 1
    assert _retried(after_first) - _retried(before) == 1
    assert _routed(after_first, "replica1", "rotation") - _routed(before, "replica1", "rotation") == 1
    assert (
        _routed(after_first, "primary", "none-in-rotation") - _routed(before, "primary", "none-in-rotation")
        == 1
    )
    # and the following reads are served by the primary while /readyz stays ready and reports it down
    assert listed == ["副本宕机测试项目"]
    assert ready.status_code == 200 and ready.json()["replicas"][0]["state"] == "down"
    assert after[_replica1("yk_db_replica_up")] == 0
    assert after[_replica1("yk_db_replica_in_rotation")] == 0
    assert _retried(after) == _retried(after_first)  # nothing more was lost: they went to the primary
    assert _routed(after, "primary", "none-in-rotation") > _routed(after_first, "primary", "none-in-rotation")


async def test_a_replica_that_lost_a_read_stays_out_for_one_check_interval_though_it_answers(
    replica: ReplicaServer, processes: tuple[Api, Api]
) -> None:
    # given a replica that answers, in a process that checks every second and has just lost a read on it
    _, other = processes
    replicas = _replicas(other)
    (first,) = replicas.replicas
    deadline = time.monotonic() + 60  # back from the previous test's restart
    while not first.status.in_rotation:
        assert time.monotonic() < deadline, first.status
        await asyncio.sleep(0.05)
    await replicas.watch_every(1.0)
    try:
        first.mark_down("a read lost its connection")
        marked = time.monotonic()
        # when it is checked at once, and then until it is back (a busy machine may also lag it out a while)
        await replicas.check()
        at_once = first.status.in_rotation
        while not first.status.in_rotation:
            assert time.monotonic() < marked + 60, first.status
            await asyncio.sleep(0.05)
            await replicas.check()
        out_for = time.monotonic() - marked
    finally:
        await replicas.watch_every(0.1)
    # then it stays out until a whole interval has passed, then comes back
    assert at_once is False
    assert out_for >= 1.0


async def test_only_a_lost_connection_counts_as_the_replicas_failure_not_a_statement_error_or_timeout(
    replica: ReplicaServer, replicated_database: str
) -> None:
    # given a replica's engine with a 100 ms statement timeout, and one whose address nothing answers at
    database = str(make_url(replicated_database).database)
    alive = Replica("replica7", make_engine(replica.url(database, roles.RUNTIME), statement_timeout_ms=100))
    nowhere = embedded.socket_url(str(replica.data_dir), replica.port + 66, database, roles.RUNTIME)
    dead = Replica("replica8", make_engine(nowhere))
    alive.status.state = dead.status.state = "ok"
    try:
        # when a statement fails, a statement times out, and a connection is refused
        failures = []
        for engine_of, statement in (
            (alive, "SELECT 1 / 0"),
            (alive, "SELECT pg_sleep(1)"),
            (dead, "SELECT 1"),
        ):
            with pytest.raises(Exception) as caught:
                async with engine_of.read_session_factory() as session:
                    await session.execute(text(statement))
            failures.append(caught.value)
    finally:
        await alive.engine.dispose()
        await dead.engine.dispose()
    # then only the refusal is the replica's failure: tagged with its name, and out of rotation
    assert [lost_on(failure) for failure in failures] == [None, None, "replica8"]
    assert alive.status.in_rotation is True
    assert dead.status.state == "down"


async def test_without_replicas_nothing_changes(api: Api) -> None:
    # given the default settings (no YK_REPLICA_URLS)
    # when the readiness probe and a mutation answer
    ready = await api.client.get("/readyz")
    refused = await api.post(CREATE, {"input": draft_input()})
    # then there is no replica report and no WAL position header
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert refused.status_code == 200 and POSITION not in refused.headers


def test_wal_positions_parse_and_print_as_postgresql_writes_them() -> None:
    # given / when / then: pg_lsn's text form round-trips, and only well-formed headers count
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert format_lsn(parse_lsn("16/B374D848") or 0) == "16/B374D848"
    assert header_position({"headers": [(b"x-yk-wal-position", b"0/3000148")]}) == 0x3000148
    assert header_position({"headers": [(b"x-yk-wal-position", b"99999999999/0")]}) is None
    assert header_position({"headers": []}) is None


def test_recent_writes_are_bounded_and_short_lived() -> None:
    # given a memory of two principals for a moment
    recent = RecentWrites(seconds=0.05, max_entries=2)
    # when three write, one of them twice (an older position never moves it back)
    recent.remember("user:1", 100)
    recent.remember("user:2", 200)
    recent.remember("user:2", 150)
    recent.remember("user:3", 300)
    # then the least recent is forgotten first, and everything after its time
    assert (recent.get("user:1"), recent.get("user:2"), recent.get("user:3")) == (None, 200, 300)
    assert len(recent) == 2
    time.sleep(0.06)
    assert recent.get("user:3") is None


def test_replica_urls_are_read_comma_separated_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # given two replicas in YK_REPLICA_URLS, with the spaces people type
    monkeypatch.setenv("YK_REPLICA_URLS", "postgresql://yingkou_app@r1/yk, postgresql://yingkou_app@r2/yk ,")
    # when the settings are read
    settings = Settings()
    # then each is one replica, in order
    assert settings.replica_urls == ["postgresql://yingkou_app@r1/yk", "postgresql://yingkou_app@r2/yk"]
    assert Settings(replica_urls=[]).replica_urls == []
