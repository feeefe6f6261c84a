"""Shared schema pieces: the CNY scalar, Node and global ids, UserError and the Payload mixin, PageInfo."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import inspect
from decimal import Decimal
from enum import Enum
from typing import Any, NewType

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY

from domain.error_codes import USER_ERROR_CODES, ErrorCode
from domain.money import cny, format_cny
from domain.rules import article_label


def _parse_cny(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('CNY is a decimal string such as "2000000.00"')
    return cny(value.strip())


CNY = NewType("CNY", Decimal)

CNY_SCALAR = strawberry.scalar(
    name="CNY",
    description='人民币金额 — an exact amount in CNY as a decimal string with two places, e.g. "2000000.00".',
    serialize=format_cny,
    parse_value=_parse_cny,
)


# strawberry's own scalars, with its parsing and serializing, described as every element of the schema is.
_SCALAR_DESCRIPTIONS: dict[object, str] = {
    dt.date: "日期（ISO 8601，北京时间的日历日） — a calendar day in China time (Asia/Shanghai), ISO 8601, "
    'e.g. "2026-03-31"; a deadline on that day is met until 23:59:59 China time.',
    dt.datetime: "时刻（ISO 8601，带时区偏移） — an instant, ISO 8601 with its UTC offset, e.g. "
    '"2026-03-31T01:30:00+00:00" (09:30 in Yingkou); send any offset, answers are in UTC.',
    Upload: "上传的文件（multipart 请求中的一个文件部分，须带 GraphQL-Preflight 请求头） — a file sent as "
    "one part of a GraphQL multipart request (the `Upload` of the multipart request spec), e.g. the "
    'variable `{"file": null}` with the map `{"0": ["variables.input.attachments.0.file"]}`; the request '
    "needs the `GraphQL-Preflight: 1` header. Input only.",
    JSON: "任意 JSON 值（审计记录的前后快照） — any JSON value (ECMA-404), used for the audit log's "
    'before/after snapshots, e.g. {"status": "IN_RESERVE", "version": 3}.',
}


def described_scalars() -> dict[object, Any]:
    """strawberry's Date, DateTime, Upload and JSON with our "中文 — English" descriptions (scalar_map)."""
    described = {}
    for python_type, text in _SCALAR_DESCRIPTIONS.items():
        definition = DEFAULT_SCALAR_REGISTRY[python_type]
        definition = getattr(definition, "_scalar_definition", definition)
        described[python_type] = dataclasses.replace(definition, description=text)
    return described


USER_ERRORS = (
    "拒绝理由（违反的规则或无效的输入）；成功时为空列表，非空时未作任何更改 — "
    "why the mutation was refused (broken rules, invalid input), each with code, rule, article and field; empty on success, and when not empty nothing was changed."
)
USER_ERRORS_SHORT = "拒绝理由；成功时为空 — refusals; empty on success."


LATE_ENTRY_REASON = (
    "补录理由（所填日期早于今天30日以上时必填，R24.1） — reason for a late entry; required when the stated date "
    "lies more than 30 days before today (R24.1)."
)


PROJECT_ID = "项目的全局标识（Project.id）；不可见或非项目标识按 NOT_FOUND 处理 — the project's global id as `Project.id` gives it; an id of another type or of a project you may not read is NOT_FOUND."
EXPECTED_VERSION = "期望版本：客户端上次读到的 Project.version；项目此后已被修改则拒绝（VERSION_CONFLICT），不填则不检查 — the `Project.version` the client last read: if the project changed since, nothing is done and the answer is VERSION_CONFLICT; omit to skip the check."


def project_id_field() -> Any:
    """`projectId`, the same input field in every input that names one project."""
    return strawberry.field(description=PROJECT_ID)


def project_id_argument() -> Any:
    """The `projectId` argument of a query that reads one project's records."""
    return strawberry.argument(description=PROJECT_ID)


def expected_version_field() -> Any:
    """`expectedVersion`, the optimistic check of every input that changes a project."""
    return strawberry.field(default=None, description=EXPECTED_VERSION)


def late_entry_reason_field() -> Any:
    """`lateEntryReason`, the same optional input field wherever a stated date may be entered late (R24.1)."""
    return strawberry.field(default=None, description=LATE_ENTRY_REASON)


@strawberry.interface(
    description="可全局寻址的对象 — an object with an opaque global id, fetchable by `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="全局唯一标识（不透明字符串，原样传回，勿解析） — opaque global id: pass it back as is (to `node(id:)`, arguments and inputs); never parse it, its format may change."
    )


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our ids."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (ValueError, UnicodeDecodeError):
        return None
    # A forged id beyond BIGINT is no id of ours (issue 13.9): NOT_FOUND, not a database error.
    return (type_name, number) if -(2**63) <= number < 2**63 else None


def pk_of(global_id: str, type_name: str, lang: str) -> int:
    """The primary key behind a global id of the expected type; anything else is NOT_FOUND."""
    from api.errors import not_found

    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise not_found(lang)
    return decoded[1]


def _describe(entry: ErrorCode) -> str:
    cited = (
        f" [{entry.rule}, {article_label(entry.rule)} / {article_label(entry.rule, 'en')}]"
        if entry.rule
        else ""
    )
    return f"{entry.zh} — {entry.en}{cited}"


# Built from the one catalogue (domain/error_codes.py); docs/errors.md lists the same codes.
UserErrorCode: Any = strawberry.enum(
    Enum(  # type: ignore[misc]
        "UserErrorCode",
        {code: strawberry.enum_value(code, description=_describe(e)) for code, e in USER_ERROR_CODES.items()},
    ),
    description="用户错误码 — every code a refusal can carry in `userErrors` (docs/errors.md).",
)


@strawberry.type(
    description="被拒绝的输入或违反的规则 — a refused input or broken rule; the mutation changed nothing."
)
class UserError:
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="机器可读的错误码 — machine-readable code, e.g. `PLATFORM_EXEMPTION_REASON_REQUIRED`."
    )
    rule: str | None = strawberry.field(
        description="被违反的规则编号（RULES.md）；不涉及规章条款的输入检查为空 — the broken rule's id (RULES.md), e.g. `R11.3`; null for an input check no rule of the regulation names."
    )
    article: str | None = strawberry.field(
        description="条款 — the article of the regulation, e.g. `第十一条`."
    )
    field: list[str] | None = strawberry.field(
        description='输入路径 — input path, e.g. `["input", "totalInvestment"]`.'
    )
    message: str = strawberry.field(
        description="说明 — message in zh-CN, or English with `Accept-Language: en`."
    )


class Payload:
    """A mutation's payload: what it returns, then `userErrors` (USER_ERRORS, or the class's `errors=`).

    Mix it into a `@strawberry.type` (`class XPayload(Payload):`). It adds `user_errors` as the subclass's
    own last field: a strawberry base type would print its fields first (a dataclass lists a base's fields
    before its subclass's), moving `userErrors` to the top of every payload in schema.graphql."""

    user_errors: list[UserError]  # for readers and type checkers; the field itself is added per subclass

    def __init_subclass__(cls, errors: str = USER_ERRORS, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the class's own annotations (cls.__annotations__ would be a base's when the class has none), then ours
        cls.__annotations__ = {**inspect.get_annotations(cls), "user_errors": list[UserError]}
        cls.user_errors = strawberry.field(description=errors)


@strawberry.type(
    description="分页信息（Relay） — Relay page info: whether more items follow or precede, and the first and last cursors of this page."
)
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="是否还有下一页：为 true 时以 endCursor 作 after 再取 — true when more items follow: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="是否还有上一页：为 true 时以 startCursor 作 before 再取（与 last 一起） — true when items precede: ask again with `before: startCursor` and `last`."
    )
    start_cursor: str | None = strawberry.field(
        description="本页第一项的游标；空页为空 — the cursor of this page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="本页最后一项的游标；空页为空 — the cursor of this page's last item; null for an empty page."
    )
