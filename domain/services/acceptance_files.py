"""R19.2, R19.4, R21.2: the unit uploads its acceptance reports; the steps that need them check them."""

from __future__ import annotations

from domain import preconditions as pre
from domain.acceptance import AcceptanceReport
from domain.errors import DomainError, Violation
from domain.ports import Gate, UnitOfWork, Upload
from domain.services.construction import finish, load

TARGET = "AcceptanceReportFile"
FILE_REQUIRED = Violation(
    "FILE_REQUIRED",
    "请上传报告文件（multipart 请求）。",
    "Upload the report's file (a multipart request).",
    rule="R19.4",
    field=("input", "file"),
)


async def upload_report(
    *, uow: UnitOfWork, gate: Gate, project_id: int, kind: AcceptanceReport, upload: Upload | Violation | None
) -> int:
    """Store one acceptance report as a file with its SHA-256; the latest of its kind is the one that counts.
    `upload` is the file as checked on arrival (type by content, size), or why it was refused, or None when
    no file came; the project's precondition is checked first, so it alone answers a refused step."""
    async with uow:
        project = await load(uow, gate, project_id, check=pre.acceptance_report_upload)
        if upload is None or isinstance(upload, Violation):
            raise DomainError([upload or FILE_REQUIRED])
        pk = await uow.acceptance_files.attach_report(project_id, kind, upload)
        after = {
            "project_id": project_id,
            "report": str(kind),
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": len(upload.data),
            "sha256": upload.sha256,
        }
        await finish(uow, gate, project, TARGET, pk, None, after)
    return pk
