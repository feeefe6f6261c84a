"""The annual investment plan (Art. 9–10): calls, entries and their joint review, plan revisions, mid-year."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import CNY, USER_ERRORS_SHORT, Payload
from api.graphql.enums import (
    EntryKindEnum,
    to_domain,
)
from api.graphql.pagination import After, Connection, Edge, First, PageRequest, counter, keyset_page
from api.graphql.plans.types import AnnualPlan, MidYearRequest, PlanCall, PlanEntry
from api.ranges import check_year
from authz.operations import Operation
from authz.sql import project_filter
from domain.mid_year import MidYearRequest as DomainMidYear
from domain.plans import AnnualPlan as DomainPlan
from domain.plans import EntryKind
from domain.plans import PlanCall as DomainCall
from domain.plans import PlanEntry as DomainEntry
from domain.services import plans as use_cases
from store import approval_tables as t
from store import tables

Ctx = Info[Context, None]


@strawberry.input(description="发布年度计划征集 — open the yearly call (Art. 9).")
class PlanCallOpenInput:
    year: int = strawberry.field(
        description="征集的计划年度（1000–9999），如 2027 — the year the plan is for, e.g. 2027."
    )
    deadline: date = strawberry.field(description="报送截止日期 — deadline (inclusive, China time).")
    budget_compilation_date: date = strawberry.field(
        description="财政预算编制时间节点（YYYY-MM-DD），单位须在此前报送 — the budget compilation date, YYYY-MM-DD; units submit before it (Art. 9)."
    )
    requirements: str = strawberry.field(
        description="发给各单位的报送要求（自由文本） — the submission requirements sent to the units, free text."
    )


@strawberry.input(description="报送年度计划条目 — submit a build or O&M plan entry (Art. 9).")
class PlanEntrySubmitInput:
    call_id: strawberry.ID = strawberry.field(
        description="申报到哪一次年度计划征集（PlanCall.id，须为开放中的征集） — the plan call to submit to, its global id; the call must be open."
    )
    project_id: strawberry.ID = strawberry.field(
        description="项目的全局标识：本单位牵头且已入库的项目 — the global id of a project your unit leads that is in the reserve library (or later)."
    )
    kind: EntryKindEnum = strawberry.field(
        description="申报类型：建设或运维资金 — whether the entry asks for build or operation-and-maintenance funds."
    )
    requested_amount: CNY = strawberry.field(
        description="申报的计划投资（元，两位小数，> 0） — the planned investment requested, in CNY, a positive decimal string."
    )
    description: str = strawberry.field(
        default="",
        description="申报说明（自由文本，可为空） — a description of the entry, free text; may be empty.",
    )


@strawberry.input(description="审核计划条目 — bdb's or finance's review (Art. 10).")
class PlanEntryReviewInput:
    entry_id: strawberry.ID = strawberry.field(
        description="处理后的计划条目；被拒绝时为空 — the plan entry after the mutation; null when refused."
    )
    opinion: str = strawberry.field(
        description="对该计划条目的书面意见（是否列入、金额理由） — written opinion on the entry: whether it "
        "belongs in the plan and why the recommended amount."
    )
    recommended_amount: CNY = strawberry.field(
        description="本机关建议的计划投资（元，两位小数） — the planned investment your bureau recommends, in CNY."
    )


@strawberry.input(description="计划中的一项 — one entry in the compiled plan with its planned amount.")
class AnnualPlanItemInput:
    entry_id: strawberry.ID = strawberry.field(
        description="已联合审核的计划条目的全局标识（PlanEntry.id） — the global id of a plan entry both bureaus reviewed."
    )
    amount: CNY = strawberry.field(
        description="列入计划的投资（元，两位小数，> 0） — the investment the plan gives the project, in CNY."
    )


@strawberry.input(description="编制年度投资计划 — compile a plan revision from reviewed entries (Art. 10).")
class AnnualPlanCompileInput:
    call_id: strawberry.ID = strawberry.field(
        description="该年度征集的全局标识（PlanCall.id），计划从其条目中编制 — the year's plan call, its global id; the plan is compiled from its entries."
    )
    items: list[AnnualPlanItemInput] = strawberry.field(
        description="列入计划的条目及各自的计划投资 — the entries the plan lists, each with its planned investment in CNY."
    )
    note: str = strawberry.field(
        default="",
        description="编制说明（自由文本，可为空） — a note on the compilation, free text; may be empty.",
    )


@strawberry.input(
    description="要处理的年度投资计划修订版 — the annual plan revision to act on, by its global id."
)
class AnnualPlanInput:
    plan_id: strawberry.ID = strawberry.field(
        description="处理后的年度计划修订版；被拒绝时为空 — the annual plan revision after the mutation; null when refused."
    )
    comment: str = strawberry.field(
        default="", description="意见（退回时必填） — comment; required to return."
    )


@strawberry.input(
    description="申报年中新增项目 — ask to add a reserve project to this year's plan (Art. 10)."
)
class MidYearRequestSubmitInput:
    project_id: strawberry.ID = strawberry.field(
        description="项目的全局标识：本单位牵头且已入库的项目 — the global id of a project your unit leads that is in the reserve library (or later)."
    )
    amount: CNY = strawberry.field(
        description="申报的计划投资（元，两位小数，> 0） — the planned investment requested, in CNY, a positive decimal string."
    )
    reason: str = strawberry.field(
        description="须年中新增的理由（必填） — why the project cannot wait for next year's plan; required (R10.2)."
    )


@strawberry.input(description="年中新增项目审核 — bdb's review or the government's decision.")
class MidYearRequestDecisionInput:
    request_id: strawberry.ID = strawberry.field(
        description="年中新增申请的全局标识（MidYearRequest.id） — the mid-year request's global id."
    )
    approve: bool = strawberry.field(
        description="true 同意、false 不同意；市政府同意时项目列入新的计划修订版 — true agrees, false refuses; when the government agrees the project enters a new plan revision."
    )
    opinion: str = strawberry.field(
        description="同意或不同意的理由（审核或决定时填写） — the reasons for agreeing or not, recorded with "
        "bdb's review or the government's decision."
    )


@strawberry.input(description="年中新增项目财政意见 — finance's opinion (Art. 10).")
class MidYearRequestFinanceOpinionInput:
    request_id: strawberry.ID = strawberry.field(
        description="年中新增申请的全局标识（MidYearRequest.id） — the mid-year request's global id."
    )
    opinion: str = strawberry.field(
        description="财政部门对资金安排的书面意见 — finance's written opinion on funding the request, given "
        "with its recommended amount."
    )
    recommended_amount: CNY = strawberry.field(
        description="财政局建议的金额（元，两位小数） — the amount the Finance Bureau recommends, in CNY."
    )


@strawberry.type(
    description="征集结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of planCallOpen: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class PlanCallPayload(Payload, errors=USER_ERRORS_SHORT):
    call: PlanCall | None = strawberry.field(
        description="发布的年度计划征集；被拒绝时为空 — the plan call opened; null when refused."
    )


@strawberry.type(
    description="计划条目结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of a plan entry mutation: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class PlanEntryPayload(Payload, errors=USER_ERRORS_SHORT):
    entry: PlanEntry | None = strawberry.field(
        description="处理后的计划条目；被拒绝时为空 — the plan entry after the mutation; null when refused."
    )


@strawberry.type(
    description="年度投资计划结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of an annual plan mutation: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class AnnualPlanPayload(Payload, errors=USER_ERRORS_SHORT):
    plan: AnnualPlan | None = strawberry.field(
        description="处理后的年度计划修订版；被拒绝时为空 — the annual plan revision after the mutation; null when refused."
    )


@strawberry.type(
    description="年中新增项目结果：成功时为处理后的对象，被拒绝时只有 userErrors 且未作任何更改 — the answer of a mid-year request mutation: the object after it on success; when refused, only userErrors, and nothing was changed."
)
class MidYearRequestPayload(Payload, errors=USER_ERRORS_SHORT):
    request: MidYearRequest | None = strawberry.field(
        description="处理后的年中新增申请；被拒绝时为空 — the mid-year request after the mutation; null when refused."
    )
    plan: AnnualPlan | None = strawberry.field(
        description="市政府同意时生成的新计划修订版，其他情况为空 — the new annual plan revision created when the government agrees; null otherwise."
    )


async def _page(
    ctx: Context, stmt: Any, key: Any, first: int | None, after: str | None, convert: Any
) -> Connection[Any]:
    async with ctx.read_session_factory() as session:
        rows, info, cursors = await keyset_page(
            session, stmt, key=key, page=PageRequest(first, after, None, None), lang=ctx.lang
        )
    return Connection(
        edges=[Edge(cursor=c, node=convert(r[0])) for r, c in zip(rows, cursors, strict=True)],
        page_info=info,
        count=counter(ctx.read_session_factory, stmt),
    )


@strawberry.type
class PlanQueries:
    @strawberry.field(
        description="年度计划征集列表，新的在前 — the yearly plan calls the Big Data Bureau opened, newest first (Art. 9)."
    )
    async def plan_calls(self, info: Ctx, first: First = None, after: After = None) -> Connection[PlanCall]:
        ctx = info.context
        ctx.require(Operation.PLAN_READ)
        return await _page(ctx, select(DomainCall), t.plan_calls.c.id, first, after, PlanCall.from_domain)

    @strawberry.field(description="年度计划条目（项目单位只看本单位项目） — plan entries the viewer may see.")
    async def plan_entries(
        self,
        info: Ctx,
        call_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="年度计划征集的全局标识（PlanCall.id） — the plan call's global id (`PlanCall.id`)."
            ),
        ],
        first: First = None,
        after: After = None,
    ) -> Connection[PlanEntry]:
        ctx = info.context
        actor = ctx.require(Operation.PLAN_READ)
        stmt = (
            select(DomainEntry)
            .join(tables.projects, tables.projects.c.id == t.plan_entries.c.project_id)
            .where(
                t.plan_entries.c.call_id == ctx.pk(call_id, "PlanCall"),
                project_filter(ctx.authorizer, actor, Operation.PROJECT_READ),
            )
        )
        return await _page(ctx, stmt, t.plan_entries.c.id, first, after, PlanEntry.from_domain)

    @strawberry.field(
        description="年度投资计划的各修订版，新的在前 — every revision of the annual investment plans, newest first (Art. 9–10)."
    )
    async def annual_plans(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        year: Annotated[
            int | None,
            strawberry.argument(
                description="只看该年度（1000–9999）的计划；不填不限 — only plans of this year, 1000–9999; omitted: every year."
            ),
        ] = None,
    ) -> Connection[AnnualPlan]:
        ctx = info.context
        ctx.require(Operation.PLAN_READ)
        check_year(year, ctx.lang, "year")  # SMALLINT (issue 13.9)
        stmt = select(DomainPlan)
        if year is not None:
            stmt = stmt.where(t.annual_plans.c.year == year)
        return await _page(ctx, stmt, t.annual_plans.c.id, first, after, AnnualPlan.from_domain)

    @strawberry.field(description="年中新增项目申请 — mid-year requests of projects the viewer may read.")
    async def mid_year_requests(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[MidYearRequest]:
        ctx = info.context
        actor = ctx.require_actor()
        stmt = (
            select(DomainMidYear)
            .join(tables.projects, tables.projects.c.id == t.mid_year_requests.c.project_id)
            .where(project_filter(ctx.authorizer, actor, Operation.PROJECT_READ))
        )
        return await _page(ctx, stmt, t.mid_year_requests.c.id, first, after, MidYearRequest.from_domain)


@strawberry.type
class PlanMutations:
    @strawberry.mutation(
        description="发布年度项目计划征集（市大数据管理局） — open the yearly call (R9).",
        extensions=[Performs(Operation.PLAN_CALL_OPEN)],
    )
    async def plan_call_open(self, info: Ctx, input: PlanCallOpenInput) -> PlanCallPayload:
        ctx = info.context
        check_year(input.year, ctx.lang, "input", "year")  # SMALLINT (issue 13.9)
        call = await use_cases.open_call(
            uow=ctx.uow(),
            operation=ctx.gate_in_force.operation,
            year=input.year,
            deadline=input.deadline,
            budget_compilation_date=input.budget_compilation_date,
            requirements=input.requirements,
        )
        return PlanCallPayload(call=PlanCall.from_domain(call), user_errors=[])

    @strawberry.mutation(
        description="报送年度计划条目（项目单位） — submit a plan entry before the deadline (R9).",
        extensions=[Performs(Operation.PLAN_ENTRY_SUBMIT, on="Project")],
    )
    async def plan_entry_submit(self, info: Ctx, input: PlanEntrySubmitInput) -> PlanEntryPayload:
        ctx = info.context
        call_id, project_id = ctx.pk(input.call_id, "PlanCall"), ctx.pk(input.project_id, "Project")
        entry = await use_cases.submit_entry(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            call_id=call_id,
            project_id=project_id,
            kind=to_domain(EntryKind, input.kind),
            amount=input.requested_amount,
            description=input.description,
        )
        return PlanEntryPayload(entry=PlanEntry.from_domain(entry), user_errors=[])

    @strawberry.mutation(
        description="审核计划条目（市大数据管理局、市财政局） — record a joint review (R10.1).",
        extensions=[Performs(Operation.PLAN_ENTRY_REVIEW, on="PlanEntry")],
    )
    async def plan_entry_review(self, info: Ctx, input: PlanEntryReviewInput) -> PlanEntryPayload:
        ctx = info.context
        entry = await use_cases.review_entry(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            entry_id=ctx.pk(input.entry_id, "PlanEntry"),
            opinion=input.opinion,
            recommended_amount=input.recommended_amount,
        )
        return PlanEntryPayload(entry=PlanEntry.from_domain(entry), user_errors=[])

    @strawberry.mutation(
        description="编制年度投资计划（市大数据管理局） — compile a revision: list and scale (R10.1).",
        extensions=[Performs(Operation.ANNUAL_PLAN_COMPILE)],
    )
    async def annual_plan_compile(self, info: Ctx, input: AnnualPlanCompileInput) -> AnnualPlanPayload:
        ctx = info.context
        call_id = ctx.pk(input.call_id, "PlanCall")
        items = [(ctx.pk(i.entry_id, "PlanEntry"), i.amount) for i in input.items]
        plan = await use_cases.compile_plan(
            uow=ctx.uow(),
            operation=ctx.gate_in_force.operation,
            call_id=call_id,
            items=items,
            note=input.note,
        )
        return AnnualPlanPayload(plan=AnnualPlan.from_domain(plan), user_errors=[])

    @strawberry.mutation(
        description="报请市政府审定（市大数据管理局） — send the compiled plan to government (R10.1).",
        extensions=[Performs(Operation.ANNUAL_PLAN_SEND)],
    )
    async def annual_plan_send(self, info: Ctx, input: AnnualPlanInput) -> AnnualPlanPayload:
        ctx = info.context
        plan = await use_cases.send_plan(
            uow=ctx.uow(), operation=ctx.gate_in_force.operation, plan_id=ctx.pk(input.plan_id, "AnnualPlan")
        )
        return AnnualPlanPayload(plan=AnnualPlan.from_domain(plan), user_errors=[])

    @strawberry.mutation(
        description="批准年度投资计划（市政府） — approve; its projects become PLANNED (R10.1).",
        extensions=[Performs(Operation.ANNUAL_PLAN_DECIDE)],
    )
    async def annual_plan_approve(self, info: Ctx, input: AnnualPlanInput) -> AnnualPlanPayload:
        return await _decide(info.context, input, approve=True)

    @strawberry.mutation(
        description="退回年度投资计划（市政府） — return it to bdb with reasons (R10.1).",
        extensions=[Performs(Operation.ANNUAL_PLAN_DECIDE)],
    )
    async def annual_plan_return(self, info: Ctx, input: AnnualPlanInput) -> AnnualPlanPayload:
        return await _decide(info.context, input, approve=False)

    @strawberry.mutation(
        description="申报年中新增项目（建设单位，R10.2 第一步）：已入库项目须年中列入计划 — a unit asks to add a reserve project to this year's plan (R10.2, step 1).",
        extensions=[Performs(Operation.MID_YEAR_SUBMIT, on="Project")],
    )
    async def mid_year_request_submit(
        self, info: Ctx, input: MidYearRequestSubmitInput
    ) -> MidYearRequestPayload:
        ctx = info.context
        request = await use_cases.submit_mid_year(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            project_id=ctx.pk(input.project_id, "Project"),
            amount=input.amount,
            reason=input.reason,
        )
        return MidYearRequestPayload(request=MidYearRequest.from_domain(request), plan=None, user_errors=[])

    @strawberry.mutation(
        description="审核年中新增项目（市大数据管理局，R10.2 第二步） — the Big Data Bureau reviews a mid-year request (R10.2, step 2).",
        extensions=[Performs(Operation.MID_YEAR_BDB_REVIEW, on="MidYearRequest")],
    )
    async def mid_year_request_review(
        self, info: Ctx, input: MidYearRequestDecisionInput
    ) -> MidYearRequestPayload:
        ctx = info.context
        request = await use_cases.review_mid_year(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            request_id=ctx.pk(input.request_id, "MidYearRequest"),
            approve=input.approve,
            opinion=input.opinion,
        )
        return MidYearRequestPayload(request=MidYearRequest.from_domain(request), plan=None, user_errors=[])

    @strawberry.mutation(
        description="出具年中新增项目意见（市财政局，R10.2 第三步） — the Finance Bureau gives its opinion and recommended amount (R10.2, step 3).",
        extensions=[Performs(Operation.MID_YEAR_FINANCE_OPINION, on="MidYearRequest")],
    )
    async def mid_year_request_finance_opinion(
        self, info: Ctx, input: MidYearRequestFinanceOpinionInput
    ) -> MidYearRequestPayload:
        ctx = info.context
        request = await use_cases.opine_mid_year(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            request_id=ctx.pk(input.request_id, "MidYearRequest"),
            opinion=input.opinion,
            recommended_amount=input.recommended_amount,
        )
        return MidYearRequestPayload(request=MidYearRequest.from_domain(request), plan=None, user_errors=[])

    @strawberry.mutation(
        description="审定年中新增项目（市政府） — R10.2 step 4: approval adds it to this year's plan "
        "as a new revision.",
        extensions=[Performs(Operation.MID_YEAR_DECIDE, on="MidYearRequest")],
    )
    async def mid_year_request_decide(
        self, info: Ctx, input: MidYearRequestDecisionInput
    ) -> MidYearRequestPayload:
        ctx = info.context
        request, plan = await use_cases.decide_mid_year(
            uow=ctx.uow(),
            gate=ctx.gate_in_force,
            request_id=ctx.pk(input.request_id, "MidYearRequest"),
            approve=input.approve,
            comment=input.opinion,
        )
        return MidYearRequestPayload(
            request=MidYearRequest.from_domain(request),
            plan=AnnualPlan.from_domain(plan) if plan else None,
            user_errors=[],
        )


async def _decide(ctx: Context, input: AnnualPlanInput, *, approve: bool) -> AnnualPlanPayload:
    plan = await use_cases.decide_plan(
        uow=ctx.uow(),
        operation=ctx.gate_in_force.operation,
        plan_id=ctx.pk(input.plan_id, "AnnualPlan"),
        approve=approve,
        comment=input.comment,
    )
    return AnnualPlanPayload(plan=AnnualPlan.from_domain(plan), user_errors=[])
