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
    "ProjectStatus",
    "项目状态 — lifecycle state of a project (RULES.md Lifecycle).",
    Status,
    {s: f"{STATUS_LABELS_ZH[s]} — {s.value.replace('_', ' ').lower()}" for s in Status},
)
ProjectKindEnum = _mirror(
    "ProjectKind",
    "项目类型：新建、运维、升级改造或迁移上云（第二、六条） — the kind of project: new build, operation and maintenance, upgrade or migration to the government cloud (Art. 2, 6).",
    ProjectKind,
    {
        ProjectKind.BUILD: "新建 — new build",
        ProjectKind.OPERATION_MAINTENANCE: "运维 — operation and maintenance",
        ProjectKind.UPGRADE: "升级改造 — upgrade",
        ProjectKind.MIGRATION: "迁移上云 — migration to the government cloud",
    },
)
ProjectCategoryEnum = _mirror(
    "ProjectCategory",
    "项目类别 — what Art. 2 lists as a government IT project (R2).",
    ProjectCategory,
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
    "FundingSource",
    "资金来源：市本级财政（R2）或政府主导、社会资本参与的 PPP（R25） — municipal fiscal money (R2) or PPP, government-led with social capital (R25).",
    FundingSource,
    {
        FundingSource.FISCAL: "市本级财政性资金 — municipal fiscal funds (Art. 2)",
        FundingSource.PPP: "政府主导、社会资本参与 — government-led with social capital, PPP (Art. 25)",
    },
)
ReserveCheckEnum = _mirror(
    "ReserveCheck",
    "入库审核的五项内容（第七条（一）至（五），R7） — the five checks a reserve review records, Art. 7 items 1–5 (R7).",
    ReserveCheck,
    {c: f"{CHECK_LABELS_ZH[c]} — Art. 7 ({i})" for i, c in enumerate(ReserveCheck, start=1)},
)
ReserveOutcomeEnum = _mirror(
    "ReserveOutcome",
    "入库审核结论 — outcome of a reserve review (R7).",
    ReserveOutcome,
    {
        ReserveOutcome.ACCEPTED: "同意入库 — accepted into the reserve",
        ReserveOutcome.RETURNED: "退回修改 — returned to the unit with reasons",
    },
)
OrganizationTypeEnum = _mirror(
    "OrganizationType",
    "单位类型，即其角色 — organization type, which is its role (RULES.md Actors).",
    OrgType,
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
    "Operation",
    "操作 — an operation of the API, as the authorization policy names it.",
    Operation,
    {op: f"{DESCRIPTIONS_ZH[op]} — {op.value}" for op in Operation},
)

# Approval documents (Art. 11–13) and annual plans (Art. 9–10)
from domain.approval_documents import DocumentStatus, EvaluationConclusion, SelectionMethod  # noqa: E402
from domain.approval_path import DOCUMENT_LABELS_ZH, DocumentType  # noqa: E402
from domain.mid_year import MidYearStatus  # noqa: E402
from domain.plans import EntryKind, PlanSource, PlanStatus  # noqa: E402

DocumentTypeEnum = _mirror(
    "ApprovalDocumentType",
    "审批文件类型 — approval document type (Art. 11).",
    DocumentType,
    {t: f"{DOCUMENT_LABELS_ZH[t]} — {t.value.replace('_', ' ').lower()}" for t in DocumentType},
)
DocumentStatusEnum = _mirror(
    "ApprovalDocumentStatus",
    "审批文件状态 — status of an approval document (Art. 13).",
    DocumentStatus,
    {
        DocumentStatus.SUBMITTED: "已提交 — submitted",
        DocumentStatus.UNDER_EVALUATION: "第三方评估中 — under third-party evaluation",
        DocumentStatus.EVALUATED: "已评估 — evaluated, awaiting approval",
        DocumentStatus.APPROVED: "已批复 — approved",
        DocumentStatus.RETURNED: "已退回修改 — returned for revision",
    },
)
SelectionMethodEnum = _mirror(
    "EvaluatorSelectionMethod",
    "第三方机构的竞争性选择方式 — competitive selection of the evaluator (Art. 13).",
    SelectionMethod,
    {
        SelectionMethod.PUBLIC_TENDER: "公开招标 — public tender",
        SelectionMethod.INVITED_TENDER: "邀请招标 — invited tender",
        SelectionMethod.COMPETITIVE_NEGOTIATION: "竞争性谈判 — competitive negotiation",
        SelectionMethod.COMPETITIVE_CONSULTATION: "竞争性磋商 — competitive consultation",
        SelectionMethod.INQUIRY: "询价 — request for quotations",
    },
)
EvaluationConclusionEnum = _mirror(
    "EvaluationConclusion",
    "评估结论 — the evaluator's conclusion (Art. 13).",
    EvaluationConclusion,
    {
        EvaluationConclusion.RECOMMENDED: "建议批复 — recommended",
        EvaluationConclusion.RECOMMENDED_WITH_CHANGES: "修改后建议批复 — recommended with changes",
        EvaluationConclusion.NOT_RECOMMENDED: "不建议批复 — not recommended",
    },
)
EntryKindEnum = _mirror(
    "PlanEntryKind",
    "计划类型 — build or O&M plan entry (Art. 10).",
    EntryKind,
    {EntryKind.BUILD: "建设计划 — build plan", EntryKind.OPERATION_MAINTENANCE: "运维计划 — O&M plan"},
)
PlanStatusEnum = _mirror(
    "AnnualPlanStatus",
    "年度投资计划状态 — status of an annual plan revision (Art. 10).",
    PlanStatus,
    {
        PlanStatus.COMPILED: "已编制 — compiled by bdb",
        PlanStatus.SUBMITTED: "已报市政府 — sent to the City Government",
        PlanStatus.APPROVED: "已批准（现行） — approved, in force",
        PlanStatus.RETURNED: "已退回 — returned by the City Government",
        PlanStatus.SUPERSEDED: "已被新修订取代 — superseded by a later revision",
    },
)
PlanSourceEnum = _mirror(
    "PlanItemSource",
    "项目列入年度计划的途径：年度征集或年中新增（第十条） — how a project entered the annual plan: the yearly call or a mid-year request (Art. 10).",
    PlanSource,
    {
        PlanSource.CALL: "年度征集 — the yearly call (Art. 9)",
        PlanSource.MID_YEAR: "年中新增 — mid-year (Art. 10)",
    },
)
MidYearStatusEnum = _mirror(
    "MidYearRequestStatus",
    "年中新增项目申请状态 — status of a mid-year request (Art. 10).",
    MidYearStatus,
    {
        MidYearStatus.SUBMITTED: "已申报，待大数据局审核 — submitted, awaiting bdb",
        MidYearStatus.BDB_APPROVED: "大数据局审核通过，待财政意见 — bdb agreed, awaiting finance",
        MidYearStatus.FINANCE_OPINED: "财政已出具意见，待市政府审定 — awaiting the City Government",
        MidYearStatus.APPROVED: "市政府同意，已纳入年度计划 — approved and in the plan",
        MidYearStatus.REJECTED: "未通过 — rejected",
    },
)

# Art. 14–22 (issue 4)
from domain.acceptance import AcceptanceReport  # noqa: E402
from domain.changes import ChangeAspect, ChangeReason, ChangeRoute, ChangeStatus  # noqa: E402
from domain.evaluation import Grade  # noqa: E402
from domain.funds import DisbursementKind  # noqa: E402
from domain.implementation import ContractAssignmentKind, ProcurementMethod, ProcurementRegime  # noqa: E402

ProcurementRegimeEnum = _mirror(
    "ProcurementRegime",
    "采购法律制度 — the procurement regime (Art. 15).",
    ProcurementRegime,
    {
        ProcurementRegime.GOVERNMENT_PROCUREMENT: "政府采购 — Government Procurement Law",
        ProcurementRegime.TENDERING: "招标投标 — Tendering and Bidding Law",
    },
)
ProcurementMethodEnum = _mirror(
    "ProcurementMethod",
    "采购方式 — the procurement method (Art. 15).",
    ProcurementMethod,
    {
        ProcurementMethod.PUBLIC_TENDER: "公开招标 — public tender",
        ProcurementMethod.INVITED_TENDER: "邀请招标 — invited tender",
        ProcurementMethod.COMPETITIVE_NEGOTIATION: "竞争性谈判 — competitive negotiation",
        ProcurementMethod.COMPETITIVE_CONSULTATION: "竞争性磋商 — competitive consultation",
        ProcurementMethod.SINGLE_SOURCE: "单一来源 — single source",
        ProcurementMethod.INQUIRY: "询价 — request for quotations",
        ProcurementMethod.FRAMEWORK_AGREEMENT: "框架协议 — framework agreement",
    },
)
ContractAssignmentKindEnum = _mirror(
    "ContractAssignmentKind",
    "合同转让方式 — how a winning bidder would pass the contract on (Art. 15).",
    ContractAssignmentKind,
    {
        ContractAssignmentKind.TRANSFER: "转包 — transfer to another",
        ContractAssignmentKind.SPLIT: "分包 — split",
    },
)
ChangeAspectEnum = _mirror(
    "ChangeAspect",
    "变更涉及的方面：建设规模、内容、标准或投资（第十六条） — what a change touches: scale, content, standard or investment (Art. 16).",
    ChangeAspect,
    {
        ChangeAspect.SCALE: "建设规模 — scale",
        ChangeAspect.CONTENT: "建设内容 — content",
        ChangeAspect.STANDARD: "建设标准 — standard",
        ChangeAspect.INVESTMENT: "投资 — investment",
    },
)
ChangeReasonEnum = _mirror(
    "ChangeReason",
    "变更原因 — the reason of a change (Art. 17).",
    ChangeReason,
    {
        ChangeReason.SUPERIOR_DEPLOYMENT: "上级部署 — deployment by a superior authority",
        ChangeReason.TECHNICAL_OPTIMISATION: "技术优化 — technical optimisation",
        ChangeReason.BUSINESS_NEEDS: "批复框架内的业务需求 — business needs within the approved framework",
        ChangeReason.OTHER: "其他 — any other reason",
    },
)
ChangeRouteEnum = _mirror(
    "ChangeRoute",
    "变更办理方式 — how a change is handled (Art. 16–17).",
    ChangeRoute,
    {
        ChangeRoute.FILING: "单位调整、报大数据局备案，即时生效 — filed by the unit, effective at once (R17)",
        ChangeRoute.APPROVAL: "报大数据局审批 — needs bdb approval (R16/R17)",
    },
)
ChangeStatusEnum = _mirror(
    "ChangeRequestStatus",
    "变更申请状态：已备案即生效、待审批、已批准或已驳回 — the state of a change request: FILED (in force), PENDING, APPROVED or REJECTED.",
    ChangeStatus,
    {
        ChangeStatus.FILED: "已备案（生效） — filed, effective",
        ChangeStatus.PENDING: "待审批 — waiting for bdb",
        ChangeStatus.APPROVED: "已批准（生效） — approved, effective",
        ChangeStatus.REJECTED: "未批准 — rejected",
    },
)
AcceptanceReportEnum = _mirror(
    "AcceptanceReport",
    "验收报告 — an acceptance report, uploaded as a file: the five the completion-acceptance application "
    "needs (R19.2), the initial-acceptance report (R19.4) and the completion-acceptance report (R21.2).",
    AcceptanceReport,
    {
        AcceptanceReport.CONSTRUCTION_SUMMARY: "建设总结报告 — construction summary",
        AcceptanceReport.FINANCIAL_REPORT: "财务报告 — financial report",
        AcceptanceReport.SUPERVISION_REPORT: "监理报告 — supervision report",
        AcceptanceReport.SECURITY_SECRECY_EVALUATION: "安全保密测评报告（涉密系统） — security and secrecy "
        "evaluation (classified systems)",
        AcceptanceReport.MLPS_EVALUATION: "网络安全等级保护测评报告（非涉密系统） — MLPS evaluation (other systems)",
        AcceptanceReport.CRYPTO_EVALUATION: "密码应用安全性评估报告 — cryptography application security evaluation",
        AcceptanceReport.INITIAL_ACCEPTANCE: "初步验收报告（通过初验前上传，R19.4） — the initial-acceptance "
        "report, uploaded before a passed initial acceptance",
        AcceptanceReport.COMPLETION_ACCEPTANCE: "竣工验收报告（备案前上传，R21.2） — the completion-acceptance "
        "report, uploaded before the filing",
    },
)
DisbursementKindEnum = _mirror(
    "DisbursementKind",
    "拨付类型：预付款、进度款或尾款（尾款须在验收报备后，第二十一条） — advance, progress or final payment; the final one only after the acceptance filing (Art. 21).",
    DisbursementKind,
    {
        DisbursementKind.ADVANCE: "预付款 — advance",
        DisbursementKind.PROGRESS: "进度款 — progress payment",
        DisbursementKind.FINAL: "剩余资金（尾款），备案后方可支付 — the remaining funds, only after filing (R21)",
    },
)
PostEvaluationGradeEnum = _mirror(
    "PostEvaluationGrade",
    "后评价等级 — grade of a post-evaluation (Art. 22).",
    Grade,
    {
        Grade.EXCELLENT: "优 — excellent",
        Grade.GOOD: "良 — good",
        Grade.FAIR: "中 — fair",
        Grade.POOR: "差 — poor",
    },
)
