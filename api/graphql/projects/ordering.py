"""Typed ordering and text search of the project list (issue 7); filters live on ProjectFilter."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, or_

from store import tables

p = tables.projects


@strawberry.enum(description="项目列表排序字段 — what the project list is ordered by.")
class ProjectOrderField(Enum):
    CODE = strawberry.enum_value(
        "CODE", description="项目编号（未提交的草稿排在最前） — code; drafts without one first."
    )
    NAME = strawberry.enum_value(
        "NAME",
        description="项目名称（按拼音，同音按码位） — name in pinyin order (北京 < 上海 < 营口), names of the "
        "same reading by code point.",
    )
    UPDATED_AT = strawberry.enum_value("UPDATED_AT", description="更新时间 — last changed at.")
    TOTAL_INVESTMENT = strawberry.enum_value("TOTAL_INVESTMENT", description="总投资 — total investment.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="创建时间 — created at.")


@strawberry.enum(
    description="排序方向：ASC 升序（小的在前）或 DESC 降序 — ASC (smallest or earliest first) or DESC (largest or latest first)."
)
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="升序 — ascending.")
    DESC = strawberry.enum_value("DESC", description="降序 — descending.")


@strawberry.input(description="项目列表排序（同值按标识排序，游标分页稳定） — ordering; ties broken by id.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(
        description="排序字段：编号、名称、更新时间、总投资或创建时间 — what to sort by: CODE, NAME, UPDATED_AT, TOTAL_INVESTMENT or CREATED_AT."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC,
        description="排序方向：ASC 升序或 DESC 降序 — ASC (smallest first) or DESC (largest first).",
    )


def sort_expression(order: ProjectOrder) -> ColumnElement[Any]:
    """A never-null sort key: a row value with a NULL would drop rows from keyset comparisons."""
    return {
        ProjectOrderField.CODE: func.coalesce(p.c.code, ""),
        ProjectOrderField.NAME: p.c.name_sort_key,  # pinyin key (store/sort_keys.py), collation "C"
        ProjectOrderField.UPDATED_AT: p.c.updated_at,
        ProjectOrderField.TOTAL_INVESTMENT: p.c.total_investment,
        ProjectOrderField.CREATED_AT: p.c.created_at,
    }[order.field]


def _like_pattern(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_pattern(words: str) -> str | None:
    """The ILIKE pattern of a text search (None: blank words, no condition)."""
    words = words.strip()
    return _like_pattern(words) if words else None


def search_clause_for(pattern: Any) -> ColumnElement[bool]:
    """Substring match on code or name, served by the pg_trgm GIN indexes (ILIKE is a trigram operator)."""
    return or_(p.c.code.ilike(pattern, escape="\\"), p.c.name.ilike(pattern, escape="\\"))


def search_clause(words: str) -> ColumnElement[bool] | None:
    """Substring match on code or name (None: blank words)."""
    pattern = search_pattern(words)
    return None if pattern is None else search_clause_for(pattern)
