"""One precondition per project operation: may it start on this project in its lifecycle state, today?

A precondition looks at the project (state, documents, plan deferral, suspension), at the few facts kept
beside it (`ActionFacts`) and at today — never at a request's input, which the use case validates after.
Each use case calls its precondition first and refuses with its violations; `Project.availableActions`
calls the same function, so what a frontend is told cannot drift from what the mutation does.
The codes and rules are those the use cases always gave (PROJECT_NOT_EDITABLE, WRONG_STATE, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain import evaluation, funds, mid_year, plans
from domain.approval_documents import DocumentStatus
from domain.approval_path import DocumentType
from domain.errors import DomainError, Violation
from domain.implementation import contract_state_problems
from domain.lifecycle import STATUS_LABELS_ZH, TRANSITIONS, Status
from domain.projects import Project, ensure_draft
from domain.rules import RuleId
from domain.supervision import ensure_not_suspended, ensure_plan_not_deferred, no_grounds, resume_problems


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """What preconditions read beyond the project aggregate; a use case loads the ones its precondition
    reads, a page of projects loads them all in one batch (store/action_facts.py)."""

    change_pending: bool = False  # R16: a change request waits for bdb
    mid_year_pending: bool = False  # R10.2: a mid-year request is in progress
    filing_pending: bool = False  # R21: the acceptance report is filed, bdb has not acknowledged it
    rectification_failed: bool = False  # R23.2: some rectification is overdue or was rejected


NO_FACTS = ActionFacts()
Precondition = Callable[[Project, ActionFacts, date], list[Violation]]


def require(violations: list[Violation]) -> None:
    """Refuse with the precondition's violations, if any (the use case's first step)."""
    if violations:
        raise DomainError(violations)


def _caught(check: Callable[[], object]) -> list[Violation]:
    """The violations of a rule written as `ensure_…` (raises), as a list."""
    try:
        check()
    except DomainError as error:
        return list(error.violations)
    return []


def _first(*checks: Callable[[], list[Violation]]) -> list[Violation]:
    """The first failing check's violations: later checks presuppose the earlier ones."""
    for check in checks:
        found = check()
        if found:
            return found
    return []


def _active(project: Project) -> list[Violation]:
    """R23.2: a suspended project refuses every change but rectification work."""
    return _caught(lambda: ensure_not_suspended(project))


def _one(code: str, zh: str, en: str, rule: RuleId) -> list[Violation]:
    return [Violation(code, zh, en, rule=rule)]


def wrong_state(
    project: Project, allowed: tuple[Status, ...], rule: RuleId, code: str = "WRONG_STATE"
) -> list[Violation]:
    """The project's state is not one of those the operation starts from."""
    if project.status in allowed:
        return []
    labels = "、".join(STATUS_LABELS_ZH[s] for s in allowed)
    return [
        Violation(
            code,
            f"项目当前为「{STATUS_LABELS_ZH[project.status]}」，此操作仅限：{labels}。",
            f"A project in state {project.status} cannot do this (allowed: {', '.join(allowed)}).",
            rule=rule,
        )
    ]


def _transition(project: Project, target: Status, rule: RuleId) -> list[Violation]:
    if target in TRANSITIONS[project.status]:
        return []
    return [
        Violation(
            code="INVALID_TRANSITION",
            rule=rule,
            zh=f"项目当前状态为「{STATUS_LABELS_ZH[project.status]}」，不能转为「{STATUS_LABELS_ZH[target]}」。",
            en=f"A project in state {project.status} cannot move to {target}.",
        )
    ]


# R2–R8: drafting and the reserve library ------------------------------------------------------------


def project_update(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R16: only a draft (a new one, or one returned with reasons) is edited directly."""
    return _first(lambda: _active(project), lambda: _caught(lambda: ensure_draft(project)))


def project_participation_update(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R8: a participating unit maintains its part while the project is a draft."""
    return project_update(project, facts, today)


def project_submit_to_reserve(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R7: a draft goes to reserve review (its completeness is checked when it is submitted)."""
    return _first(lambda: _active(project), lambda: _transition(project, Status.RESERVE_REVIEW, "R7"))


def reserve_review_record(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R7: bdb reviews a project waiting in reserve review."""
    if project.status is Status.RESERVE_REVIEW:
        return []
    return _first(
        lambda: _active(project),
        lambda: _one(
            "INVALID_TRANSITION",
            f"项目当前状态为「{STATUS_LABELS_ZH[project.status]}」，不在入库审核中。",
            f"A project in state {project.status} is not waiting for reserve review.",
            "R7",
        ),
    )


# R9–R10: plans -------------------------------------------------------------------------------------


def plan_entry_submit(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R9: reserve (or planned, approved) projects enter the yearly plan."""
    return plans.entry_state_problems(project.status)


def mid_year_submit(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R10.2 (R23.2): a reserve project not deferred, with no mid-year request in progress."""
    return _first(
        lambda: _caught(lambda: ensure_plan_not_deferred(project)),
        lambda: mid_year.state_problems(project.status, pending=facts.mid_year_pending),
    )


# R11–R13: approval documents -----------------------------------------------------------------------

APPROVAL_OPEN = (Status.IN_RESERVE, Status.PLANNED)


def _document_under_review(project: Project) -> list[Violation]:
    if not any(d.open for d in project.documents):
        return []
    return _one(
        "DOCUMENT_UNDER_REVIEW",
        "已有在审的审批文件，请待其批复或退回。",
        "Another approval document is under review.",
        "R11.0",
    )


def approval_facts_update(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R11.0: the path's facts change in the reserve or plan, with no document under review."""

    def locked() -> list[Violation]:
        if project.status in APPROVAL_OPEN and not any(d.open for d in project.documents):
            return []
        return _one(
            "APPROVAL_FACTS_LOCKED",
            "仅在储备库或计划中、且无在审文件时可更新审批路径依据。",
            "Approval-path facts change only in the reserve or plan, with no document under review.",
            "R11.0",
        )

    return _first(lambda: _active(project), locked)


def approval_document_submit(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R11.0: documents are submitted for reserve or planned projects, one at a time (which document the
    path allows is the request's own check)."""

    def in_approval() -> list[Violation]:
        if project.status in APPROVAL_OPEN:
            return []
        return _one(
            "PROJECT_NOT_IN_APPROVAL",
            "项目须已入储备库方可编报审批文件。",
            "Approval documents are submitted for projects in the reserve.",
            "R11.0",
        )

    return _first(lambda: _active(project), in_approval, lambda: _document_under_review(project))


def no_next_approval_step(project: Project) -> list[Violation]:
    """Why a project has no next approval document (R11): its path is complete, or the submission's own
    precondition refuses; empty when there is a next step."""
    if any(
        d.type is DocumentType.PRELIMINARY_DESIGN and d.status is DocumentStatus.APPROVED
        for d in project.documents
    ):
        return _one(
            "APPROVAL_PATH_COMPLETE",
            "初步设计已批复，审批程序已完成，不再编报审批文件。",
            "The preliminary design is approved: the approval path is complete, no document follows.",
            "R13.1",
        )
    return approval_document_submit(project, NO_FACTS, date.min)


# R14–R18: construction -----------------------------------------------------------------------------


def may_start_construction(project: Project) -> list[Violation]:
    """Construction needs the preliminary design approved and the project in an approved annual plan."""
    problems = []
    if not any(
        d.type is DocumentType.PRELIMINARY_DESIGN and d.status is DocumentStatus.APPROVED
        for d in project.documents
    ):
        problems.append(
            Violation(
                "PRELIMINARY_DESIGN_NOT_APPROVED",
                "初步设计未批复，不能开工建设。",
                "The preliminary design is not approved: construction cannot start.",
                rule="R13.1",
            )
        )
    if project.plan_year is None:
        problems.append(
            Violation(
                "NOT_IN_APPROVED_PLAN",
                "项目未列入经批准的年度投资计划，不能开工建设。",
                "The project is not in an approved annual investment plan.",
                rule="R10.1",
            )
        )
    return problems


def _contract_state(project: Project, *, om_by_bdb: bool) -> list[Violation]:
    return contract_state_problems(
        project, om_by_bdb=om_by_bdb, start_problems=may_start_construction(project)
    )


def contract_record(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R14–R15: the unit records the contract of an approved (non-O&M) project."""
    return _first(lambda: _active(project), lambda: _contract_state(project, om_by_bdb=False))


def om_procurement_record(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R15: bdb records the procurement of an approved O&M project."""
    return _first(lambda: _active(project), lambda: _contract_state(project, om_by_bdb=True))


# A change of scale, content, standard or investment is asked for while the project is being built.
CHANGE_OPEN = (Status.APPROVED, Status.UNDER_CONSTRUCTION, Status.TRIAL_OPERATION)


def change_not_open(project: Project) -> list[Violation]:
    """R16: between the approval and the completion-acceptance application."""
    if project.status in CHANGE_OPEN and project.approved_investment is not None:
        return []
    return _one(
        "CHANGE_NOT_OPEN",
        "项目须已批复、尚未申请竣工验收，方可申请变更。",
        "Changes are asked for between the approval and the completion-acceptance application.",
        "R16",
    )


def change_request_file(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R16: a change while the project is built, one waiting for bdb at a time."""

    def pending() -> list[Violation]:
        if not facts.change_pending:
            return []
        return _one(
            "CHANGE_PENDING",
            "已有待审批的变更，请待其审批后再申请。",
            "Another change request is waiting for bdb.",
            "R16",
        )

    return _first(lambda: _active(project), lambda: change_not_open(project), pending)


# R18: reports from approval until the acceptance filing.
REPORTING = (
    Status.APPROVED,
    Status.UNDER_CONSTRUCTION,
    Status.TRIAL_OPERATION,
    Status.ACCEPTANCE_REVIEW,
    Status.RECTIFYING,
    Status.ACCEPTED,
)


def progress_report_submit(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R18: progress is reported from the approval until the acceptance filing."""

    def reporting() -> list[Violation]:
        if project.status in REPORTING and project.approval_date is not None:
            return []
        return _one(
            "NOT_REPORTING",
            "项目须已批复且尚未验收备案，方可报送进度。",
            "Progress is reported from the approval until the acceptance filing.",
            "R18",
        )

    return _first(lambda: _active(project), reporting)


# R19–R21: acceptance, filing, funds ----------------------------------------------------------------


def acceptance_initial_record(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R19.1: the initial acceptance of a project under construction."""
    return _first(
        lambda: _active(project), lambda: wrong_state(project, (Status.UNDER_CONSTRUCTION,), "R19.1")
    )


RECTIFIABLE = (Status.TRIAL_OPERATION, Status.RECTIFYING)


UPLOADABLE = (Status.UNDER_CONSTRUCTION, Status.TRIAL_OPERATION, Status.RECTIFYING, Status.ACCEPTED)


def acceptance_report_upload(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R19.2/R19.4/R21.2: reports are uploaded from construction until filing, never while bdb reviews."""
    return _first(lambda: _active(project), lambda: wrong_state(project, UPLOADABLE, "R19.4"))


def acceptance_extend(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R19.1/R20 [interp]: the window (trial operation) or the rectification deadline is extended."""
    return _first(lambda: _active(project), lambda: wrong_state(project, RECTIFIABLE, "R19.1"))


def acceptance_apply(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R19/R20: the completion-acceptance application, or its resubmission after rectifying."""
    return _first(lambda: _active(project), lambda: wrong_state(project, RECTIFIABLE, "R19.1"))


def acceptance_decide(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R20: bdb decides an application under review."""
    return _first(lambda: _active(project), lambda: wrong_state(project, (Status.ACCEPTANCE_REVIEW,), "R20"))


def _not_accepted(project: Project) -> list[Violation]:
    if project.status is Status.ACCEPTED:
        return []
    return _one(
        "NOT_ACCEPTED",
        "项目未通过竣工验收，不能备案投入运行。",
        "The project has not passed its completion acceptance: it cannot be filed and put into operation.",
        "R20",
    )


def acceptance_report_file(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R21: the unit files the acceptance report of an accepted project, once."""

    def pending() -> list[Violation]:
        if not facts.filing_pending:
            return []
        return _one(
            "FILING_PENDING",
            "验收报告已报备，待大数据局确认。",
            "The acceptance report is already filed, waiting for bdb.",
            "R21",
        )

    return _first(lambda: _active(project), lambda: _not_accepted(project), pending)


def acceptance_filing_acknowledge(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R21: bdb acknowledges a filed acceptance report."""

    def filed() -> list[Violation]:
        if facts.filing_pending:
            return []
        return _one(
            "NO_FILING", "项目单位尚未报备验收报告。", "The unit has not filed its acceptance report.", "R21"
        )

    return _first(lambda: _active(project), lambda: _not_accepted(project), filed)


def disbursement_record(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R13.1/R21: money is disbursed against an approved investment."""
    return _first(lambda: _active(project), lambda: funds.approval_problems(project.approved_investment))


def resource_allocate(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R21: data-centre resources go to filed projects only."""
    return _first(
        lambda: _active(project),
        lambda: _caught(lambda: funds.check_resource_allocation(filed=project.status is Status.FILED)),
    )


# R22: evaluation -----------------------------------------------------------------------------------


def self_evaluation_submit(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R22: 12 to 24 months into operation."""
    return _first(
        lambda: _active(project),
        lambda: _caught(lambda: evaluation.check_self_evaluation(project.operation_started_on, today)),
    )


def post_evaluation_commission(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R22: a post-evaluation is for a project filed and in operation."""

    def in_operation() -> list[Violation]:
        if project.status is Status.FILED:
            return []
        return _one(
            "NOT_IN_OPERATION",
            "项目须已验收备案并投入运行，方可开展后评价。",
            "A post-evaluation is for a project filed and in operation.",
            "R22",
        )

    return _first(lambda: _active(project), in_operation)


# R23–R24: supervision ------------------------------------------------------------------------------


def inspection_open(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R23.1: any project may be inspected (the subject is the request's own check)."""
    return []


def info_request_send(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R24: information may be asked about any project."""
    return []


def _grounds(facts: ActionFacts) -> list[Violation]:
    return [] if facts.rectification_failed else list(no_grounds().violations)


def project_plan_defer(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R23.2: deferring needs grounds; a deferral in force may always be lifted."""
    return [] if project.plan_deferred else _grounds(facts)


def project_suspend(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R23.2: suspension needs grounds and an active project."""
    return _first(lambda: _grounds(facts), lambda: _transition(project, Status.SUSPENDED, "R23.2"))


def project_resume(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R23.2: only a suspended project resumes."""
    return resume_problems(project)


def project_terminate(project: Project, facts: ActionFacts, today: date) -> list[Violation]:
    """R23.2: termination needs grounds and a project not yet filed or terminated."""
    return _first(lambda: _grounds(facts), lambda: _transition(project, Status.TERMINATED, "R23.2"))
