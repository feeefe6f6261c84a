"""GraphQL enums mirroring the domain enums, with a Chinese/English description on every value."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import strawberry

from authz.operations import DESCRIPTIONS_ZH, Operation
from domain.actors import OrgType
from domain.lifecycle import STATUS_LABELS_ZH, Status
from domain.projects import FundingSource, ProjectCategory, ProjectKind
from domain.reserve import CHECK_LABELS_ZH, ReserveCheck, ReserveOutcome

E = TypeVar("E", bound=Enum)


def _mirror(name: str, description: str, domain: type[Enum], labels: dict[Any, str]) -> Any:
    members = {m.name: strawberry.enum_value(m.value, description=labels[m]) for m in domain}
    return strawberry.enum(Enum(name, members), description=description)  # type: ignore[misc]


def to_gql(mirror: Any, member: Enum) -> Any:
    return mirror[member.name]


def to_domain(domain: type[E], member: Enum) -> E:
    return domain[member.name]


ProjectStatusEnum = _mirror(
    "ProjectStatus", "项目状态 — lifecycle state of a project (RULES.md Lifecycle).", Status,
    {s: f"{STATUS_LABELS_ZH[s]} — {s.value.replace('_', ' ').lower()}" for s in Status},
)
ProjectKindEnum = _mirror(
    "ProjectKind", "项目类型 — kind of project (Art. 2, 6).", ProjectKind,
    {
        ProjectKind.BUILD: "新建 — new build",
        ProjectKind.OPERATION_MAINTENANCE: "运维 — operation and maintenance",
        ProjectKind.UPGRADE: "升级改造 — upgrade",
        ProjectKind.MIGRATION: "迁移上云 — migration to the government cloud",
    },
)
ProjectCategoryEnum = _mirror(
    "ProjectCategory", "项目类别 — what Art. 2 lists as a government IT project (R2).", ProjectCategory,
    {
        ProjectCategory.NETWORK_PLATFORM: "电子政务网络平台 — e-government network platform",
        ProjectCategory.BUSINESS_SYSTEM: "业务信息系统 — business information system",
        ProjectCategory.RESOURCE_DATABASE: "信息资源库 — information resource database",
        ProjectCategory.INFRASTRUCTURE: "电子政务基础设施 — e-government infrastructure",
        ProjectCategory.SECURITY_CRYPTO: "网络安全和密码防护 — network security and cryptographic protection",
        ProjectCategory.SUPPORT_SYSTEM: "相关支撑体系 — supporting systems",
    },
)
FundingSourceEnum = _mirror(
    "FundingSource", "资金来源 — funding source (R2, R25).", FundingSource,
    {
        FundingSource.FISCAL: "市本级财政性资金 — municipal fiscal funds (Art. 2)",
        FundingSource.PPP: "政府主导、社会资本参与 — government-led with social capital, PPP (Art. 25)",
    },
)
ReserveCheckEnum = _mirror(
    "ReserveCheck", "入库审核项 — the five checks of Art. 7 (R7).", ReserveCheck,
    {c: f"{CHECK_LABELS_ZH[c]} — Art. 7 ({i})" for i, c in enumerate(ReserveCheck, start=1)},
)
ReserveOutcomeEnum = _mirror(
    "ReserveOutcome", "入库审核结论 — outcome of a reserve review (R7).", ReserveOutcome,
    {ReserveOutcome.ACCEPTED: "同意入库 — accepted into the reserve",
     ReserveOutcome.RETURNED: "退回修改 — returned to the unit with reasons"},
)
OrganizationTypeEnum = _mirror(
    "OrganizationType", "单位类型，即其角色 — organization type, which is its role (RULES.md Actors).", OrgType,
    {
        OrgType.BDB: "市大数据管理局 — Big Data Bureau",
        OrgType.FINANCE: "市财政局 — Finance Bureau",
        OrgType.CAC: "市委网信办 — Cyberspace Affairs office",
        OrgType.PSB: "市公安局 — Public Security Bureau",
        OrgType.CRYPTO: "市国家密码管理局 — Cryptography Administration",
        OrgType.AUDIT: "市审计局 — Audit Bureau",
        OrgType.GOVERNMENT: "市政府 — City Government",
        OrgType.UNIT: "项目单位 — project unit",
        OrgType.EVALUATOR: "第三方中介服务机构 — third-party evaluator",
        OrgType.INTEGRATOR: "对接系统 — integrating system",
    },
)
OperationEnum = _mirror(
    "Operation", "操作 — an operation of the API, as the authorization policy names it.", Operation,
    {op: f"{DESCRIPTIONS_ZH[op]} — {op.value}" for op in Operation},
)
