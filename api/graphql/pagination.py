"""Relay connections over keyset pagination: no OFFSET, stable under inserts, `first`/`last` ≤ 100 (default
`first: 20`)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

import orjson
import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import AppError
from api.graphql.common import PageInfo
from api.ranges import BIGINT, in_range

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20  # the page a list gives when neither `first` nor `last` is asked for
MAX_DECIMAL = Decimal(10) ** 14  # money columns are NUMERIC(16, 2): a cursor beyond cannot come from a row

# The four connection arguments, described once for every list of the schema.
First = Annotated[
    int | None,
    strawberry.argument(
        description=f"向后取的条数，1–{MAX_PAGE}；与 last 都不填时为 {DEFAULT_PAGE} — page size forwards, "
        f"1 to {MAX_PAGE}; {DEFAULT_PAGE} when neither `first` nor `last` is given. Not with `last`."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="从此游标之后开始（上一页的 pageInfo.endCursor）；不填从头开始 — start after this cursor (the previous page's `pageInfo.endCursor`); omit for the first page."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"向前取的条数（从末尾或 before 游标往回），1–{MAX_PAGE} — page size backwards (from the "
        f"end, or from `before`), 1 to {MAX_PAGE}. Not with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="到此游标之前为止（pageInfo.startCursor），与 last 一起向前翻页 — end before this cursor (a page's `pageInfo.startCursor`); with `last`, pages backwards."
    ),
]


@strawberry.type(description="连接中的一项：对象及其游标 — one item of a page together with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="此项的游标（不透明字符串），作 after 或 before 参数从此处继续 — opaque cursor of this item: pass it as `after` (or `before`) to continue from here; valid as long as the item exists."
    )
    node: T = strawberry.field(
        description="本项对象（与 nodes 同位置的一项相同） — the item at this position of the page, the same as in `nodes`."
    )


@strawberry.type(
    description="分页列表（Relay 连接，键集分页，顺序稳定） — a Relay connection: one page of items in a stable order, with the cursors to fetch the next or the previous page."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="本页各项及其游标，按列表顺序 — the items of this page with their cursors, in the list's order."
    )
    page_info: PageInfo = strawberry.field(
        description="分页信息：是否还有下一页或上一页，以及首尾游标 — whether more items follow or precede this page, and the cursors to ask for them."
    )
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="本页各项对象（同 edges 的 node，按相同顺序；不需要游标时用） — the items of this page, "
        "in the order of `edges`: a shortcut for `edges { node }` when no per-item cursor is needed."
    )
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="符合条件的总数 — number of items matching the filter, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


def encode_cursor(values: Sequence[Any]) -> str:
    # orjson: a page encodes one cursor per item (cursors the stdlib json wrote before still decode).
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_cursor(cursor: str, lang: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(values, list):
            return values
    except (ValueError, UnicodeDecodeError):
        pass
    raise AppError("BAD_USER_INPUT", lang, field="after/before", reason="invalid cursor")


@dataclass(frozen=True)
class PageRequest:
    first: int | None
    after: str | None
    last: int | None
    before: str | None

    def __post_init__(self) -> None:
        # Neither given: the first DEFAULT_PAGE items, as a frontend's first render asks.
        if self.first is None and self.last is None:
            object.__setattr__(self, "first", DEFAULT_PAGE)

    def validate(self, lang: str) -> None:
        if self.first is not None and self.last is not None:
            raise AppError("BAD_USER_INPUT", lang, field="first", reason="give first or last, not both")
        size = self.first if self.first is not None else self.last
        if size is None or not 1 <= size <= MAX_PAGE:
            raise AppError(
                "BAD_USER_INPUT",
                lang,
                field="first" if self.first is not None else "last",
                reason=f"page size must be between 1 and {MAX_PAGE}",
            )


@dataclass(frozen=True)
class KeysetWindow:
    """A page's statement before it runs: `stmt` with the cursor's bound, the order and LIMIT size + 1.

    The generic path runs it and builds objects; the compiled list (api/graphql/projects/compiled.py) wraps it
    and lets PostgreSQL build the page's JSON — the same rows, the same cursors."""

    stmt: Select[Any]
    forward: bool
    size: int
    newest_first: bool  # the statement's order: descending (sort, key) when true
    sorted: bool  # cursors carry (sort value, key) rather than (key,)
    after: str | None
    before: str | None


@dataclass(frozen=True)
class KeysetBounds:
    """A page request checked and its cursor decoded: what of a page is a value rather than SQL's shape."""

    forward: bool
    size: int
    newest_first: bool  # the statement's order: descending (sort, key) when true
    boundary: (
        tuple[Any, ...] | None
    )  # (key,) or (sort value, key) past which the page starts; None: no cursor
    after: str | None
    before: str | None


def keyset_bounds(
    page: PageRequest, *, lang: str, descending: bool = True, sort: ColumnElement[Any] | None = None
) -> KeysetBounds:
    """The page's size, direction and decoded cursor; raises BAD_USER_INPUT on a bad page or cursor."""
    page.validate(lang)
    forward = page.first is not None
    size = page.first if forward else page.last
    assert size is not None
    cursor = page.after if forward else page.before
    # Walking backwards is walking forwards in the opposite order, then reversing the page.
    newest_first = descending if forward else not descending
    boundary: tuple[Any, ...] | None = None
    if sort is None:
        if cursor is not None:
            (key_value,) = decode_cursor(cursor, lang)[:1] or [None]
            if not in_range(key_value, BIGINT):  # a forged cursor (issue 13.9)
                raise AppError("BAD_USER_INPUT", lang, field="after/before", reason="invalid cursor")
            boundary = (key_value,)
    elif cursor is not None:
        values = decode_cursor(cursor, lang)
        if len(values) != 2 or not in_range(values[1], BIGINT):
            raise AppError("BAD_USER_INPUT", lang, field="after/before", reason="cursor of another ordering")
        boundary = (_from_json(values[0], sort, lang), values[1])
    return KeysetBounds(forward, size, newest_first, boundary, page.after, page.before)


# The names `keyset_statement(bound=True)` gives its parameters (values: `keyset_values`).
KEYSET_SORT, KEYSET_KEY, KEYSET_LIMIT = "keyset_sort", "keyset_key", "keyset_limit"


def keyset_statement(
    stmt: Select[Any],
    *,
    key: ColumnElement[int],
    bounds: KeysetBounds,
    sort: ColumnElement[Any] | None = None,
    bound: bool = False,
) -> KeysetWindow:
    """`stmt` limited to the page `bounds` describes, ordered by the unique `key` (or by (sort, key)).

    `bound`: the cursor and the LIMIT as named bind parameters (`keyset_values` gives their values), so the
    SQL text depends only on the page's shape — direction, order, whether a cursor is given."""
    newest_first, boundary = bounds.newest_first, bounds.boundary
    if sort is None:
        if boundary is not None:
            value: Any = bindparam(KEYSET_KEY, type_=key.type) if bound else boundary[0]
            stmt = stmt.where(key < value if newest_first else key > value)
        order: tuple[Any, ...] = (key.desc() if newest_first else key.asc(),)
    else:
        # Keyset on the row value (sort, key): ties on the sort key are broken by the unique key.
        if boundary is not None:
            row = (
                tuple_(bindparam(KEYSET_SORT, type_=sort.type), bindparam(KEYSET_KEY, type_=key.type))
                if bound
                else tuple_(literal(boundary[0], sort.type), literal(boundary[1], key.type))
            )
            stmt = stmt.where(tuple_(sort, key) < row if newest_first else tuple_(sort, key) > row)
        order = (sort.desc(), key.desc()) if newest_first else (sort.asc(), key.asc())
        stmt = stmt.add_columns(sort.label(SORT_LABEL))
    limit: Any = bindparam(KEYSET_LIMIT, type_=Integer) if bound else bounds.size + 1
    stmt = stmt.order_by(*order).limit(limit)
    return KeysetWindow(
        stmt, bounds.forward, bounds.size, newest_first, sort is not None, bounds.after, bounds.before
    )


def keyset_values(bounds: KeysetBounds) -> dict[str, Any]:
    """The values of `keyset_statement(bound=True)`'s parameters for this page."""
    values: dict[str, Any] = {KEYSET_LIMIT: bounds.size + 1}
    if bounds.boundary is not None:
        values[KEYSET_KEY] = bounds.boundary[-1]
        if len(bounds.boundary) == 2:
            values[KEYSET_SORT] = bounds.boundary[0]
    return values


def keyset_window(
    stmt: Select[Any],
    *,
    key: ColumnElement[int],
    page: PageRequest,
    lang: str,
    descending: bool = True,
    sort: ColumnElement[Any] | None = None,
) -> KeysetWindow:
    """`stmt` limited to one page ordered by the unique `key` (or by (sort, key)); raises on a bad page."""
    bounds = keyset_bounds(page, lang=lang, descending=descending, sort=sort)
    return keyset_statement(stmt, key=key, bounds=bounds, sort=sort)


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    key: ColumnElement[int],
    page: PageRequest,
    lang: str,
    descending: bool = True,
    sort: ColumnElement[Any] | None = None,
) -> tuple[list[Any], PageInfo, list[str]]:
    """One page of `stmt` ordered by the unique `key`; returns rows, page info and one cursor per row.

    With `sort` (a non-null expression) the order is (sort, key) and cursors carry both values."""
    window = keyset_window(stmt, key=key, page=page, lang=lang, descending=descending, sort=sort)
    rows = list((await session.execute(window.stmt)).all())
    more = len(rows) > window.size
    rows = rows[: window.size]
    if not window.forward:
        rows.reverse()
    if window.sorted:
        cursors = [encode_cursor([_to_json(getattr(row, SORT_LABEL)), row_key(row)]) for row in rows]
    else:
        cursors = [encode_cursor([row_key(row)]) for row in rows]
    info = PageInfo(
        has_next_page=more if window.forward else page.before is not None,
        has_previous_page=page.after is not None if window.forward else more,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
    return rows, info, cursors


SORT_LABEL = "_keyset_sort"


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _from_json(value: Any, sort: ColumnElement[Any], lang: str) -> Any:
    try:
        python_type = sort.type.python_type
        if python_type is Decimal:
            number = Decimal(str(value))
            if not number.is_finite() or abs(number) >= MAX_DECIMAL:  # beyond any NUMERIC(16, 2) column
                raise ValueError(value)
            return number
        if python_type is int and not in_range(value, BIGINT):
            raise ValueError(value)
        if python_type is str and (not isinstance(value, str) or "\x00" in value):
            raise ValueError(value)  # PostgreSQL text cannot hold NUL
        if python_type is datetime:
            return datetime.fromisoformat(value)
        if python_type is date:
            return date.fromisoformat(value)
        return python_type(value)
    except (ValueError, TypeError, ArithmeticError, NotImplementedError):
        raise AppError("BAD_USER_INPUT", lang, field="after/before", reason="invalid cursor") from None


def row_key(row: Any) -> int:
    first = row[0]
    return int(first if isinstance(first, int) else first.id)


TOTAL_LABEL = "_total_count"


def total_column(stmt: Select[Any]) -> Any:
    """The number of rows `stmt` matches, as one more column of a page: PostgreSQL computes an uncorrelated
    scalar subquery once per statement, so the page and its totalCount come in one round trip."""
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery().label(TOTAL_LABEL)


async def count_rows(session: AsyncSession, stmt: Select[Any]) -> int:
    return int((await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one())


def counter(session_factory: Callable[[], AsyncSession], stmt: Select[Any]) -> Callable[[], Awaitable[int]]:
    """totalCount runs only when the client asks for it."""

    async def count() -> int:
        async with session_factory() as session:
            return await count_rows(session, stmt)

    return count


def counted(total: int) -> Callable[[], Awaitable[int]]:
    """totalCount already known (counted on the page's own connection)."""

    async def count() -> int:
        return total

    return count


def asks_for(info: Any, name: str) -> bool:
    """Whether the field's own selection names `name` (fragments followed; @skip/@include ignored, so at
    worst something is computed that is not shown). Reads graphql-core's nodes: strawberry's public
    `selected_fields` would convert the whole sub-tree on every request to look at its first level."""
    raw = info._raw_info

    def names(selection_set: Any) -> bool:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value == name:
                return True
            if isinstance(selection, InlineFragmentNode) and names(selection.selection_set):
                return True
            if isinstance(selection, FragmentSpreadNode):
                fragment = raw.fragments.get(selection.name.value)
                if fragment is not None and names(fragment.selection_set):
                    return True
        return False

    return any(node.selection_set is not None and names(node.selection_set) for node in raw.field_nodes)
