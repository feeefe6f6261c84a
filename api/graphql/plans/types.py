"""The annual investment plan as the schema shows it (Art. 9–10): calls, entries, plan revisions, mid-year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.graphql.common import CNY, Node, to_global_id
from api.graphql.enums import (
    EntryKindEnum,
    MidYearStatusEnum,
    PlanSourceEnum,
    PlanStatusEnum,
    to_gql,
)
from api.graphql.projects.types import Project
from api.graphql.readable import load_readable_project
from domain import chronology
from domain.clock import end_of_legal_day
from domain.mid_year import MidYearRequest as DomainMidYear
from domain.plans import AnnualPlan as DomainPlan
from domain.plans import PlanCall as DomainCall
from domain.plans import PlanEntry as DomainEntry

Ctx = Info[Context, None]
Page = Annotated[int | None, strawberry.argument(description="前若干项（≤100） — page size.")]
After = Annotated[str | None, strawberry.argument(description="游标 — cursor.")]


async def _project(info: Ctx, pk: int) -> Project:
    return Project.from_domain(await load_readable_project(info.context, pk=pk))


@strawberry.type(description="年度项目计划征集 — bdb's yearly call for build and O&M plans (Art. 9).")
class PlanCall(Node):
    year: int = strawberry.field(description="征集的计划年度，如 2027 — the year the plan is for, e.g. 2027.")
    deadline: date = strawberry.field(
        description="报送截止日期（北京时间当日内均可报送） — deadline: any instant of that China-time day."
    )
    budget_compilation_date: date = strawberry.field(
        description="财政预算编制时间节点（YYYY-MM-DD），单位须在此前报送 — the budget compilation date, YYYY-MM-DD; units submit before it (Art. 9)."
    )
    requirements: str = strawberry.field(
        description="大数据局发布的报送要求（自由文本） — the submission requirements the Big Data Bureau published, free text."
    )
    opened_at: datetime = strawberry.field(
        description="征集发布时间（UTC） — when the call was opened (UTC)."
    )
    closes_at: datetime = strawberry.field(
        description="截止时刻（当日最后一刻） — the last instant of the deadline day, China time."
    )

    @classmethod
    def from_domain(cls, call: DomainCall) -> PlanCall:
        assert call.id is not None
        return cls(
            id=to_global_id("PlanCall", call.id),
            year=call.year,
            deadline=call.deadline,
            budget_compilation_date=call.budget_compilation_date,
            requirements=call.requirements,
            opened_at=call.opened_at,
            closes_at=end_of_legal_day(call.deadline),
        )

    @strawberry.field(description="是否仍在受理 — whether submissions are still accepted now.")
    def is_open(self, info: Ctx) -> bool:
        return chronology.in_time(info.context.clock(), self.deadline)


@strawberry.type(description="计划条目审核意见 — bdb's or finance's review of a plan entry (Art. 10).")
class PlanEntryReview:
    reviewer_role: str = strawberry.field(
        description="审核机关的角色：bdb 大数据局或 finance 财政局 — which reviewer: `bdb` or `finance`."
    )
    opinion: str = strawberry.field(
        description="审核机关对该条目的书面意见（审核时填写） — the reviewing agency's written opinion on the "
        "entry, given with its recommended amount."
    )
    recommended_amount: CNY = strawberry.field(
        description="该机关建议的计划投资（元） — the planned investment this reviewer recommends, in CNY."
    )
    reviewed_at: datetime = strawberry.field(
        description="审核时间（UTC） — when the review was recorded (UTC)."
    )


@strawberry.type(
    description="年度计划条目 — a unit's build or O&M plan entry for a reserve project (Art. 9)."
)
class PlanEntry(Node):
    model: strawberry.Private[DomainEntry]

    @classmethod
    def from_domain(cls, entry: DomainEntry) -> PlanEntry:
        assert entry.id is not None
        return cls(id=to_global_id("PlanEntry", entry.id), model=entry)

    @strawberry.field(
        description="申报类型：建设或运维 — whether the entry asks for build or operation-and-maintenance funds."
    )
    def kind(self) -> EntryKindEnum:
        return to_gql(EntryKindEnum, self.model.kind)

    @strawberry.field(
        description="单位申报的计划投资（元，两位小数） — the planned investment the unit requests, in CNY."
    )
    def requested_amount(self) -> CNY:
        return self.model.requested_amount

    @strawberry.field(description="申报说明（自由文本） — the unit's description of the entry, free text.")
    def description(self) -> str:
        return self.model.description

    @strawberry.field(description="报送时间（UTC） — when the unit submitted the entry (UTC).")
    def submitted_at(self) -> datetime:
        return self.model.submitted_at

    @strawberry.field(
        description="大数据局和财政局的联合审核意见，各一条 — the joint reviews, one by the Big Data Bureau and one by the Finance Bureau."
    )
    def reviews(self) -> list[PlanEntryReview]:
        return [
            PlanEntryReview(
                reviewer_role=r.reviewer_role,
                opinion=r.opinion,
                recommended_amount=r.recommended_amount,
                reviewed_at=r.reviewed_at,
            )
            for r in self.model.reviews
        ]

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project:
        return await _project(info, self.model.project_id)


@strawberry.type(description="年度投资计划中的项目 — a project in an annual plan revision.")
class PlanItem:
    project_id: strawberry.Private[int]
    amount: CNY = strawberry.field(
        description="计划给该项目的投资（元，两位小数） — the investment the plan gives the project, in CNY."
    )
    source: PlanSourceEnum = strawberry.field(
        description="列入途径：年度征集或年中新增（第十条） — how the project entered: the yearly call or a mid-year request (Art. 10)."
    )

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project:
        return await _project(info, self.project_id)


@strawberry.type(
    description="年度投资计划（某一修订版） — one revision of a year's investment plan (Art. 10)."
)
class AnnualPlan(Node):
    year: int = strawberry.field(description="计划年度（1000–9999），如 2027 — the plan's year, e.g. 2027.")
    revision: int = strawberry.field(
        description="修订版次 — revision number; an approved plan is never edited."
    )
    status: PlanStatusEnum = strawberry.field(
        description="修订版状态：已编制、已报市政府、已批准、已退回或已被新修订取代 — COMPILED, SUBMITTED (to the government), APPROVED, RETURNED or SUPERSEDED by a later revision."
    )
    total_investment: CNY = strawberry.field(
        description="计划投资总规模（元），即各项目计划投资之和 — the plan's total investment in CNY: the sum of its items."
    )
    items: list[PlanItem] = strawberry.field(
        description="列入计划的项目及其计划投资 — the projects in the plan, each with its planned investment and how it entered."
    )
    note: str = strawberry.field(
        description="大数据局的编制说明（自由文本） — the Big Data Bureau's note on the compilation, free text."
    )
    compiled_at: datetime = strawberry.field(
        description="编制时间（UTC） — when this revision was compiled (UTC)."
    )
    submitted_at: datetime | None = strawberry.field(
        description="报送市政府的时间（UTC）；未报送为空 — when it was sent to the municipal government (UTC); null before."
    )
    decided_at: datetime | None = strawberry.field(
        description="市政府审定时间（UTC）；未审定为空 — when the government approved or returned it (UTC); null before."
    )
    decision_comment: str | None = strawberry.field(
        description="市政府审定意见；未审定为空 — the municipal government's comment on its decision; null before."
    )

    @classmethod
    def from_domain(cls, plan: DomainPlan) -> AnnualPlan:
        assert plan.id is not None
        return cls(
            id=to_global_id("AnnualPlan", plan.id),
            year=plan.year,
            revision=plan.revision,
            status=to_gql(PlanStatusEnum, plan.status),
            total_investment=plan.total_investment,
            items=[
                PlanItem(project_id=i.project_id, amount=i.amount, source=to_gql(PlanSourceEnum, i.source))
                for i in plan.items
            ],
            note=plan.note,
            compiled_at=plan.compiled_at,
            submitted_at=plan.submitted_at,
            decided_at=plan.decided_at,
            decision_comment=plan.decision_comment,
        )


@strawberry.type(description="年中新增项目申请 — a mid-year project request (Art. 10 para. 2).")
class MidYearRequest(Node):
    model: strawberry.Private[DomainMidYear]

    @classmethod
    def from_domain(cls, request: DomainMidYear) -> MidYearRequest:
        assert request.id is not None
        return cls(id=to_global_id("MidYearRequest", request.id), model=request)

    @strawberry.field(description="所属计划年度 — the plan year the project is to be added to.")
    def year(self) -> int:
        return self.model.year

    @strawberry.field(
        description="单位申报的计划投资（元，两位小数） — the planned investment the unit requests, in CNY."
    )
    def amount(self) -> CNY:
        return self.model.amount

    @strawberry.field(
        description="须年中新增的理由（自由文本） — why the project cannot wait for next year's plan, free text."
    )
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(
        description="申请状态：已申报、大数据局已同意、财政局已出具意见、市政府已批准或已驳回 — SUBMITTED, BDB_APPROVED, FINANCE_OPINED, APPROVED or REJECTED (R10.2)."
    )
    def status(self) -> MidYearStatusEnum:
        return to_gql(MidYearStatusEnum, self.model.status)

    @strawberry.field(
        description="大数据局的审核意见；未审核为空 — the Big Data Bureau's review opinion; null before its review."
    )
    def bdb_opinion(self) -> str | None:
        return self.model.bdb_opinion

    @strawberry.field(
        description="财政局出具的意见；未出具为空 — the Finance Bureau's opinion; null before it gives one."
    )
    def finance_opinion(self) -> str | None:
        return self.model.finance_opinion

    @strawberry.field(
        description="财政局建议的金额（元）；未出具为空 — the amount the Finance Bureau recommends, in CNY; null before."
    )
    def finance_recommended_amount(self) -> CNY | None:
        return self.model.finance_recommended_amount

    @strawberry.field(
        description="市政府的审定意见；未审定为空 — the municipal government's comment on its decision; null before."
    )
    def government_comment(self) -> str | None:
        return self.model.government_comment

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project:
        return await _project(info, self.model.project_id)
