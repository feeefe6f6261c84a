"""R11: which approval document a project may submit next, from its facts alone.

项目建议书 proposal → 可行性研究报告 feasibility study → 初步设计 preliminary design (R11.0), with the three
shortcuts of Art. 11 (R11.1–R11.3). One function decides; the API shows its answer as nextApprovalStep.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, Violation
from domain.projects import Project
from domain.rules import RuleId


class DocumentType(StrEnum):
    PROPOSAL = "PROPOSAL"
    FEASIBILITY_STUDY = "FEASIBILITY_STUDY"
    PRELIMINARY_DESIGN = "PRELIMINARY_DESIGN"


DOCUMENT_LABELS_ZH: dict[DocumentType, str] = {
    DocumentType.PROPOSAL: "项目建议书",
    DocumentType.FEASIBILITY_STUDY: "可行性研究报告",
    DocumentType.PRELIMINARY_DESIGN: "初步设计",
}

# "总投资额200万元以下" — 以下 includes the number itself (RULES.md counting conventions).
SMALL_PROJECT_LIMIT = Decimal("2000000.00")


@dataclass(frozen=True, slots=True)
class PathFacts:
    """What Art. 11 looks at."""

    approved: frozenset[DocumentType]
    in_plan: bool  # listed in a municipal-or-higher plan, or in an approved annual investment plan (R11.1)
    urgent_legal_basis: str | None  # urgent, meeting national/provincial/municipal rules; the basis (R11.2)
    technically_simple: bool
    single_content: bool
    total_investment: Decimal
    in_reserve: bool = True  # documents are prepared for projects in the reserve or the plan (Art. 7, 11)
    document_under_review: bool = False  # one document at a time: the next waits for this one's decision


@dataclass(frozen=True, slots=True)
class Step:
    document: DocumentType
    rule: RuleId
    zh: str
    en: str


def path_facts(project: Project) -> PathFacts:
    """The Art. 11 facts of a project: its approved documents, plan listing and declared characteristics."""
    from domain.approval_documents import DocumentStatus
    from domain.lifecycle import Status

    return PathFacts(
        in_reserve=project.status in (Status.IN_RESERVE, Status.PLANNED),
        document_under_review=any(d.open for d in project.documents),
        approved=frozenset(d.type for d in project.documents if d.status is DocumentStatus.APPROVED),
        in_plan=project.plan_year is not None or bool((project.listed_plan_reference or "").strip()),
        urgent_legal_basis=project.urgent_legal_basis,
        technically_simple=project.technically_simple,
        single_content=project.single_content,
        total_investment=project.total_investment,
    )


def allowed_steps(facts: PathFacts) -> list[Step]:
    """Every document the project may submit now, the most direct first."""
    if not facts.in_reserve or facts.document_under_review:
        return []
    approved = facts.approved
    if DocumentType.PRELIMINARY_DESIGN in approved:
        return []
    if DocumentType.FEASIBILITY_STUDY in approved:
        return [
            Step(
                DocumentType.PRELIMINARY_DESIGN,
                "R11.0",
                "可行性研究报告已批复，编报初步设计。",
                "The feasibility study is approved: the preliminary design is next.",
            )
        ]
    if DocumentType.PROPOSAL in approved:
        steps = [
            Step(
                DocumentType.FEASIBILITY_STUDY,
                "R11.0",
                "项目建议书已批复，编报可行性研究报告。",
                "The proposal is approved: the feasibility study is next.",
            )
        ]
        reasons = _small_or_simple(facts)
        if reasons:
            steps.insert(
                0,
                Step(
                    DocumentType.PRELIMINARY_DESIGN,
                    "R11.3",
                    f"项目建议书已批复，且{'、'.join(r[0] for r in reasons)}，可直接编报初步设计。",
                    f"The proposal is approved and the project is {', '.join(r[1] for r in reasons)}: "
                    "it may go straight to the preliminary design.",
                ),
            )
        return steps
    steps = [
        Step(
            DocumentType.PROPOSAL,
            "R11.0",
            "默认程序：先编报项目建议书。",
            "The default path starts with the proposal.",
        )
    ]
    if facts.in_plan:
        steps.insert(
            0,
            Step(
                DocumentType.FEASIBILITY_STUDY,
                "R11.1",
                "已列入市级及以上相关规划或年度投资计划，可直接编报可行性研究报告。",
                "Listed in a municipal-or-higher plan or the annual investment plan: "
                "it may start at the feasibility study.",
            ),
        )
    if facts.urgent_legal_basis and facts.urgent_legal_basis.strip():
        steps.insert(
            0,
            Step(
                DocumentType.PRELIMINARY_DESIGN,
                "R11.2",
                "需要紧急建设且符合相关规定，可直接编报初步设计。",
                "Urgent and meeting the applicable rules: it may start at the preliminary design.",
            ),
        )
    return steps


def _small_or_simple(facts: PathFacts) -> list[tuple[str, str]]:
    reasons = []
    if facts.technically_simple:
        reasons.append(("技术方案简单", "technically simple"))
    if facts.single_content:
        reasons.append(("建设内容单一", "single in content"))
    if facts.total_investment <= SMALL_PROJECT_LIMIT:
        reasons.append(("总投资额200万元以下", "at most 2,000,000.00 CNY in total"))
    return reasons


def next_step(facts: PathFacts) -> Step | None:
    """The most direct document allowed now; None outside the reserve, while a document is under review, or
    once the preliminary design is approved."""
    steps = allowed_steps(facts)
    return steps[0] if steps else None


def ensure_step_allowed(facts: PathFacts, document: DocumentType) -> Step:
    """The step that allows this document, or a refusal naming what is allowed instead."""
    steps = allowed_steps(facts)
    for step in steps:
        if step.document is document:
            return step
    allowed_zh = "、".join(DOCUMENT_LABELS_ZH[s.document] for s in steps) or "无（初步设计已批复）"
    allowed_en = ", ".join(s.document.value for s in steps) or "none (the preliminary design is approved)"
    rule: RuleId = (
        "R11.3"
        if document is DocumentType.PRELIMINARY_DESIGN and DocumentType.PROPOSAL in facts.approved
        else "R11.0"
    )
    raise DomainError(
        [
            Violation(
                "APPROVAL_STEP_NOT_ALLOWED",
                f"按第十一条，本项目现在不能编报{DOCUMENT_LABELS_ZH[document]}；可编报：{allowed_zh}。",
                f"Under Art. 11 the project may not submit a {document.value} now; allowed: {allowed_en}.",
                rule=rule,
                field=("input", "type"),
            )
        ]
    )
