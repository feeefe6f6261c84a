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
from api.graphql.projects import Project, load_readable_project
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
    year: int = strawberry.field(description="计划年度 — plan year.")
    deadline: date = strawberry.field(
        description="报送截止日期（北京时间当日内均可报送） — deadline: any instant of that China-time day."
    )
    budget_compilation_date: date = strawberry.field(
        description="财政预算编制时间节点 — budget compilation date."
    )
    requirements: str = strawberry.field(description="报送要求 — submission requirements.")
    opened_at: datetime = strawberry.field(description="发布时间 — opened at.")
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
    reviewer_role: str = strawberry.field(description="审核机关角色 — `bdb` or `finance`.")
    opinion: str = strawberry.field(
        description="审核机关对该条目的书面意见（审核时填写） — the reviewing agency's written opinion on the "
        "entry, given with its recommended amount."
    )
    recommended_amount: CNY = strawberry.field(description="建议金额 — recommended amount.")
    reviewed_at: datetime = strawberry.field(description="审核时间 — reviewed at.")


@strawberry.type(
    description="年度计划条目 — a unit's build or O&M plan entry for a reserve project (Art. 9)."
)
class PlanEntry(Node):
    model: strawberry.Private[DomainEntry]

    @classmethod
    def from_domain(cls, entry: DomainEntry) -> PlanEntry:
        assert entry.id is not None
        return cls(id=to_global_id("PlanEntry", entry.id), model=entry)

    @strawberry.field(description="类型 — build or O&M.")
    def kind(self) -> EntryKindEnum:
        return to_gql(EntryKindEnum, self.model.kind)

    @strawberry.field(description="申报金额 — requested amount.")
    def requested_amount(self) -> CNY:
        return self.model.requested_amount

    @strawberry.field(description="说明 — description.")
    def description(self) -> str:
        return self.model.description

    @strawberry.field(description="报送时间 — submitted at.")
    def submitted_at(self) -> datetime:
        return self.model.submitted_at

    @strawberry.field(description="审核意见（市大数据管理局、市财政局） — the joint reviews.")
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
    amount: CNY = strawberry.field(description="计划投资 — planned investment.")
    source: PlanSourceEnum = strawberry.field(description="途径 — yearly call or mid-year.")

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project:
        return await _project(info, self.project_id)


@strawberry.type(
    description="年度投资计划（某一修订版） — one revision of a year's investment plan (Art. 10)."
)
class AnnualPlan(Node):
    year: int = strawberry.field(description="年度 — year.")
    revision: int = strawberry.field(
        description="修订版次 — revision number; an approved plan is never edited."
    )
    status: PlanStatusEnum = strawberry.field(description="状态 — status.")
    total_investment: CNY = strawberry.field(description="投资总规模 — total investment scale.")
    items: list[PlanItem] = strawberry.field(description="项目清单 — the project list.")
    note: str = strawberry.field(description="编制说明 — note.")
    compiled_at: datetime = strawberry.field(description="编制时间 — compiled at.")
    submitted_at: datetime | None = strawberry.field(description="报市政府时间 — sent to government at.")
    decided_at: datetime | None = strawberry.field(description="审定时间 — decided at.")
    decision_comment: str | None = strawberry.field(description="市政府意见 — the government's comment.")

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

    @strawberry.field(description="年度 — year.")
    def year(self) -> int:
        return self.model.year

    @strawberry.field(description="申报金额 — requested amount.")
    def amount(self) -> CNY:
        return self.model.amount

    @strawberry.field(description="理由 — why it is needed mid-year.")
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(description="状态 — status.")
    def status(self) -> MidYearStatusEnum:
        return to_gql(MidYearStatusEnum, self.model.status)

    @strawberry.field(description="大数据局审核意见 — bdb's opinion.")
    def bdb_opinion(self) -> str | None:
        return self.model.bdb_opinion

    @strawberry.field(description="财政局意见 — finance's opinion.")
    def finance_opinion(self) -> str | None:
        return self.model.finance_opinion

    @strawberry.field(description="财政建议金额 — finance's recommended amount.")
    def finance_recommended_amount(self) -> CNY | None:
        return self.model.finance_recommended_amount

    @strawberry.field(description="市政府意见 — the government's comment.")
    def government_comment(self) -> str | None:
        return self.model.government_comment

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project:
        return await _project(info, self.model.project_id)
