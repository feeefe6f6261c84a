"""The project as the unit drafts it (Art. 2, 6, 8, 25) and its submission to the reserve library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from domain.errors import DomainError, Violation
from domain.lifecycle import Status, transition
from domain.money import MAX_CNY, format_cny

if TYPE_CHECKING:  # approval_documents imports this module (through approval_path)
    from domain.approval_documents import ApprovalDocument


class ProjectKind(StrEnum):
    """建设 / 运维 / 升级改造 / 迁移 (Art. 2, 6)."""

    BUILD = "BUILD"
    OPERATION_MAINTENANCE = "OPERATION_MAINTENANCE"
    UPGRADE = "UPGRADE"
    MIGRATION = "MIGRATION"


class ProjectCategory(StrEnum):
    """What Art. 2 lists as a government IT project (R2)."""

    NETWORK_PLATFORM = "NETWORK_PLATFORM"
    BUSINESS_SYSTEM = "BUSINESS_SYSTEM"
    RESOURCE_DATABASE = "RESOURCE_DATABASE"
    INFRASTRUCTURE = "INFRASTRUCTURE"
    SECURITY_CRYPTO = "SECURITY_CRYPTO"
    SUPPORT_SYSTEM = "SUPPORT_SYSTEM"


class FundingSource(StrEnum):
    """Municipal fiscal money (R2) or government-led with social capital, PPP (R25)."""

    FISCAL = "FISCAL"
    PPP = "PPP"


@dataclass
class Participant:
    """A participating unit of a cross-department project and its own part (R8)."""

    organization_id: int
    business_flow: str = ""
    data_flow: str = ""
    interfaces: str = ""
    id: int | None = None
    project_id: int | None = None

    def missing_parts(self) -> list[str]:
        return [
            name for name in ("business_flow", "data_flow", "interfaces") if not getattr(self, name).strip()
        ]


@dataclass
class CatalogueItem:
    """An entry of the project's initial data catalogue (R8)."""

    code: str
    name: str
    new_construction: bool = True
    id: int | None = None
    project_id: int | None = None


@dataclass
class Project:
    name: str
    kind: ProjectKind
    category: ProjectCategory
    funding_source: FundingSource
    total_investment: Decimal
    lead_organization_id: int
    description: str = ""
    deploys_on_government_cloud: bool = True
    connects_resource_platform: bool = True
    platform_exemption_reason: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    status: Status = Status.DRAFT
    # Facts Art. 11 looks at (R11.1–R11.3), recorded by the unit once the project is in the reserve.
    listed_plan_reference: str | None = None
    urgent_legal_basis: str | None = None
    technically_simple: bool = False
    single_content: bool = False
    # Set by the annual plan (R10) and by the preliminary-design approval (R13): the project's approval
    # date is the preliminary-design approval date.
    plan_year: int | None = None
    approval_date: date | None = None
    approved_investment: Decimal | None = None
    # Art. 23 sanctions (domain/supervision.py): plan deferred by bdb; the state a suspension interrupted.
    plan_deferred: bool = False
    suspended_from: Status | None = None
    # R19.2: a classified (涉密) system attaches a security-and-secrecy evaluation instead of the MLPS one;
    # R21–R22: the day bdb acknowledged the acceptance filing, when operation began (issue 4).
    classified: bool = False
    operation_started_on: date | None = None
    code: str | None = None
    year: int | None = None
    submitted_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None
    participants: list[Participant] = field(default_factory=list)
    catalogue: list[CatalogueItem] = field(default_factory=list)
    documents: list[ApprovalDocument] = field(default_factory=list)  # newest version last

    def touch(self, now: datetime) -> None:
        """Every accepted change moves the version, so a client holding an older copy is refused."""
        self.version += 1
        self.updated_at = now

    def participant(self, organization_id: int) -> Participant | None:
        return next((p for p in self.participants if p.organization_id == organization_id), None)

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps as before/after."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "kind": str(self.kind),
            "category": str(self.category),
            "fundingSource": str(self.funding_source),
            "totalInvestment": format_cny(self.total_investment),
            "deploysOnGovernmentCloud": self.deploys_on_government_cloud,
            "connectsResourcePlatform": self.connects_resource_platform,
            "platformExemptionReason": self.platform_exemption_reason,
            "status": str(self.status),
            "version": self.version,
            "listedPlanReference": self.listed_plan_reference,
            "urgentLegalBasis": self.urgent_legal_basis,
            "technicallySimple": self.technically_simple,
            "singleContent": self.single_content,
            "planYear": self.plan_year,
            "approvalDate": self.approval_date.isoformat() if self.approval_date else None,
            "approvedInvestment": format_cny(self.approved_investment) if self.approved_investment else None,
            "classified": self.classified,
            "operationStartedOn": self.operation_started_on.isoformat()
            if self.operation_started_on
            else None,
            "participants": [
                {
                    "organizationId": p.organization_id,
                    "businessFlow": p.business_flow,
                    "dataFlow": p.data_flow,
                    "interfaces": p.interfaces,
                }
                for p in self.participants
            ],
            "catalogue": [
                {"code": c.code, "name": c.name, "newConstruction": c.new_construction}
                for c in self.catalogue
            ],
        }


def check_draft(project: Project) -> list[Violation]:
    """What a draft must satisfy whenever it is saved: sane values and the R6 exemption reason."""
    found: list[Violation] = []
    if not project.name.strip() or len(project.name) > 200:
        found.append(
            Violation(
                "INVALID_NAME",
                "项目名称不能为空，且不超过200个字符。",
                "The project name is required and at most 200 characters.",
                field=("input", "name"),
            )
        )
    if project.total_investment <= 0 or project.total_investment > MAX_CNY:
        found.append(
            Violation(
                "INVALID_AMOUNT",
                "总投资须大于0元。",
                "The total investment must be greater than 0 CNY.",
                field=("input", "totalInvestment"),
            )
        )
    exempt = not (project.deploys_on_government_cloud and project.connects_resource_platform)
    if exempt and not (project.platform_exemption_reason or "").strip():
        found.append(
            Violation(
                "PLATFORM_EXEMPTION_REASON_REQUIRED",
                "新建项目应依托市级政务云部署并接入统一政务信息资源库平台；不部署或不接入的，须说明国家、省规定或业务特殊需要等理由。",
                "A new project deploys on the municipal government cloud and connects to the unified resource "
                "platform; an exemption needs its reason (national/provincial rule or special business need).",
                rule="R6",
                field=("input", "platformExemptionReason"),
            )
        )
    seen: set[int] = set()
    for index, participant in enumerate(project.participants):
        if participant.organization_id == project.lead_organization_id or participant.organization_id in seen:
            found.append(
                Violation(
                    "DUPLICATE_PARTICIPANT",
                    "参建单位不能重复，也不能是牵头单位本身。",
                    "A participating unit may appear once and may not be the lead unit itself.",
                    rule="R8",
                    field=("input", "participants", str(index), "organizationId"),
                )
            )
        seen.add(participant.organization_id)
    codes: set[str] = set()
    for index, item in enumerate(project.catalogue):
        if not item.code.strip() or not item.name.strip() or item.code in codes:
            found.append(
                Violation(
                    "INVALID_CATALOGUE_ITEM",
                    "数据目录条目须有编码和名称，且编码在本项目内不重复。",
                    "A catalogue item needs a code and a name, and its code is unique within the project.",
                    rule="R8",
                    field=("input", "catalogue", str(index)),
                )
            )
        codes.add(item.code)
    return found


def check_participant_organizations(project: Project, types: dict[int, str]) -> list[Violation]:
    """R8: participants are project units that exist."""
    return [
        Violation(
            "INVALID_PARTICIPANT",
            "参建单位须为已登记的项目单位。",
            "A participating unit must be a registered project unit.",
            rule="R8",
            field=("input", "participants", str(index), "organizationId"),
        )
        for index, participant in enumerate(project.participants)
        if types.get(participant.organization_id) != "unit"
    ]


def check_submission(project: Project, *, catalogue_claimed_elsewhere: dict[str, str]) -> list[Violation]:
    """R7/R8: what a project must hold before it can enter reserve review; every gap is listed."""
    found = check_draft(project)
    if not project.description.strip():
        found.append(
            Violation(
                "DESCRIPTION_REQUIRED",
                "提交入库前须填写项目建设内容说明。",
                "Describe the project's scope before submitting it to the reserve.",
                rule="R7",
                field=("input", "description"),
            )
        )
    if project.participants and not project.catalogue:
        found.append(
            Violation(
                "DATA_CATALOGUE_REQUIRED",
                "跨部门共建共享项目应初步形成数据目录。",
                "A cross-department project must hold an initial data catalogue.",
                rule="R8",
                field=("input", "catalogue"),
            )
        )
    for index, participant in enumerate(project.participants):
        for part in participant.missing_parts():
            camel = {"business_flow": "businessFlow", "data_flow": "dataFlow", "interfaces": "interfaces"}[
                part
            ]
            label = {"business_flow": "业务流", "data_flow": "数据流", "interfaces": "系统接口"}[part]
            found.append(
                Violation(
                    "PARTICIPANT_PART_MISSING",
                    f"参建单位须明确其与总体工程的{label}。",
                    f"Each participating unit must state its {camel} with the overall project.",
                    rule="R8",
                    field=("input", "participants", str(index), camel),
                )
            )
    for index, item in enumerate(project.catalogue):
        other = catalogue_claimed_elsewhere.get(item.code)
        if item.new_construction and other:
            found.append(
                Violation(
                    "CATALOGUE_ITEM_ALREADY_CLAIMED",
                    f"数据目录条目「{item.code}」已由项目 {other} 作为新建内容申报，建设内容不得重复交叉。",
                    f"Catalogue item {item.code} is already claimed as new construction by project {other}.",
                    rule="R8",
                    field=("input", "catalogue", str(index), "code"),
                )
            )
    return found


def ensure_submittable(project: Project, *, catalogue_claimed_elsewhere: dict[str, str]) -> None:
    """R7/R8: refuse a project that cannot enter reserve review now, listing every gap."""
    problems = check_submission(project, catalogue_claimed_elsewhere=catalogue_claimed_elsewhere)
    if problems:
        raise DomainError(problems)
    transition(project.status, Status.RESERVE_REVIEW, rule="R7")


def submit_to_reserve(
    project: Project,
    *,
    code: str | None,
    year: int,
    now: datetime,
    catalogue_claimed_elsewhere: dict[str, str],
) -> None:
    """Move a complete draft into reserve review; a first submission receives its code."""
    ensure_submittable(project, catalogue_claimed_elsewhere=catalogue_claimed_elsewhere)
    project.status = Status.RESERVE_REVIEW
    if project.code is None:
        project.code, project.year = code, year
    project.submitted_at = now


def project_code(year: int, sequence: int) -> str:
    """The readable code a project keeps for life: YK-2026-0001."""
    return f"YK-{year}-{sequence:04d}"


def ensure_draft(project: Project) -> None:
    """Only a draft is edited freely; after submission a change goes through its own procedure (R16)."""
    if project.status is not Status.DRAFT:
        raise DomainError(
            [
                Violation(
                    "PROJECT_NOT_EDITABLE",
                    "项目已提交，不能直接修改；如被退回，可在退回后修改再提交。",
                    "The project has been submitted and cannot be edited unless it is returned.",
                    rule="R16",
                )
            ]
        )
