"""Attachment downloads, authorised exactly like the approval document they belong to."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import AuthError, resolve_bearer
from api.graphql.common import from_global_id
from api.i18n import message, pick_language
from authz.operations import Operation
from authz.scopes import project_facts
from domain.projects import Project
from store import approval_tables, tables
from store.files import PostgresFileStore


def _error(code: str, lang: str, status: int) -> Response:
    return JSONResponse({"errors": [{"message": message(code, lang), "extensions": {"code": code}}]},
                        status_code=status)


async def download_attachment(request: Request) -> Response:
    state = request.app.state
    lang = pick_language(request.headers.get("accept-language"))
    decoded = from_global_id(request.path_params["attachment_id"])
    async with state.session_factory() as session:
        try:
            actor = await resolve_bearer(session, request.headers.get("authorization"),
                                         secret=state.settings.token_secret.get_secret_value(), now=state.clock())
        except AuthError:
            actor = None
        if actor is None:
            return _error("UNAUTHENTICATED", lang, 401)
        if decoded is None or decoded[0] != "Attachment":
            return _error("NOT_FOUND", lang, 404)
        a = approval_tables.attachments
        row = (await session.execute(select(a).where(a.c.id == decoded[1]))).first()
        if row is None or row.owner_type != "ApprovalDocument":
            return _error("NOT_FOUND", lang, 404)
        project_id = (await session.execute(select(approval_tables.approval_documents.c.project_id).where(
            approval_tables.approval_documents.c.id == row.owner_id))).scalar_one()
        project = (await session.execute(select(Project).where(tables.projects.c.id == project_id))).scalar_one()
        document = next(d for d in project.documents if d.id == row.owner_id)
        if not state.authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ,
                                        project_facts(actor, project, document)):
            return _error("NOT_FOUND", lang, 404)  # as if missing: its existence is not revealed
        content = await PostgresFileStore().get(session, row.blob_id, row.storage_key)
    return Response(content, media_type=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-SHA256": row.sha256,
        "X-Content-Type-Options": "nosniff",
    })
