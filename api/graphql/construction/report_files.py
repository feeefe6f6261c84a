"""The acceptance reports of a project's implementation as uploaded files (R19.2, R19.4, R21.2), read like its
approval documents; the upload mutation is api/graphql/acceptance/files.py."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from api.context import Context
from api.graphql.approvals.types import Attachment, _attachment
from api.graphql.enums import AcceptanceReportEnum, to_gql
from authz.operations import Operation
from authz.scopes import project_facts
from domain.acceptance import AcceptanceReport
from domain.projects import Project as DomainProject
from store import approval_tables
from store.acceptance_files import OWNER_TYPE


@strawberry.type(
    description="一份已上传的验收报告文件：报告类型与文件（含上传时的 SHA-256） — one uploaded acceptance report: which report it is and the file with its SHA-256 at upload (R19.2, R19.4, R21.2)."
)
class AcceptanceReportFile:
    report: AcceptanceReportEnum = strawberry.field(
        description="这是哪一份验收报告（R19.2 五项、初验报告或竣工验收报告） — which acceptance report this file is: one of the five R19.2 reports, the initial- or the completion-acceptance report."
    )
    file: Attachment = strawberry.field(
        description="上传的文件：名称、大小、类型与上传时的 SHA-256，可在 /attachments/{id} 下载 — the uploaded file: name, size, type and its SHA-256 at upload; download it at /attachments/{id}."
    )


async def report_files(ctx: Context, project: DomainProject) -> list[AcceptanceReportFile]:
    """Every uploaded acceptance report of the project, oldest first; none for a viewer who may not read
    the project's approval documents (the reports are read like them)."""
    actor = ctx.require_actor()
    if not ctx.authorizer.allowed(actor, Operation.APPROVAL_DOCUMENT_READ, project_facts(actor, project)):
        return []
    a = approval_tables.attachments
    async with ctx.read_session_factory() as session:
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
