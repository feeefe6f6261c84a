"""The acceptance reports of Art. 19/21 as uploaded files (R19.2, R19.4, R21.2): the upload mutation and
the list on a project's implementation, readable like its approval documents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api.context import Context
from api.graphql.approvals.types import Attachment, _attachment
from api.graphql.authz import Performs
from api.graphql.common import UserError
from api.graphql.enums import AcceptanceReportEnum, to_domain, to_gql
from authz.operations import Operation
from authz.scopes import project_facts
from domain.acceptance import AcceptanceReport
from domain.errors import Violation
from domain.projects import Project as DomainProject
from domain.services import acceptance_files as use_cases
from store import approval_tables
from store.acceptance_files import OWNER_TYPE
from store.files import Upload as CheckedUpload
from store.files import check_upload

Ctx = Info[Context, None]


@strawberry.input(
    description="上传验收报告 — upload one acceptance report as a file (multipart request): the initial-"
    "acceptance report before a passed initial acceptance (R19.4), the five R19.2 reports before the "
    "application, the completion-acceptance report before the filing (R21.2). A later upload of the same "
    "kind replaces the earlier one."
)
class AcceptanceReportUploadInput:
    project_id: strawberry.ID = strawberry.field(description="项目全局标识 — project id.")
    report: AcceptanceReportEnum = strawberry.field(description="报告类型 — which report.")
    file: Upload | None = strawberry.field(
        default=None,
        description="文件（必填，multipart 请求） — the file (PDF, OFD, Word, Excel, image or ZIP); required, "
        "sent as a multipart request (FILE_REQUIRED without it).",
    )


@strawberry.type(description="验收报告文件 — an uploaded acceptance report (R19.2, R19.4, R21.2).")
class AcceptanceReportFile:
    report: AcceptanceReportEnum = strawberry.field(description="报告类型 — which report.")
    file: Attachment = strawberry.field(description="文件 — the file, with its SHA-256 at upload.")


@strawberry.type(description="上传验收报告结果 — result of acceptanceReportUpload.")
class AcceptanceReportUploadPayload:
    report_file: AcceptanceReportFile | None = strawberry.field(
        description="已上传的报告 — the uploaded report."
    )
    user_errors: list[UserError] = strawberry.field(
        description="拒绝理由；成功时为空 — refusals; empty on success."
    )


async def report_files(ctx: Context, project: DomainProject) -> list[AcceptanceReportFile]:
    """Every uploaded acceptance report of the project, oldest first; none for a viewer who may not read
    the project's approval documents (the reports are read like them)."""
    actor = ctx.require_actor()
    if not ctx.authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project)):
        return []
    a = approval_tables.attachments
    async with ctx.session_factory() as session:
        rows = (
            await session.execute(
                select(a).where(a.c.owner_type == OWNER_TYPE, a.c.owner_id == project.id).order_by(a.c.id)
            )
        ).all()
    return [_report_file(row) for row in rows]


def _report_file(row: Any) -> AcceptanceReportFile:
    return AcceptanceReportFile(
        report=to_gql(AcceptanceReportEnum, AcceptanceReport(row.label)), file=_attachment(row)
    )


async def _checked(ctx: Context, file: Upload | None, label: str) -> CheckedUpload | Violation | None:
    """The file as received: accepted (type by content, size limit), or why not; None when none came."""
    if file is None:
        return None
    limit = ctx.settings.max_upload_bytes
    data = await file.read(limit + 1)
    checked = check_upload(getattr(file, "filename", None) or "file", data, max_bytes=limit, index=0)
    if isinstance(checked, Violation):
        return replace(checked, field=("input", "file"))
    return replace(checked, label=label)


@strawberry.type
class AcceptanceFileMutations:
    @strawberry.mutation(
        description="上传验收报告（项目单位） — the unit uploads an acceptance report as a file, stored with "
        "its SHA-256 (R19.2, R19.4, R21.2).",
        extensions=[Performs(Operation.ACCEPTANCE_REPORT_UPLOAD, on="Project")],
    )
    async def acceptance_report_upload(
        self, info: Ctx, input: AcceptanceReportUploadInput
    ) -> AcceptanceReportUploadPayload:
        ctx = info.context
        kind = to_domain(AcceptanceReport, input.report)
        pk = await use_cases.upload_report(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            kind=kind,
            upload=await _checked(ctx, input.file, str(kind)),
        )
        a = approval_tables.attachments
        async with ctx.session_factory() as session:
            row = (await session.execute(select(a).where(a.c.id == pk))).one()
        return AcceptanceReportUploadPayload(report_file=_report_file(row), user_errors=[])
