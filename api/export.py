"""Bulk export of projects as NDJSON or CSV (UTF-8 with BOM, for Excel): the list's filters and
authorization, streamed from a server-side cursor so memory stays flat however many rows match.

    GET /export/projects.ndjson?status=IN_RESERVE,PLANNED&year=2026&search=教育
    GET /export/projects.csv?investmentMin=2000000.00
    Authorization: Bearer <token>

Contact details are not exported (they need project:contact:read per project; the list does not).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api.graphql.common import to_global_id
from api.graphql.enums import FundingSourceEnum, ProjectKindEnum, ProjectStatusEnum
from api.graphql.projects import ProjectFilter, _filtered
from api.i18n import message, pick_language
from api.principal import principal_of
from authz.enforcer import Authorizer
from domain.actors import Actor
from domain.lifecycle import STATUS_LABELS_ZH, Status
from domain.money import cny, format_cny
from store import tables

YIELD_PER = 1000  # rows fetched per round trip of the server-side cursor
p, o = tables.projects, tables.organizations
COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
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
        year=one("year", int),
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


def _csv(rows: list[Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([get(r) for _, get in COLUMNS] for r in rows)
    return out.getvalue().encode()


def _csv_header() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([name for name, _ in COLUMNS])
    return "\ufeff".encode() + out.getvalue().encode()  # BOM: Excel then reads UTF-8 Chinese correctly


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
    encode = _ndjson if fmt == "ndjson" else _csv

    async def body() -> AsyncIterator[bytes]:
        if fmt == "csv":
            yield _csv_header()
        async with state.session_factory() as session:
            result = await session.stream(stmt.execution_options(yield_per=YIELD_PER))
            async for rows in result.partitions():
                yield encode(list(rows))

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
