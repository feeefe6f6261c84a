"""orderBy: NAME in pinyin order (issue 15.4): the app writes the pinyin key on create and rename, the list
sorts by it and the keyset cursor walks it across page boundaries in both directions."""

from __future__ import annotations

from sqlalchemy import select

from store import tables
from store.sort_keys import name_sort_key
from tests.api.projects_helpers import UPDATE, create
from tests.utils import make_agencies

LIST = """query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!) {
  projects(first: $first, after: $after, last: $last, before: $before,
           orderBy: {field: NAME, direction: $dir}) {
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { node { id name } } } }"""

# By code point 上(4E0A) < 北(5317) < 营(8425) < 重(91CD) < 长(957F); in pinyin bei < chang < chong < shang < ying.
NAMES = ["营口", "上海", "北京", "重庆", "长春", "北京市"]
PINYIN_ORDER = ["北京", "北京市", "长春", "重庆", "上海", "营口"]


async def _walk(api, token, direction: str, size: int) -> list[str]:
    """Every name, page by page (forward), following endCursor."""
    names: list[str] = []
    after = None
    while True:
        page = (await api.data(LIST, {"first": size, "after": after, "dir": direction}, token=token))[
            "projects"
        ]
        names += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return names
        after = page["pageInfo"]["endCursor"]


async def _walk_back(api, token, size: int) -> list[str]:
    """Every name, page by page from the end (last/before), in ascending order."""
    names: list[str] = []
    before = None
    while True:
        page = (await api.data(LIST, {"last": size, "before": before, "dir": "ASC"}, token=token))["projects"]
        names = [e["node"]["name"] for e in page["edges"]] + names
        if not page["pageInfo"]["hasPreviousPage"]:
            return names
        before = page["pageInfo"]["startCursor"]


async def test_names_sort_in_pinyin_order_across_page_boundaries_both_ways(api, session_factory):
    # given six projects created through the API, polyphonic 重庆 (chong) and 长春 (chang) among them
    a = await make_agencies(api, session_factory, "unit")
    for name in NAMES:
        await create(api, a.token["unit"], name=name)
    # when the list is walked by name two at a time, forwards, backwards and descending
    ascending = await _walk(api, a.token["unit"], "ASC", 2)
    backwards = await _walk_back(api, a.token["unit"], 4)
    descending = await _walk(api, a.token["unit"], "DESC", 4)
    # then 北京 < 北京市 < 长春 < 重庆 < 上海 < 营口 (not code-point order), every page joined without a gap
    assert sorted(NAMES) != PINYIN_ORDER
    assert ascending == PINYIN_ORDER
    assert backwards == PINYIN_ORDER
    assert descending == PINYIN_ORDER[::-1]


async def test_a_rename_moves_the_project_to_its_new_pinyin_place(api, session_factory):
    # given 北京 and 营口
    a = await make_agencies(api, session_factory, "unit")
    beijing = await create(api, a.token["unit"], name="北京")
    await create(api, a.token["unit"], name="营口")
    # when 北京 is renamed 重要系统 (this 重 reads zhong, unlike the chong of 重庆)
    renamed = await api.data(
        UPDATE, {"input": {"projectId": beijing["id"], "name": "重要系统"}}, token=a.token["unit"]
    )
    listed = (await api.data(LIST, {"first": 10, "dir": "ASC"}, token=a.token["unit"]))["projects"]
    # then it moves behind 营口 (zhong yao > ying kou), and the stored key is the one the app computes
    assert renamed["projectUpdate"]["userErrors"] == []
    assert [e["node"]["name"] for e in listed["edges"]] == ["营口", "重要系统"]
    t = tables.projects
    async with session_factory() as session:
        rows = (await session.execute(select(t.c.name, t.c.name_sort_key))).all()
    keys = {row.name: row.name_sort_key for row in rows}
    assert keys == {"重要系统": name_sort_key("重要系统"), "营口": name_sort_key("营口")}
    assert keys["重要系统"] == "zhong yao xi tong\t重要系统"
