"""SQL text that makes PostgreSQL write JSON exactly as the API's serialiser (orjson) would.

json_build_object and json_agg write `{"a" : 1}` and `[…, \n …]`, so the compiled list (api/graphql/
projects/compiled.py) concatenates compact JSON itself: keys and constants are written here by orjson, values by
`to_json(text)` (whose escaping matches orjson's, tested in tests/api/test_compiled_list.py) or by formats
that equal the generic path's serialisers (strawberry's `isoformat`, `format_cny`, `to_global_id`,
`encode_cursor`). Every expression here yields JSON text and is never NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

import orjson

# base64 in PostgreSQL: standard alphabet with a line break every 76 characters; ours is urlsafe, unbroken.
_URLSAFE = "E'+/\\n', '-_'"


def quote(text: str) -> str:
    """A SQL string literal (standard_conforming_strings: only the quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def json_literal(value: object) -> str:
    """A constant as the SQL literal of its JSON text."""
    return quote(orjson.dumps(value).decode())


def text(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


def integer(column: str) -> str:
    return f"coalesce({column}::text, 'null')"


def boolean(column: str) -> str:
    return f"CASE {column} WHEN true THEN 'true' WHEN false THEN 'false' ELSE 'null' END"


def money(column: str) -> str:
    """CNY: NUMERIC(14, 2) prints with its two places, as `format_cny` does."""
    return f"coalesce('\"' || {column}::text || '\"', 'null')"


def _iso_instant(column: str) -> str:
    """`datetime.isoformat()` of a UTC instant: microseconds only when there are some, then +00:00."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM {column})"
        f"::bigint % 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def instant(column: str) -> str:
    return f"coalesce('\"' || {_iso_instant(column)} || '\"', 'null')"


def day(column: str) -> str:
    return f"coalesce('\"' || to_char({column}, 'YYYY-MM-DD') || '\"', 'null')"


def mapped(column: str, outputs: Mapping[str, object]) -> str:
    """A stored text shown as a fixed value per stored text (enums, labels)."""
    cases = " ".join(f"WHEN {quote(stored)} THEN {json_literal(shown)}" for stored, shown in outputs.items())
    return f"CASE {column} {cases} ELSE 'null' END"


def _base64url(bytes_expression: str) -> str:
    return f"translate(encode({bytes_expression}, 'base64'), {_URLSAFE})"


def global_id(type_name: str, column: str) -> str:
    """`to_global_id`: urlsafe base64 of "Type:pk" without padding, as a JSON string."""
    encoded = _base64url(f"convert_to({quote(type_name + ':')} || {column}::text, 'UTF8')")
    return f"'\"' || rtrim({encoded}, '=') || '\"'"


def _sort_value(column: str, python_type: type) -> str:
    """A sort value as `pagination._to_json` puts it into a cursor (JSON text)."""
    if python_type is str:
        return f"to_json({column})::text"
    if python_type is Decimal:
        return f"'\"' || {column}::text || '\"'"
    if python_type is datetime:
        return f"'\"' || {_iso_instant(column)} || '\"'"
    if python_type is date:
        return f"'\"' || to_char({column}, 'YYYY-MM-DD') || '\"'"
    if python_type is int:
        return f"{column}::text"
    raise TypeError(f"no cursor format for {python_type}")


def cursor(key: str, sort: str | None = None, sort_type: type | None = None) -> str:
    """`encode_cursor([key])` or `encode_cursor([sort value, key])`: urlsafe base64 with padding (not quoted)."""
    inner = f"{key}::text" if sort is None else f"{_sort_value(sort, sort_type or str)} || ',' || {key}::text"
    return _base64url(f"convert_to('[' || {inner} || ']', 'UTF8')")
