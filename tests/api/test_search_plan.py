"""The project search's plan does not hinge on which names ANALYZE put into the statistics (issue 17).

The planner estimates `name ILIKE '%word%'` as the share of the column's histogram entries that match. With
the default ~100 entries, a rare word that happens to be one of them is estimated at 1 % of the table and the
planner walks the primary key backwards hoping to meet 21 matches soon (measured at 100,000 projects: 22,201
rows filtered, ~250 ms, against ~1 ms through the trigram index). Migration 0012 keeps 1,000 entries.
With at most 30,000 rows ANALYZE reads every row, so the histogram below is the same on every run.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text

from api.graphql.projects.ordering import search_clause
from domain.actors import OrgType
from store import tables
from tests.utils import make_org

PROJECTS = 20_000  # five-digit numbers from 10,000: '项目12345' names one project only


async def _seed(session_factory, count: int) -> None:  # type: ignore[no-untyped-def]
    org = await make_org(session_factory, OrgType.UNIT)
    async with session_factory() as session, session.begin():
        await session.execute(
            text("""
                INSERT INTO projects (code, year, name, kind, category, funding_source, total_investment,
                    lead_organization_id, deploys_on_government_cloud, connects_resource_platform, status,
                    created_at, updated_at, version)
                SELECT 'YK-2026-' || lpad(g::text, 6, '0'), 2026, '营口市政务信息化项目' || g, 'BUILD',
                       'BUSINESS_SYSTEM', 'FISCAL', 100000, :org, true, true, 'DRAFT', now(), now(), 1
                FROM generate_series(1, :count) g"""),
            {"org": org, "count": count},
        )
    async with session_factory() as session:
        # VACUUM also merges the trigram indexes' pending lists, which the planner counts as extra cost
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await connection.execute(text("VACUUM ANALYZE projects"))


async def _plan(session_factory, words: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every node of the plan of the list's page statement (projects with their lead unit, newest first)."""
    p, o = tables.projects, tables.organizations
    stmt = (
        select(p.c.id, o.c.name)
        .join(o, o.c.id == p.c.lead_organization_id)
        .where(search_clause(words))
        .order_by(p.c.id.desc())
        .limit(21)
    )
    async with session_factory() as session:
        dialect = session.get_bind().dialect
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        raw = (await session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"))).scalar_one()
    nodes, todo = [], [(raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def _walks_the_key(nodes: list[dict[str, Any]]) -> bool:
    return any(
        n["Node Type"] == "Index Scan" and n.get("Index Name") == "pk_projects" and "Filter" in n
        for n in nodes
    )


async def test_a_rare_word_the_histogram_sampled_is_still_searched_through_the_trigram_index(
    owner_session_factory,
):
    session_factory = owner_session_factory  # ANALYZE is the table owner's; the runtime role's is skipped
    # given 20,000 projects and a word naming one project whose name is an entry of the statistics' histogram
    await _seed(session_factory, PROJECTS)
    async with session_factory() as session:
        bounds = (
            await session.execute(
                text("""SELECT histogram_bounds::text::text[] FROM pg_stats
                        WHERE tablename = 'projects' AND attname = 'name'""")
            )
        ).scalar_one()
    sampled = next(name for name in bounds if len(name.removeprefix("营口市政务信息化项目")) == 5)
    word = "项目" + sampled.removeprefix("营口市政务信息化项目")
    # when the list's search statement for that word is planned
    nodes = await _plan(session_factory, word)
    # then it reads the name's trigram index and does not walk the primary key filtering every row
    assert any(n.get("Index Name") == "ix_projects_name_trgm" for n in nodes), nodes
    assert not _walks_the_key(nodes), nodes


async def test_a_word_every_project_contains_still_stops_after_one_page(owner_session_factory):
    session_factory = owner_session_factory  # ANALYZE is the table owner's; the runtime role's is skipped
    # given 20,000 projects, every name containing 政务
    await _seed(session_factory, PROJECTS)
    # when the search for 政务 is planned
    nodes = await _plan(session_factory, "政务")
    # then it walks the primary key newest first and stops after a page, rather than sorting 20,000 matches
    assert _walks_the_key(nodes), nodes
