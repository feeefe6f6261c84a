"""R14–R15 (Art. 14–15): the legal person, procurement (government procurement or tendering), the
supervision (监理) firm and the contract; no transfer or split of the contract; O&M procured by bdb."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.changes import ChangeRequest, FigureVersion
from domain.errors import DomainError, Violation
from domain.lifecycle import Status
from domain.progress import ProgressReport
from domain.projects import Project, ProjectKind


class ProcurementRegime(StrEnum):
    """政府采购法 or 招标投标法 (Art. 15)."""

    GOVERNMENT_PROCUREMENT = "GOVERNMENT_PROCUREMENT"
    TENDERING = "TENDERING"


class ProcurementMethod(StrEnum):
    """Methods of the two laws: 公开招标, 邀请招标, 竞争性谈判, 竞争性磋商, 单一来源, 询价, 框架协议."""

    PUBLIC_TENDER = "PUBLIC_TENDER"
    INVITED_TENDER = "INVITED_TENDER"
    COMPETITIVE_NEGOTIATION = "COMPETITIVE_NEGOTIATION"
    COMPETITIVE_CONSULTATION = "COMPETITIVE_CONSULTATION"
    SINGLE_SOURCE = "SINGLE_SOURCE"
    INQUIRY = "INQUIRY"
    FRAMEWORK_AGREEMENT = "FRAMEWORK_AGREEMENT"


# The Tendering Law knows only tenders; every method belongs to the Government Procurement Law.
METHODS_BY_REGIME: dict[ProcurementRegime, frozenset[ProcurementMethod]] = {
    ProcurementRegime.TENDERING: frozenset(
        {ProcurementMethod.PUBLIC_TENDER, ProcurementMethod.INVITED_TENDER}
    ),
    ProcurementRegime.GOVERNMENT_PROCUREMENT: frozenset(ProcurementMethod),
}


class ContractAssignmentKind(StrEnum):
    """转包 / 分包 of the contract by the winning bidder — both refused (Art. 15)."""

    TRANSFER = "TRANSFER"
    SPLIT = "SPLIT"


@dataclass
class Contract:
    """The implementation record of R14–R15 for one contract of the project."""

    project_id: int
    legal_person: str
    regime: ProcurementRegime
    method: ProcurementMethod
    procurement_reference: str
    winning_bidder: str
    supervision_firm: str
    contract_number: str
    amount: Decimal
    signed_on: date
    recorded_at: datetime
    operation_maintenance: bool = False
    recorded_by_user_id: int | None = None
    id: int | None = None


@dataclass
class Implementation:
    """A project's construction records of Art. 14–18 — contracts, change requests, the versions of its
    approved figures, progress reports — and what follows from them."""

    project_id: int
    contracts: list[Contract] = field(default_factory=list)
    changes: list[ChangeRequest] = field(default_factory=list)
    figure_versions: list[FigureVersion] = field(default_factory=list)
    progress: list[ProgressReport] = field(default_factory=list)

    @property
    def contracted(self) -> Decimal:
        """R16: the total of the contracts recorded so far."""
        return sum((c.amount for c in self.contracts), Decimal(0))

    @property
    def construction_started_on(self) -> date | None:
        """R14: construction starts with the first contract signed."""
        return min((c.signed_on for c in self.contracts), default=None)

    @property
    def change_pending(self) -> bool:
        """R16: a change request waits for bdb."""
        return any(c.pending for c in self.changes)

    @property
    def filed_adjustments(self) -> Decimal:
        """R17: the adjusted funds of every change filed so far (they count towards the 15 %)."""
        return sum((c.filed_adjustment for c in self.changes), Decimal(0))

    @property
    def next_figure_version(self) -> int:
        """R16–R17: the number of the next version of the approved figures (1 is the approval)."""
        return (self.figure_versions[-1].version if self.figure_versions else 1) + 1

    @property
    def reported_periods(self) -> set[int]:
        """R18: the periods a progress report was submitted for."""
        return {r.period_number for r in self.progress}


CONSTRUCTION_OPEN = (Status.APPROVED, Status.UNDER_CONSTRUCTION)


def contract_state_problems(
    project: Project, *, om_by_bdb: bool, start_problems: list[Violation]
) -> list[Violation]:
    """R14–R15: who records the contract (the unit; bdb for O&M) and whether the project is approved and,
    for its first contract, may start construction (`start_problems`)."""
    problems: list[Violation] = []
    is_om = project.kind is ProjectKind.OPERATION_MAINTENANCE
    if is_om and not om_by_bdb:
        problems.append(
            Violation(
                "OM_PROCUREMENT_BY_BDB",
                "运维项目由市大数据管理局统一组织采购。",
                "O&M procurement is organized by bdb, not by the unit.",
                rule="R15",
            )
        )
    if om_by_bdb and not is_om:
        problems.append(
            Violation(
                "NOT_OM_PROJECT",
                "该项目不是运维项目，合同由项目单位登记。",
                "This is not an O&M project: its unit records the contract.",
                rule="R15",
            )
        )
    if project.status not in CONSTRUCTION_OPEN:
        problems.append(
            Violation(
                "PROJECT_NOT_APPROVED",
                "项目须已批复方可登记合同。",
                "A contract is recorded for an approved project.",
                rule="R14",
            )
        )
    elif project.status is Status.APPROVED:
        problems.extend(start_problems)
    return problems


def check_contract(
    contract: Contract,
    project: Project,
    *,
    start_problems: list[Violation],
    om_by_bdb: bool,
    already_contracted: Decimal = Decimal(0),
) -> None:
    """Every problem of a contract record: missing parts, method vs regime, amount, project state, who
    organizes O&M procurement (bdb, R15), and the contracts' total against the approved investment (R16)."""
    problems: list[Violation] = []
    for name, camel, zh in (
        ("legal_person", "legalPerson", "项目法人"),
        ("winning_bidder", "winningBidder", "中标单位"),
        ("supervision_firm", "supervisionFirm", "监理单位"),
        ("contract_number", "contractNumber", "合同编号"),
        ("procurement_reference", "procurementReference", "采购/招标编号"),
    ):
        if not str(getattr(contract, name)).strip():
            problems.append(
                Violation(
                    "IMPLEMENTATION_PART_REQUIRED",
                    f"须填写{zh}。",
                    f"{camel} is required.",
                    rule="R14",
                    field=("input", camel),
                )
            )
    if contract.method not in METHODS_BY_REGIME[contract.regime]:
        problems.append(
            Violation(
                "METHOD_NOT_IN_REGIME",
                "采购方式不属于所选的采购法律制度。",
                "The method does not belong to the chosen procurement regime.",
                rule="R15",
                field=("input", "method"),
            )
        )
    if contract.amount <= 0:
        problems.append(
            Violation(
                "INVALID_AMOUNT",
                "合同金额须大于0元。",
                "The contract amount must be > 0.",
                rule="R15",
                field=("input", "amount"),
            )
        )
    elif (
        project.approved_investment is not None
        and already_contracted + contract.amount > project.approved_investment
    ):
        # Art. 16: a contract above the approved investment is an increase of the investment; it goes through
        # change control (R16: bdb approves a higher total) before the contract can be recorded.
        total = already_contracted + contract.amount
        problems.append(
            Violation(
                "CONTRACT_ABOVE_APPROVED",
                f"合同累计金额 {total} 元超过批复投资 {project.approved_investment} 元；增加投资须先报市大数据管理局"
                "审批变更（第十六条）。",
                f"The contracts' total {total} would exceed the approved investment "
                f"{project.approved_investment}: an increase needs bdb's approval of a change request first "
                "(Art. 16).",
                rule="R16",
                field=("input", "amount"),
            )
        )
    problems.extend(contract_state_problems(project, om_by_bdb=om_by_bdb, start_problems=start_problems))
    if problems:
        raise DomainError(problems)


def refuse_assignment(kind: ContractAssignmentKind) -> DomainError:
    """Art. 15: the winning bidder may neither transfer nor split the contract."""
    what_zh = "转包" if kind is ContractAssignmentKind.TRANSFER else "分包"
    return DomainError(
        [
            Violation(
                "CONTRACT_ASSIGNMENT_FORBIDDEN",
                f"中标单位不得将合同{what_zh}给他人（第十五条）。",
                f"The winning bidder may not {'transfer' if kind is ContractAssignmentKind.TRANSFER else 'split'} "
                "the contract to others (Art. 15).",
                rule="R15",
                field=("input", "kind"),
            )
        ]
    )
