"""Attachment downloads, authorised exactly like the object they belong to.

One handler for every attachment; the owner type decides which read permission applies: an approval
document's (Art. 11–13), an acceptance report's (Art. 19/21, read like the approval documents) or a
rectification report's, read like the project's inspections (Art. 23).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.graphql.common import from_global_id
from api.i18n import message, pick_language
from api.principal import principal_of
from authz.enforcer import Authorizer
from authz.operations import Operation
from authz.scopes import project_facts
from domain.actors import Actor
from domain.projects import Project
from store import approval_tables, tables
from store.files import PostgresFileStore
from store.supervision_tables import rectification_reports

Readable = Callable[[AsyncSession, Authorizer, Actor, int], Awaitable[bool]]


def _error(code: str, lang: str, status: int) -> Response:
    return JSONResponse(
        {"errors": [{"message": message(code, lang), "extensions": {"code": code}}]}, status_code=status
    )


async def _project(session: AsyncSession, project_id: int) -> Project:
    return (await session.execute(select(Project).where(tables.projects.c.id == project_id))).scalar_one()


async def _approval_document_readable(
    session: AsyncSession, authorizer: Authorizer, actor: Actor, document_id: int
) -> bool:
    project_id = (
        await session.execute(
            select(approval_tables.approval_documents.c.project_id).where(
                approval_tables.approval_documents.c.id == document_id
            )
        )
    ).scalar_one()
    project = await _project(session, project_id)
    document = next(d for d in project.documents if d.id == document_id)
    return authorizer.allowed(
        actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project, document)
    )


async def _rectification_report_readable(
    session: AsyncSession, authorizer: Authorizer, actor: Actor, report_id: int
) -> bool:
    project_id = (
        await session.execute(
            select(rectification_reports.c.project_id).where(rectification_reports.c.id == report_id)
        )
    ).scalar_one()
    project = await _project(session, project_id)
    return authorizer.allowed(actor, Operation.INSPECTION_READ, project_facts(actor, project))


async def _acceptance_report_readable(
    session: AsyncSession, authorizer: Authorizer, actor: Actor, project_id: int
) -> bool:
    project = await _project(session, project_id)
    return authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project))


READABLE_BY_OWNER: dict[str, Readable] = {
    "ApprovalDocument": _approval_document_readable,
    "AcceptanceReport": _acceptance_report_readable,  # R19/R21 reports: read like approval documents
    "RectificationReport": _rectification_report_readable,
}


async def download_attachment(request: Request) -> Response:
    state = request.app.state
    lang = pick_language(request.headers.get("accept-language"))
    decoded = from_global_id(request.path_params["attachment_id"])
    actor = (await principal_of(request.scope)).actor
    if actor is None:
        return _error("UNAUTHENTICATED", lang, 401)
    # The primary, not a replica: a file is mostly fetched right after its upload, through a plain link that
    # carries no WAL position for read-your-writes (api/read_replicas.py routes GraphQL reads only).
    async with state.session_factory() as session:
        if decoded is None or decoded[0] != "Attachment":
            return _error("NOT_FOUND", lang, 404)
        a = approval_tables.attachments
        row = (await session.execute(select(a).where(a.c.id == decoded[1]))).first()
        readable = READABLE_BY_OWNER.get(row.owner_type) if row is not None else None
        if (
            row is None
            or readable is None
            or not await readable(session, state.authorizer, actor, row.owner_id)
        ):
            return _error("NOT_FOUND", lang, 404)  # as if missing: its existence is not revealed
        content = await PostgresFileStore().get(session, row.blob_id, row.storage_key)
    return Response(
        content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-SHA256": row.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )
