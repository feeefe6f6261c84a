"""The acceptance reports of a project (R19.2, R19.4, R21.2) as attachments owned by the project.

They share `attachments`/`file_blobs` with approval documents: owner_type `AcceptanceReport`, owner_id the
project, label the report kind. Their integrity is checked in PostgreSQL (sha256() of the stored bytes), so
the bytes never travel to the API to be hashed.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.acceptance import AcceptanceReport
from domain.acceptance_files import StoredReport
from domain.actors import Actor
from domain.ports import Upload
from store import approval_tables
from store.files import FileStore, PostgresFileStore

OWNER_TYPE = "AcceptanceReport"


class SqlAcceptanceFileRepository:
    def __init__(self, session: AsyncSession, actor: Actor, files: FileStore | None = None) -> None:
        self._session = session
        self._actor = actor
        self._files = files or PostgresFileStore()

    async def attach_report(self, project_id: int, kind: AcceptanceReport, upload: Upload) -> int:
        storage, blob_id, key = await self._files.put(self._session, upload)
        a = approval_tables.attachments
        pk = (
            await self._session.execute(
                insert(a)
                .values(
                    owner_type=OWNER_TYPE,
                    owner_id=project_id,
                    label=str(kind),
                    filename=upload.filename,
                    content_type=upload.content_type,
                    size=len(upload.data),
                    sha256=upload.sha256,
                    storage=storage,
                    blob_id=blob_id,
                    storage_key=key,
                    uploaded_by_user_id=self._actor.user_id,
                )
                .returning(a.c.id)
            )
        ).scalar_one()
        return int(pk)

    async def reports(self, project_id: int) -> Sequence[StoredReport]:
        a, b = approval_tables.attachments, approval_tables.file_blobs
        stored = func.encode(func.sha256(b.c.content), literal_column("'hex'"))
        rows = (
            await self._session.execute(
                select(a.c.id, a.c.label, a.c.sha256, stored.label("stored"))
                .join(b, b.c.id == a.c.blob_id)
                .where(a.c.owner_type == OWNER_TYPE, a.c.owner_id == project_id)
                .order_by(a.c.id)
            )
        ).all()
        return [
            StoredReport(
                kind=AcceptanceReport(row.label),
                attachment_id=row.id,
                sha256=row.sha256,
                stored_sha256=row.stored,
            )
            for row in rows
        ]
