"""The compiled project list (issue 17) answers byte for byte as the generic strawberry path, for every role:
the bench's list in one statement, field rules and unknown selections by the generic path, errors included."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.graphql.common import to_global_id
from api.graphql.projects.compiled import ANSWERS, _plans
from bench.list_vs_raw import QUERY as BENCH_QUERY
from tests.api.compiled_list_helpers import ROLES, Seeded, seed


@pytest.fixture(scope="module")
async def seeded(template_database: str) -> AsyncIterator[Seeded]:
    async for value in seed(template_database, "compiled"):
        yield value


async def both(
    seeded: Seeded, query: str, variables: dict[str, Any], role: str | None, lang: str | None = None
):
    """The answers of the compiled API and of the generic one: (status, body bytes) each."""
    token = seeded.token[role] if role else None
    on = await seeded.on.post(query, variables, token=token, lang=lang)
    off = await seeded.off.post(query, variables, token=token, lang=lang)
    return (on.status_code, on.content), (off.status_code, off.content)


@contextlib.contextmanager
def statements_run(engine: AsyncEngine) -> Iterator[tuple[list[str], list[str]]]:
    """The statements run through SQLAlchemy, and those run straight on the driver (asyncpg's query logger
    on every connection checked out of the pool meanwhile: the compiled list runs its statement there)."""
    through_sqlalchemy: list[str] = []
    on_driver: list[str] = []
    hooked: list[Any] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        through_sqlalchemy.append(statement)

    def logged(record: Any) -> None:
        on_driver.append(record.query)

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(logged)
        hooked.append(driver)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    event.listen(engine.sync_engine, "checkout", checkout)
    try:
        yield through_sqlalchemy, on_driver
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        event.remove(engine.sync_engine, "checkout", checkout)
        for driver in hooked:
            driver.remove_query_logger(logged)


async def test_the_bench_list_is_compiled_into_one_statement_for_every_role(seeded: Seeded) -> None:
    for role in ROLES:
        # given the bench's list query (bench/list_vs_raw.py) as this role
        before = ANSWERS["compiled"]
        with statements_run(seeded.engine) as (through_sqlalchemy, on_driver):
            # when both APIs answer it
            on = await seeded.on.post(BENCH_QUERY, {"n": 50}, token=seeded.token[role])
            await asyncio.sleep(0)  # the query logger reports on the loop's next turn
        off = await seeded.off.post(BENCH_QUERY, {"n": 50}, token=seeded.token[role])
        # then the compiled path answered it, in one statement on the driver, with the generic path's bytes
        assert ANSWERS["compiled"] == before + 1, role
        assert through_sqlalchemy == [], (role, through_sqlalchemy)
        reads = [statement for statement in on_driver if "projects" in statement]
        assert len(reads) == 1, (role, on_driver)
        assert "string_agg" in reads[0]
        assert on.status_code == off.status_code == 200
        assert on.content == off.content, role
        assert "errors" not in on.json()


VALUES_QUERY = """query($n: Int, $after: String, $filter: ProjectFilter) {
  projects(first: $n, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code leadOrganization { id } } } } }"""


async def test_one_kept_statement_answers_each_request_with_its_own_values(seeded: Seeded) -> None:
    # given one document asked in three shapes, each twice with other values: two units of one role (the lead
    # scope binds the organization), two cursors, two lead-unit filters — the pairs taking turns
    lead = {role: to_global_id("Organization", seeded.org[role]) for role in ("unit", "unit2")}
    cursors = seeded.cursors[None]
    pairs = [
        (("unit", {"n": 3}), ("unit2", {"n": 3})),
        (("bdb", {"n": 2, "after": cursors[1]}), ("bdb", {"n": 2, "after": cursors[6]})),
        (
            ("bdb", {"n": 3, "filter": {"leadOrganizationId": lead["unit"]}}),
            ("bdb", {"n": 3, "filter": {"leadOrganizationId": lead["unit2"]}}),
        ),
    ]
    before = ANSWERS["compiled"]
    # when the compiled API answers them in turn
    answers = [
        [(await seeded.on.post(VALUES_QUERY, v, token=seeded.token[role])).content for role, v in pair]
        for pair in pairs
    ]
    # then every request got its own page: the generic path's bytes for its values, not its pair's
    for pair, pair_answers in zip(pairs, answers, strict=True):
        for (role, variables), answer in zip(pair, pair_answers, strict=True):
            generic = await seeded.off.post(VALUES_QUERY, variables, token=seeded.token[role])
            assert answer == generic.content, (role, variables)
            assert "errors" not in orjson.loads(answer), answer
        assert pair_answers[0] != pair_answers[1], pair
    # and each role's plan kept one statement a shape, compiled once, for both requests of each pair
    assert ANSWERS["compiled"] == before + 6
    kept = {role: _plans[(VALUES_QUERY, None, role)][1].fields[0][1].statements for role in ("unit", "bdb")}
    assert (len(kept["unit"]), len(kept["bdb"])) == (1, 2)


async def test_a_policy_change_is_a_new_shape_of_the_kept_statement(seeded: Seeded) -> None:
    # given unit2's list compiled under the policy file (it leads some projects and takes part in others)
    query = "{ projects(first: 100) { totalCount nodes { id code } } }"
    wide = (await seeded.on.post(query, token=seeded.token["unit2"])).json()["data"]["projects"]
    originals = [(authorizer, authorizer.lines, authorizer.version) for authorizer in seeded.authorizers]
    narrower = [
        line for line in originals[0][1] if line.values[:3] != ("unit", "project:read", "participant")
    ]
    try:
        for authorizer, _, version in originals:
            authorizer.load(narrower, version=version + 1)
        # when the policy in force no longer lets a unit read the projects it only takes part in
        on = await seeded.on.post(query, token=seeded.token["unit2"])
        off = await seeded.off.post(query, token=seeded.token["unit2"])
    finally:
        for authorizer, lines, version in originals:
            authorizer.load(lines, version=version)
    # then the compiled list follows it at once: the generic path's bytes, fewer projects than before
    assert on.content == off.content
    assert on.json()["data"]["projects"]["totalCount"] < wide["totalCount"]


async def test_the_compiled_path_can_be_switched_off(seeded: Seeded) -> None:
    # given YK_COMPILED_LIST=0 on the second API
    before = ANSWERS["compiled"]
    # when it answers the bench's list
    body = await seeded.off.data(BENCH_QUERY, {"n": 5}, token=seeded.token["audit"])
    # then the generic path did
    assert ANSWERS["compiled"] == before
    assert len(body["projects"]["edges"]) == 5


async def test_outside_production_a_request_may_ask_for_the_generic_path(seeded: Seeded) -> None:
    # given the header the bench sends for its "compiled path off" runs
    headers = {"Authorization": f"Bearer {seeded.token['audit']}", "X-Compiled-List": "off"}
    before = dict(ANSWERS)
    # when the compiled API answers the bench's list with it
    response = await seeded.on.client.post(
        "/graphql", json={"query": BENCH_QUERY, "variables": {"n": 5}}, headers=headers
    )
    # then the generic path answered, with the compiled path's bytes
    assert ANSWERS["compiled"] == before["compiled"]
    assert ANSWERS["generic"] == before["generic"] + 1
    compiled = await seeded.on.post(BENCH_QUERY, {"n": 5}, token=seeded.token["audit"])
    assert response.content == compiled.content


async def test_a_field_under_a_field_rule_is_left_to_the_generic_path(seeded: Seeded) -> None:
    # given a list asking for the contact's phone (project:contact:read: the lead unit and bdb only)
    query = "{ projects(first: 3) { edges { node { id contact { phone } } } } }"
    before = ANSWERS["compiled"]
    # when finance (no such grant) asks through both APIs
    (on_status, on_body), (off_status, off_body) = await both(seeded, query, {}, "finance")
    # then the generic path answered: null phones with FORBIDDEN errors, the same bytes from both
    assert ANSWERS["compiled"] == before
    assert (on_status, on_body) == (off_status, off_body)
    assert b"FORBIDDEN" in on_body


async def test_an_unauthenticated_list_is_refused_as_before(seeded: Seeded) -> None:
    # when the bench's list is asked for without a credential
    (on_status, on_body), (off_status, off_body) = await both(seeded, BENCH_QUERY, {"n": 5}, None)
    # then both refuse it the same way
    assert (on_status, on_body) == (off_status, off_body)
    assert b"UNAUTHENTICATED" in on_body


async def test_metrics_count_the_answers_of_each_path(seeded: Seeded) -> None:
    # given a compiled list answered in this process
    await seeded.on.data(BENCH_QUERY, {"n": 2}, token=seeded.token["bdb"])
    # when /metrics is scraped (loopback, development)
    response = await seeded.on.client.get("/metrics")
    # then it shows how many operations each path answered
    compiled = [
        line for line in response.text.splitlines() if line.startswith("yk_graphql_compiled_list_answers")
    ]
    assert (
        f'yk_graphql_compiled_list_answers_total{{path="compiled"}} {float(ANSWERS["compiled"])}' in compiled
    )


async def test_postgresql_escapes_text_exactly_as_orjson_does(seeded: Seeded) -> None:
    # given every ASCII character but NUL (PostgreSQL text cannot hold it), and non-ASCII ones
    every = "".join(chr(i) for i in range(1, 0x80)) + "é中文😀\u2028\u2029\ufeff\U0010ffff"
    # when PostgreSQL writes it as JSON, as the compiled list does
    async with seeded.engine.connect() as connection:
        written = (
            await connection.execute(text("SELECT to_json(CAST(:s AS text))::text"), {"s": every})
        ).scalar()
    # then it is orjson's text, byte for byte
    assert written == orjson.dumps(every).decode()


EVERY_FIELD = """query($first: Int, $last: Int, $after: String, $before: String, $orderBy: ProjectOrder) {
  projects(first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { %s leadOrganization { id name type district __typename } } } } }"""


async def test_every_compiled_field_reads_as_the_generic_path_in_every_ordering(seeded: Seeded) -> None:
    # given a list of every field the compiler serves, each role, each ordering, both directions and a
    # second page through the first page's cursor
    query = EVERY_FIELD % " ".join(PLAIN)
    cases: list[tuple[str, dict[str, Any]]] = [(role, {"first": 7}) for role in ROLES]
    cases += [("unit", {"last": 4}), ("audit", {"last": 4})]
    for field in ORDER_FIELDS:
        cases += [
            ("audit", {"first": 6, "orderBy": {"field": field}}),
            ("bdb", {"last": 6, "orderBy": {"field": field, "direction": "DESC"}}),
        ]
    before = ANSWERS["compiled"]
    for role, variables in cases:
        # when both APIs answer the page and the page after (or before) it
        (on_status, on_body), (off_status, off_body) = await both(seeded, query, variables, role)
        # then the bytes are the same
        assert (on_status, on_body) == (off_status, off_body), (role, variables)
        info = orjson.loads(on_body)["data"]["projects"]["pageInfo"]
        turn = {"after": info["endCursor"]} if "first" in variables else {"before": info["startCursor"]}
        if info["endCursor"] is not None:
            second = await both(seeded, query, variables | turn, role)
            assert second[0] == second[1], (role, variables, turn)
    # and every one of them was compiled
    assert ANSWERS["compiled"] - before >= len(cases)


# ---- property: drawn selections and arguments, every role, the same bytes from both paths ----

PLAIN = [
    "id",
    "code",
    "name",
    "description",
    "kind",
    "category",
    "fundingSource",
    "totalInvestment",
    "deploysOnGovernmentCloud",
    "connectsResourcePlatform",
    "platformExemptionReason",
    "status",
    "statusLabel",
    "year",
    "version",
    "submittedAt",
    "createdAt",
    "updatedAt",
    "planYear",
    "approvalDate",
    "approvedInvestment",
    "classified",
    "operationStartedOn",
    "planDeferred",
    "__typename",
]
ORGANIZATION = ["id", "name", "type", "district", "__typename"]
# Selections the compiler leaves to the generic path (resolvers, a field rule, arguments, a directive).
GENERIC = (
    "contact { name }",
    "contact { email }",
    "participants { businessFlow }",
    "mayStartConstruction",
    "code @include(if: true)",
    "timeline { operation }",
)
ORDER_FIELDS = ("CODE", "NAME", "UPDATED_AT", "TOTAL_INVESTMENT", "CREATED_AT")
STATUSES = ("DRAFT", "RESERVE_REVIEW", "IN_RESERVE", "PLANNED", "APPROVED", "SUSPENDED", "BOGUS")

aliases = st.sampled_from(["", "", "", "a1: ", "b2: ", "x: "])


@st.composite
def fields(draw: st.DrawFn, names: list[str], nested: bool) -> str:
    """A selection: fields with optional aliases, the lead unit, fragments, now and then a generic one."""
    chosen: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["plain"] * 6 + (["org", "fragment", "generic"] if nested else [])))
        if kind == "plain":
            chosen.append(draw(aliases) + draw(st.sampled_from(names)))
        elif kind == "org":
            chosen.append(draw(aliases) + "leadOrganization { " + draw(fields(ORGANIZATION, False)) + " }")
        elif kind == "fragment":
            condition = draw(st.sampled_from(["Project", "Node"]))
            inner = draw(fields(PLAIN, False)) if condition == "Project" else "id"
            chosen.append(f"... on {condition} {{ {inner} }}")
        elif draw(st.integers(0, 3)) == 0:
            chosen.append(draw(st.sampled_from(GENERIC)))
    return " ".join(chosen)


@st.composite
def connection(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(draw(aliases) + "totalCount")
    if draw(st.booleans()):
        info = draw(
            st.lists(
                st.sampled_from(["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]),
                min_size=1,
                max_size=4,
            )
        )
        parts.append("pageInfo { " + " ".join(info) + " }")
    if draw(st.booleans()):
        edge = []
        if draw(st.booleans()):
            edge.append("cursor")
        if draw(st.integers(0, 5)) == 0:
            edge.append("__typename")
        edge.append("node { " + draw(fields(PLAIN, True)) + " }")
        parts.append(draw(aliases) + "edges { " + " ".join(edge) + " }")
    if draw(st.booleans()) or not parts:
        parts.append(draw(aliases) + "nodes { " + draw(fields(PLAIN, True)) + " }")
    if draw(st.integers(0, 6)) == 0:
        parts.append("__typename")
    return " ".join(parts)


@st.composite
def arguments(draw: st.DrawFn, seeded_cursors: dict[str | None, list[str]]) -> dict[str, Any]:
    # Mostly valid, so most draws reach the compiled path; the invalid ones check the refusals match.
    sizes = st.sampled_from([None, 1, 2, 5, 20, 50, 100] * 3 + [0, 101, -1])
    variables: dict[str, Any] = {}
    backwards = draw(st.integers(0, 3)) == 0
    variables["first"] = None if backwards and draw(st.booleans()) else draw(sizes)
    variables["last"] = draw(sizes) if backwards else None
    order = None
    if draw(st.booleans()):
        order = {"field": draw(st.sampled_from(ORDER_FIELDS))}
        if draw(st.booleans()):
            order["direction"] = draw(st.sampled_from(["ASC", "DESC"]))
        variables["orderBy"] = order
    for name in ("after", "before"):
        kind = draw(st.sampled_from(["none"] * 4 + ["valid"] * 3 + ["other", "garbage"]))
        if kind == "valid":
            variables[name] = draw(st.sampled_from(seeded_cursors[order["field"] if order else None]))
        elif kind == "other":
            variables[name] = draw(
                st.sampled_from(seeded_cursors[draw(st.sampled_from([None, *ORDER_FIELDS]))])
            )
        elif kind == "garbage":
            variables[name] = draw(st.sampled_from(["abc", "WzFd", "WyJ4IiwxXQ==", "W251bGwsMV0=", ""]))
    if draw(st.booleans()):
        flt: dict[str, Any] = {}
        for key, values in {
            "status": st.lists(st.sampled_from(STATUSES), max_size=3),
            "year": st.sampled_from([2026, 2026, 2025, 99999]),
            "kind": st.sampled_from(["BUILD", "OPERATION_MAINTENANCE", "UPGRADE"]),
            "fundingSource": st.sampled_from(["FISCAL", "PPP"]),
            "investmentMin": st.sampled_from(["1000002.00", "1000002.00", "0.01", "abc"]),
            "investmentMax": st.sampled_from(["1000004.02", "99999999999999.99"]),
            "search": st.sampled_from(["测试", "项目1", "%", "_", "\\", '"', "  ", "YK-2026"]),
            "leadOrganizationId": st.sampled_from(["T3JnYW5pemF0aW9uOjE", "UHJvamVjdDox", "bad"]),
            "hasOverdueObligations": st.booleans(),  # the obligations' scopes, today and the organization
        }.items():
            if draw(st.integers(0, 3)) == 0:
                flt[key] = draw(values)
        variables["filter"] = flt
    return variables


LIST_QUERY = (
    "query($first: Int, $after: String, $last: Int, $before: String, $filter: ProjectFilter, "
    "$orderBy: ProjectOrder) {{ {roots} }}"
)
ARGS = "(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy)"


@st.composite
def requests(
    draw: st.DrawFn, seeded_cursors: dict[str | None, list[str]]
) -> tuple[str, dict[str, Any], str | None, str | None]:
    roots = [draw(aliases) + "projects" + ARGS + " { " + draw(connection()) + " }"]
    extra = draw(st.integers(0, 7))
    if extra == 0:
        roots.append("other: projects(first: 3) { nodes { id name } }")
    elif extra == 1:
        roots.append("__typename")
    elif extra == 2:
        roots.append("rateLimit { limit }")
    query = LIST_QUERY.format(roots=" ".join(roots))
    role = draw(st.sampled_from([*ROLES, "audit", "bdb", "unit", None]))  # more of those who see many
    lang = draw(st.sampled_from([None, None, "en"]))
    return query, draw(arguments(seeded_cursors)), role, lang


DRAWN: dict[str, int] = {"requests": 0, "compiled": 0}


@settings(
    max_examples=100,
    derandomize=True,  # the same draws on every run: CI is reproducible
    database=None,  # and nothing remembered between runs
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_drawn_lists_answer_the_same_bytes_from_both_paths_for_every_role(
    seeded: Seeded, data: st.DataObject
) -> None:
    # given a drawn list request (selection, aliases, fragments, arguments valid or not) of a drawn role
    query, variables, role, lang = data.draw(requests(seeded.cursors))
    before = ANSWERS["compiled"]
    # when both APIs answer it
    on, off = await both(seeded, query, variables, role, lang)
    # then the answers are the same bytes, data and errors, with the same status
    assert on == off, (query, variables, role)
    DRAWN["requests"] += 1
    DRAWN["compiled"] += ANSWERS["compiled"] - before


def test_the_drawn_lists_exercised_the_compiled_path() -> None:
    # given the property test above ran (in this module's order)
    if not DRAWN["requests"]:
        pytest.skip("the property test did not run")
    # then a good share of its draws were answered by the compiled path (the rest by the generic one)
    assert DRAWN["compiled"] >= DRAWN["requests"] // 3, DRAWN
