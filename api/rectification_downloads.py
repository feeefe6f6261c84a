"""Rectification-report attachments (Art. 23), authorised like the project's inspections."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from api.auth import AuthError, resolve_bearer
from api.downloads import _error
from api.graphql.common import from_global_id
from api.i18n import pick_language
from authz.operations import Operation
from authz.scopes import project_facts
from domain.projects import Project
from store import approval_tables, tables
from store.files import PostgresFileStore
from store.supervision_tables import rectification_reports


async def download_report_attachment(request: Request) -> Response:
    state = request.app.state
    lang = pick_language(request.headers.get("accept-language"))
    decoded = from_global_id(request.path_params["attachment_id"])
    async with state.session_factory() as session:
        try:
            actor = await resolve_bearer(
                session,
                request.headers.get("authorization"),
                secret=state.settings.token_secret.get_secret_value(),
                now=state.clock(),
            )
        except AuthError:
            actor = None
        if actor is None:
            return _error("UNAUTHENTICATED", lang, 401)
        a = approval_tables.attachments
        row = None
        if decoded is not None and decoded[0] == "Attachment":
            row = (await session.execute(select(a).where(a.c.id == decoded[1]))).first()
        if row is None or row.owner_type != "RectificationReport":
            return _error("NOT_FOUND", lang, 404)
        project_id = (
            await session.execute(
                select(rectification_reports.c.project_id).where(rectification_reports.c.id == row.owner_id)
            )
        ).scalar_one()
        project = (
            await session.execute(select(Project).where(tables.projects.c.id == project_id))
        ).scalar_one()
        if not state.authorizer.allowed(actor, Operation.INSPECTION_READ, project_facts(actor, project)):
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
