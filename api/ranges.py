"""Ranges of the integers that reach SQL (issue 13.9): checked before a statement is built, so a value no
column can hold is the client's BAD_USER_INPUT, not the database's error (INTERNAL).

Columns: `year` and `plan_year` are SMALLINT (store/tables.py, store/approval_tables.py), primary keys and
cursor positions BIGINT; GraphQL's Int is already 32-bit, so INTEGER columns need no check of their own.
"""

from __future__ import annotations

from typing import Any

from api.errors import AppError

BIGINT = (-(2**63), 2**63 - 1)
# A year is four digits: project codes carry it so (YK-2026-0001), and it fits the SMALLINT columns.
YEAR = (1000, 9999)


def in_range(value: Any, bounds: tuple[int, int]) -> bool:
    """An int (not a bool) within the inclusive bounds."""
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def check_year(value: int | None, lang: str, *field: str) -> None:
    """BAD_USER_INPUT naming the field when a year is given and is not a four-digit year."""
    if value is not None and not in_range(value, YEAR):
        raise AppError(
            "BAD_USER_INPUT",
            lang,
            field=list(field),
            reason=f"a year is between {YEAR[0]} and {YEAR[1]}",
            min=YEAR[0],
            max=YEAR[1],
        )
