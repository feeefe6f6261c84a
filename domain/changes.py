"""R16–R17 (Art. 16–17): change control — what may be filed by the unit, what needs bdb approval.

[interp] R17 "调整资金不超过总投资15%" — the adjusted funds of a change are the amount moved between
construction contents (declared by the unit, never negative); "总投资" is the approved total investment in
force when the change is classified. The 15 % counts cumulatively: the adjusted funds of every change
already *filed* under R17 plus this one must stay ≤ 15 % of that total (≤ includes the bound, RULES.md).
Approved changes (R16) do not count towards the 15 %: bdb looked at them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError, Violation
from domain.rules import RuleId

FILING_SHARE = Decimal("0.15")


class ChangeAspect(StrEnum):
    """What a change touches (Art. 16): 建设规模 / 建设内容 / 建设标准 / 投资."""

    SCALE = "SCALE"
    CONTENT = "CONTENT"
    STANDARD = "STANDARD"
    INVESTMENT = "INVESTMENT"


class ChangeReason(StrEnum):
    """The three reasons of Art. 17 that allow a filing, and anything else."""

    SUPERIOR_DEPLOYMENT = "SUPERIOR_DEPLOYMENT"  # 上级部署
    TECHNICAL_OPTIMISATION = "TECHNICAL_OPTIMISATION"  # 技术优化
    BUSINESS_NEEDS = "BUSINESS_NEEDS"  # 批复框架内的业务需求
    OTHER = "OTHER"


FILING_REASONS = frozenset(
    {ChangeReason.SUPERIOR_DEPLOYMENT, ChangeReason.TECHNICAL_OPTIMISATION, ChangeReason.BUSINESS_NEEDS}
)


class ChangeRoute(StrEnum):
    """Filed with bdb and effective at once (R17), or waiting for bdb approval (R16/R17)."""

    FILING = "FILING"
    APPROVAL = "APPROVAL"


class ChangeStatus(StrEnum):
    FILED = "FILED"  # R17: effective at once
    PENDING = "PENDING"  # waits for bdb
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """What the unit declares about a change."""

    aspects: frozenset[ChangeAspect]
    new_total_investment: Decimal
    adjusted_funds: Decimal
    same_objectives: bool
    reason: ChangeReason


@dataclass(frozen=True, slots=True)
class Classification:
    """The route a change takes, the rule that decided it, and why (zh/en)."""

    route: ChangeRoute
    rule: RuleId
    zh: str
    en: str
    cumulative_adjusted: Decimal
    filing_limit: Decimal


def filing_limit(approved_total: Decimal) -> Decimal:
    """15 % of the approved total, exact to the fen (rounded down: the limit is never generous)."""
    return (approved_total * FILING_SHARE).quantize(Decimal("0.01"), rounding="ROUND_DOWN")


def check_facts(facts: ChangeFacts) -> None:
    problems: list[Violation] = []
    if not facts.aspects:
        problems.append(
            Violation(
                "CHANGE_ASPECT_REQUIRED",
                "须说明变更的规模、内容、标准或投资。",
                "Say what changes: scale, content, standard or investment.",
                rule="R16",
                field=("input", "aspects"),
            )
        )
    if facts.adjusted_funds < 0:
        problems.append(
            Violation(
                "NEGATIVE_AMOUNT",
                "调整资金不能为负数。",
                "Adjusted funds cannot be negative.",
                rule="R17",
                field=("input", "adjustedFunds"),
            )
        )
    if facts.new_total_investment <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "变更后总投资须大于0元。",
                "The total investment after the change must be > 0.",
                rule="R16",
                field=("input", "newTotalInvestment"),
            )
        )
    if problems:
        raise DomainError(problems)


def classify(facts: ChangeFacts, *, approved_total: Decimal, filed_adjustments: Decimal) -> Classification:
    """R16/R17: an increase of the total → approval; a small filed change within the total → filing."""
    limit = filing_limit(approved_total)
    cumulative = filed_adjustments + facts.adjusted_funds
    if facts.new_total_investment > approved_total:
        return Classification(
            ChangeRoute.APPROVAL,
            "R16",
            "变更增加总投资，须报市大数据管理局审批。",
            "The change increases the total investment: bdb must approve it.",
            cumulative,
            limit,
        )
    reasons_zh, reasons_en = [], []
    if not facts.same_objectives:
        reasons_zh.append("建设目标发生变化")
        reasons_en.append("the objectives change")
    if facts.reason not in FILING_REASONS:
        reasons_zh.append("变更原因不属于上级部署、技术优化或批复框架内的业务需求")
        reasons_en.append("the reason is not one of the three of Art. 17")
    if cumulative > limit:
        reasons_zh.append(f"累计调整资金 {cumulative} 元超过总投资15%（{limit} 元）")
        reasons_en.append(f"cumulative adjusted funds {cumulative} exceed 15 % of the total ({limit})")
    if reasons_zh:
        return Classification(
            ChangeRoute.APPROVAL,
            "R17",
            "；".join(reasons_zh) + "，须报市大数据管理局审批。",
            "; ".join(reasons_en).capitalize() + ": bdb must approve it.",
            cumulative,
            limit,
        )
    return Classification(
        ChangeRoute.FILING,
        "R17",
        f"总投资不变、目标不变，累计调整资金 {cumulative} 元不超过总投资15%（{limit} 元），"
        "由项目单位调整并报备，即时生效。",
        f"Within the approved total, same objectives, cumulative adjusted funds {cumulative} ≤ "
        f"15 % of the total ({limit}): the unit files it and it takes effect at once.",
        cumulative,
        limit,
    )


@dataclass(frozen=True, slots=True)
class ChangeDeclaration:
    """What the unit submits (R16–R17): the change, its reason and its figures."""

    aspects: list[ChangeAspect]
    description: str
    reason: ChangeReason
    same_objectives: bool
    new_total_investment: Decimal
    adjusted_funds: Decimal
    reason_detail: str = ""

    @property
    def facts(self) -> ChangeFacts:
        """What R16–R17 classify."""
        return ChangeFacts(
            aspects=frozenset(self.aspects),
            new_total_investment=self.new_total_investment,
            adjusted_funds=self.adjusted_funds,
            same_objectives=self.same_objectives,
            reason=self.reason,
        )


@dataclass
class ChangeRequest:
    """A change request as filed (R16–R17): the unit's declaration, its route and, once decided, bdb's answer."""

    project_id: int
    aspects: list[str]
    description: str
    reason: ChangeReason
    same_objectives: bool
    new_total_investment: Decimal
    adjusted_funds: Decimal
    previous_total_investment: Decimal
    route: ChangeRoute
    rule: str
    status: ChangeStatus
    submitted_at: datetime
    reason_detail: str = ""
    submitted_by_user_id: int | None = None
    decided_at: datetime | None = None
    decision_opinion: str | None = None
    id: int | None = None

    @property
    def facts(self) -> ChangeFacts:
        """What R16–R17 classify."""
        return ChangeFacts(
            aspects=frozenset(ChangeAspect(a) for a in self.aspects),
            new_total_investment=self.new_total_investment,
            adjusted_funds=self.adjusted_funds,
            same_objectives=self.same_objectives,
            reason=self.reason,
        )

    @property
    def pending(self) -> bool:
        return self.status is ChangeStatus.PENDING

    @property
    def filed_adjustment(self) -> Decimal:
        """R17: what this change counts towards the 15 % — its adjusted funds when filed, else nothing."""
        filed = self.route is ChangeRoute.FILING and self.status is ChangeStatus.FILED
        return self.adjusted_funds if filed else Decimal(0)

    def decide(self, *, approve: bool, opinion: str, now: datetime) -> None:
        """R16: bdb's decision on a pending change (the use case checked it is pending)."""
        self.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        self.decided_at = now
        self.decision_opinion = opinion


@dataclass
class FigureVersion:
    """One version of the approved figures: 1 is the preliminary-design approval, each effective change
    (filed or approved) the next (R16–R17)."""

    project_id: int
    version: int
    approved_investment: Decimal
    effective_on: date
    recorded_at: datetime
    change_request_id: int | None = None
    note: str = ""
    id: int | None = None
