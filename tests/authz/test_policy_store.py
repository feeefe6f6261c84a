"""The policy in the database: seeded from policy.csv once per line, loaded, followed via LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import itertools

from sqlalchemy import text

from authz import policy_admin, policy_store, scopes
from authz.enforcer import POLICY_PATH, Authorizer
from authz.listener import PolicyListener, asyncpg_connector
from authz.operations import Operation
from authz.policy_lines import PolicyLine, read_policy_file
from domain.actors import ADMIN_ROLE, Actor, OrgType
from store.uow import SqlUnitOfWork

ADMIN = Actor(user_id=None, organization_id=0, role=ADMIN_ROLE, username="test-admin")
ADMIN2 = Actor(user_id=None, organization_id=0, role=ADMIN_ROLE, username="test-admin-2")
UNIT = Actor(user_id=1, organization_id=1, role="unit", username="u")
LEAD = frozenset({scopes.ANY, scopes.LEAD})


async def _seed(factory, lines) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session, session.begin():
        return await policy_store.seed_from_file(session, lines)


async def _rule_id(factory, line_text: str) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        rules, _ = await policy_store.load(session)
    return next(r.id for r in rules if r.line.text == line_text)


async def _eventually(condition, seconds: float = 3.0) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def test_seeding_copies_each_file_line_once_and_a_removed_line_stays_removed(session_factory, clock):
    # given the database seeded from the file, and one line removed by an administrator
    lines = read_policy_file(POLICY_PATH)
    assert await _seed(session_factory, lines) == len(lines)
    rule_id = await _rule_id(session_factory, "p, unit, project:create, lead, 第七条")
    uow = SqlUnitOfWork(session_factory, actor=ADMIN, clock=clock, request_id="t")
    await policy_admin.remove_rule(uow=uow, rule_id=rule_id)
    # when the next start-up seeds again from a file that gained one line
    added = PolicyLine("p", ("evaluator", "project:read", "any", "第十三条"))
    copied = await _seed(session_factory, [*lines, added])
    # then only the new line is copied, and the removed one is not brought back
    async with session_factory() as session:
        rules, version = await policy_store.load(session)
    texts = {r.line.text for r in rules}
    assert copied == 1
    assert added.text in texts and "p, unit, project:create, lead, 第七条" not in texts
    assert version == 3


async def test_authorizer_loaded_from_the_database_decides_like_the_file(session_factory):
    # given the seeded database and an authorizer that loads it
    await _seed(session_factory, read_policy_file(POLICY_PATH))
    from_file, from_db = Authorizer(), Authorizer()
    await policy_admin.apply_database_policy(from_db, session_factory)
    # when every role's grants of every operation are compared (decisions follow from them, see test_explain)
    roles = [t.value for t in OrgType] + [ADMIN_ROLE]
    differences = [
        (role, op)
        for role, op in itertools.product(roles, Operation)
        if set(from_file.grants(role, op)) != set(from_db.grants(role, op))
    ]
    # then the answers are the same, under the database's version
    assert from_db.version == 1
    assert differences == []


async def test_listener_applies_committed_changes_and_recovers_after_losing_its_connection(
    session_factory, database_url, clock
):
    # given a process following the database policy
    await _seed(session_factory, read_policy_file(POLICY_PATH))
    authorizer = Authorizer()
    listener = PolicyListener(
        authorizer=authorizer,
        session_factory=session_factory,
        connect=asyncpg_connector(database_url),
        retry_seconds=0.05,
    )
    await listener.start()
    try:
        assert authorizer.allowed(UNIT, Operation.PROJECT_CREATE, LEAD)
        await _eventually(lambda: listener._connection is not None)
        # when another process removes the unit's project:create line
        rule_id = await _rule_id(session_factory, "p, unit, project:create, lead, 第七条")
        await policy_admin.remove_rule(
            uow=SqlUnitOfWork(session_factory, actor=ADMIN, clock=clock, request_id="t"), rule_id=rule_id
        )
        # then this process refuses it without being told anything else
        assert await _eventually(lambda: not authorizer.allowed(UNIT, Operation.PROJECT_CREATE, LEAD))
        # when its listening connection is killed (as by a database restart) and a line is added meanwhile
        async with session_factory() as session, session.begin():
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'yingkou-policy-listener' "
                    "AND datname = current_database()"
                )
            )
        change = await policy_admin.propose_rule(
            uow=SqlUnitOfWork(session_factory, actor=ADMIN, clock=clock, request_id="t"),
            authorizer=authorizer,
            line=PolicyLine("p", ("unit", "project:create", "lead", "第七条")),
        )
        await policy_admin.approve_change(
            uow=SqlUnitOfWork(session_factory, actor=ADMIN2, clock=clock, request_id="t"),
            authorizer=authorizer,
            change_id=change.id,
        )
        # then it reconnects and catches up
        assert await _eventually(lambda: authorizer.allowed(UNIT, Operation.PROJECT_CREATE, LEAD))
        assert listener.reconnects >= 1
    finally:
        await listener.stop()


async def test_a_rolled_back_change_is_never_announced(session_factory):
    # given a process following the database policy
    await _seed(session_factory, read_policy_file(POLICY_PATH))
    authorizer = Authorizer()
    await policy_admin.apply_database_policy(authorizer, session_factory)
    # when a change bumps the version but its transaction rolls back
    async with session_factory() as session, session.begin():
        await policy_store.bump_version(session)
        await session.rollback()
    await policy_admin.apply_database_policy(authorizer, session_factory)
    # then the version in force is unchanged
    assert authorizer.version == 1
