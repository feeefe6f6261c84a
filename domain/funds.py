"""Fund disbursements (Art. 21) and data-centre resources: never above the approved investment; the
remaining funds and data-centre resources wait for the acceptance filing (R21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.acceptance import refuse_before_filing
from domain.errors import DomainError, Violation


class DisbursementKind(StrEnum):
    """预付款 / 进度款 / 尾款（剩余资金）."""

    ADVANCE = "ADVANCE"
    PROGRESS = "PROGRESS"
    FINAL = "FINAL"  # the remaining funds: only after the acceptance report is filed (R21)


def approval_problems(approved_investment: Decimal | None) -> list[Violation]:
    """R13.1: nothing is disbursed before an investment is approved."""
    if approved_investment is not None:
        return []
    return [
        Violation(
            "NOT_APPROVED",
            "项目尚无批复投资，不能拨付资金。",
            "The project has no approved investment: nothing can be disbursed.",
            rule="R13.1",
        )
    ]


def check_disbursement(
    *,
    kind: DisbursementKind,
    amount: Decimal,
    already_disbursed: Decimal,
    approved_investment: Decimal | None,
    filed: bool,
) -> None:
    """Refuse a disbursement that is not positive, goes above the approved investment, or pays the
    remaining funds before the acceptance filing — every problem at once."""
    problems: list[Violation] = []
    if amount <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "拨付金额须大于0元。",
                "A disbursement must be > 0.",
                rule="R21",
                field=("input", "amount"),
            )
        )
    problems.extend(approval_problems(approved_investment))
    if approved_investment is not None and already_disbursed + amount > approved_investment:
        problems.append(
            Violation(
                "DISBURSEMENT_ABOVE_APPROVED",
                f"累计拨付 {already_disbursed + amount} 元将超过批复投资 {approved_investment} 元。",
                f"Cumulative disbursements {already_disbursed + amount} would exceed the approved investment "
                f"{approved_investment}.",
                rule="R21",
                field=("input", "amount"),
            )
        )
    if kind is DisbursementKind.FINAL and not filed:
        problems.extend(
            refuse_before_filing(
                "支付项目剩余资金",
                "payment of the remaining funds",
                "FINAL_PAYMENT_BEFORE_FILING",
                ("input", "kind"),
            ).violations
        )
    if problems:
        raise DomainError(problems)


def check_resource_allocation(*, filed: bool) -> None:
    """R21: no data-centre resources for a project whose acceptance report is not filed."""
    if not filed:
        raise refuse_before_filing(
            "分配数据中心资源", "data-centre resources are allocated", "RESOURCES_BEFORE_FILING"
        )


@dataclass
class Disbursement:
    """A payment finance recorded against the approved investment (R21)."""

    project_id: int
    kind: DisbursementKind
    amount: Decimal
    paid_on: date
    recorded_at: datetime
    note: str = ""
    recorded_by_user_id: int | None = None
    id: int | None = None


@dataclass
class ResourceAllocation:
    """Data-centre resources bdb allocated to a filed project (R21)."""

    project_id: int
    resources: str
    recorded_at: datetime
    recorded_by_user_id: int | None = None
    id: int | None = None
