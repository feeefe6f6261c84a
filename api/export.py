"""Bulk export of projects as NDJSON or CSV (UTF-8 with BOM, for Excel): the list's filters and
authorization, streamed from a server-side cursor so memory stays flat however many rows match.

    GET /export/projects.ndjson?status=IN_RESERVE,PLANNED&year=2026&search=教育
    GET /export/projects.csv?investmentMin=2000000.00
    Authorization: Bearer <token>

Contact details are not exported (they need project:contact:read per project; the list does not).

NDJSON is for machines: camelCase keys, enum codes, JSON booleans, ISO times in UTC. CSV is for people opening
it in Excel: Chinese headers and labels, 是/否, times in Asia/Shanghai with their offset; `?header=en` (or
`Accept-Language: en` without `header`) gives the machine columns instead. Every CSV text cell that a
spreadsheet would read as a formula is defused (OWASP CSV injection: prefixed with `'`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api import read_replicas
from api.graphql.common import to_global_id
from api.graphql.enums import (
    FundingSourceEnum,
    ProjectCategoryEnum,
    ProjectKindEnum,
    ProjectStatusEnum,
)
from api.graphql.projects.queries import ProjectFilter, _filtered
from api.i18n import message, pick_language
from api.principal import principal_of
from api.ranges import YEAR, in_range
from authz.enforcer import Authorizer
from domain.actors import Actor
from domain.clock import CHINA
from domain.lifecycle import STATUS_LABELS_ZH, Status
from domain.money import cny, format_cny
from store import tables

YIELD_PER = 1000  # rows fetched per round trip of the server-side cursor
p, o = tables.projects, tables.organizations
COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [  # NDJSON, and CSV with `header=en`
    ("id", lambda r: to_global_id("Project", r.id)),
    ("code", lambda r: r.code),
    ("name", lambda r: r.name),
    ("status", lambda r: str(r.status)),
    ("statusLabel", lambda r: STATUS_LABELS_ZH[Status(r.status)]),
    ("year", lambda r: r.year),
    ("kind", lambda r: str(r.kind)),
    ("category", lambda r: str(r.category)),
    ("fundingSource", lambda r: str(r.funding_source)),
    ("totalInvestment", lambda r: format_cny(r.total_investment)),
    ("leadOrganization", lambda r: r.lead_organization),
    ("deploysOnGovernmentCloud", lambda r: r.deploys_on_government_cloud),
    ("connectsResourcePlatform", lambda r: r.connects_resource_platform),
    ("submittedAt", lambda r: r.submitted_at.isoformat() if r.submitted_at else None),
    ("createdAt", lambda r: r.created_at.isoformat()),
    ("updatedAt", lambda r: r.updated_at.isoformat()),
    ("version", lambda r: r.version),
]


def _zh_label(mirror: Any) -> Callable[[Any], str]:
    """The Chinese half of a GraphQL enum value's "中文 — English" description: one source of labels."""
    labels = {
        v.value: (v.description or v.name).split(" — ")[0]
        for v in mirror.__strawberry_definition__.values  # type: ignore[attr-defined]
    }
    return lambda member: labels[str(member)]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _china_time(value: datetime | None) -> str:
    """Wall-clock time in Asia/Shanghai with its offset, e.g. `2026-03-02 09:30:00+08:00`."""
    return "" if value is None else value.astimezone(CHINA).isoformat(sep=" ", timespec="seconds")


_kind_zh, _category_zh, _funding_zh = (
    _zh_label(ProjectKindEnum),
    _zh_label(ProjectCategoryEnum),
    _zh_label(FundingSourceEnum),
)
PEOPLE_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [  # CSV by default: the list's fields, in Chinese
    ("项目标识", lambda r: to_global_id("Project", r.id)),
    ("项目编号", lambda r: r.code),
    ("项目名称", lambda r: r.name),
    ("项目状态", lambda r: STATUS_LABELS_ZH[Status(r.status)]),
    ("申报年度", lambda r: r.year),
    ("项目类型", lambda r: _kind_zh(r.kind)),
    ("项目类别", lambda r: _category_zh(r.category)),
    ("资金来源", lambda r: _funding_zh(r.funding_source)),
    ("总投资（元）", lambda r: format_cny(r.total_investment)),
    ("牵头单位", lambda r: r.lead_organization),
    ("依托政务云部署", lambda r: _yes_no(r.deploys_on_government_cloud)),
    ("接入政务信息资源库平台", lambda r: _yes_no(r.connects_resource_platform)),
    ("提交入库时间", lambda r: _china_time(r.submitted_at)),
    ("创建时间", lambda r: _china_time(r.created_at)),
    ("更新时间", lambda r: _china_time(r.updated_at)),
    ("版本", lambda r: r.version),
]
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """OWASP CSV injection: a text cell a spreadsheet would evaluate is prefixed with `'` and shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Reader:
    """What ProjectFilter's SQL needs of a request context, so export and list share one filter."""

    def __init__(self, actor: Actor, authorizer: Authorizer) -> None:
        self.actor, self.authorizer = actor, authorizer

    def require_actor(self) -> Actor:
        return self.actor


class BadParameter(ValueError):
    pass


def _many(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _year(raw: str) -> int:
    year = int(raw)
    if not in_range(year, YEAR):  # SMALLINT: refused here with 400, not mid-stream (issue 13.9)
        raise ValueError(raw)
    return year


def filter_from_query(params: Any) -> ProjectFilter:
    """The list's ProjectFilter from query parameters with the same (camelCase) names."""

    def one(name: str, convert: Callable[[str], Any]) -> Any:
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return convert(raw)
        except (KeyError, ValueError, ArithmeticError) as error:
            raise BadParameter(name) from error

    try:
        status = [ProjectStatusEnum[s] for s in _many(params.get("status"))] or None
    except KeyError as error:
        raise BadParameter("status") from error
    return ProjectFilter(
        status=status,
        year=one("year", _year),
        kind=one("kind", lambda v: ProjectKindEnum[v]),
        funding_source=one("fundingSource", lambda v: FundingSourceEnum[v]),
        lead_organization_id=one("leadOrganizationId", str),
        investment_min=one("investmentMin", cny),
        investment_max=one("investmentMax", cny),
        search=one("search", str),
    )


def _statement(actor: Actor, authorizer: Authorizer, flt: ProjectFilter) -> Any:
    where = _filtered(_Reader(actor, authorizer), flt).whereclause  # type: ignore[arg-type]
    stmt = (
        select(
            p.c.id,
            p.c.code,
            p.c.name,
            p.c.status,
            p.c.year,
            p.c.kind,
            p.c.category,
            p.c.funding_source,
            p.c.total_investment,
            o.c.name.label("lead_organization"),
            p.c.deploys_on_government_cloud,
            p.c.connects_resource_platform,
            p.c.submitted_at,
            p.c.created_at,
            p.c.updated_at,
            p.c.version,
        )
        .select_from(p.join(o, o.c.id == p.c.lead_organization_id))
        .order_by(p.c.id)
    )
    return stmt.where(where) if where is not None else stmt


def _error(code: str, lang: str, status: int, **extra: Any) -> Response:
    return JSONResponse(
        {"errors": [{"message": message(code, lang), "extensions": {"code": code, **extra}}]},
        status_code=status,
    )


def _ndjson(rows: list[Any]) -> bytes:
    return b"".join(orjson.dumps({name: get(r) for name, get in COLUMNS}) + b"\n" for r in rows)


def _csv_encoder(columns: list[tuple[str, Callable[[Any], Any]]]) -> Callable[[list[Any]], bytes]:
    def encode(rows: list[Any]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([defuse(get(r)) for _, get in columns] for r in rows)
        return out.getvalue().encode()

    return encode


def _csv_header(columns: list[tuple[str, Callable[[Any], Any]]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([name for name, _ in columns])
    return "\ufeff".encode() + out.getvalue().encode()  # BOM: Excel then reads UTF-8 Chinese correctly


def csv_columns(header: str | None, lang: str) -> list[tuple[str, Callable[[Any], Any]]] | None:
    """`?header=zh|en` chooses the CSV's columns; without it Accept-Language does. None: an unknown value."""
    choice = header or ("en" if lang == "en" else "zh")
    return {"zh": PEOPLE_COLUMNS, "en": COLUMNS}.get(choice)


async def export_projects(request: Request) -> Response:
    state = request.app.state
    lang = pick_language(request.headers.get("accept-language"))
    fmt = "csv" if request.url.path.endswith(".csv") else "ndjson"
    principal = await principal_of(request.scope)
    actor = principal.actor
    if principal.error is not None:
        if principal.error.reason == "unavailable":
            return _error("INTERNAL", lang, 503)
        return _error("UNAUTHENTICATED", lang, 401, reason=principal.error.reason)
    if actor is None:
        return _error("UNAUTHENTICATED", lang, 401, reason="missing")
    try:
        stmt = _statement(actor, state.authorizer, filter_from_query(request.query_params))
    except BadParameter as error:
        return _error("BAD_USER_INPUT", lang, 400, field=str(error))
    columns = csv_columns(request.query_params.get("header"), lang) if fmt == "csv" else COLUMNS
    if columns is None:
        return _error("BAD_USER_INPUT", lang, 400, field="header")
    encode = _ndjson if fmt == "ndjson" else _csv_encoder(columns)

    async def body() -> AsyncIterator[bytes]:
        if fmt == "csv":
            yield _csv_header(columns)
        # A replica (issue 17), or the next one or the primary if it is lost before the first rows.
        rows = read_replicas.stream_partitions(request, actor, stmt.execution_options(yield_per=YIELD_PER))
        async for partition in rows:
            yield encode(list(partition))

    media = "application/x-ndjson" if fmt == "ndjson" else "text/csv; charset=utf-8"
    return StreamingResponse(
        body(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="projects.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


def routes() -> list[Route]:
    return [
        Route(f"/export/projects.{fmt}", export_projects, methods=["GET"], name=f"export-{fmt}")
        for fmt in ("ndjson", "csv")
    ]
