"""The acceptance reports of Art. 19/21 as uploaded files (R19.2, R19.4, R21.2): the upload mutation and
the list on a project's implementation, readable like its approval documents."""

from __future__ import annotations

from dataclasses import replace

import strawberry
from sqlalchemy import select
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import Payload, project_id_field
from api.graphql.construction.report_files import AcceptanceReportFile, _report_file
from api.graphql.enums import AcceptanceReportEnum, to_domain
from api.uploads import check_file
from authz.operations import Operation
from domain.acceptance import AcceptanceReport
from domain.errors import Violation
from domain.services import acceptance_files as use_cases
from store import approval_tables
from store.files import Upload as CheckedUpload

Ctx = Info[Context, None]


@strawberry.input(
    description="上传验收报告 — upload one acceptance report as a file (multipart request): the initial-"
    "acceptance report before a passed initial acceptance (R19.4), the five R19.2 reports before the "
    "application, the completion-acceptance report before the filing (R21.2). A later upload of the same "
    "kind replaces the earlier one."
)
class AcceptanceReportUploadInput:
    project_id: strawberry.ID = project_id_field()
    report: AcceptanceReportEnum = strawberry.field(
        description="上传的是哪一份验收报告（R19.2 五项、初验报告或竣工验收报告） — which acceptance report this file is: one of the five R19.2 reports, the initial- or the completion-acceptance report."
    )
    file: Upload | None = strawberry.field(
        default=None,
        description="文件（必填，multipart 请求） — the file (PDF, OFD, Word, Excel, image or ZIP); required, "
        "sent as a multipart request (FILE_REQUIRED without it).",
    )


_UPLOAD_REFUSALS = "拒绝理由（代码、规则、条款、字段、说明）；成功时为空 — why the upload was refused (code, rule, article, field, message); empty on success."


@strawberry.type(
    description="上传验收报告的结果：成功时为报告文件，否则为拒绝理由 — the answer of acceptanceReportUpload: the stored report file, or why it was refused."
)
class AcceptanceReportUploadPayload(Payload, errors=_UPLOAD_REFUSALS):
    report_file: AcceptanceReportFile | None = strawberry.field(
        description="刚上传的报告文件（含上传时的 SHA-256）；被拒绝时为空 — the report file just uploaded, with its SHA-256 at upload; null when refused."
    )


async def _checked(ctx: Context, file: Upload | None, label: str) -> CheckedUpload | Violation | None:
    """The file as received: accepted (type by content, size limit), or why not; None when none came."""
    if file is None:
        return None
    checked = await check_file(file, max_bytes=ctx.settings.max_upload_bytes, index=0)
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
