"""The obligations calendar (Art. 18–23) and the viewer's in-app notices."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import and_, select, update
from strawberry.types import Info

from api.context import Context
from api.graphql.authz import Performs
from api.graphql.common import USER_ERRORS_SHORT, Node, PageInfo, Payload, project_id_field, to_global_id
from api.graphql.enums import _mirror, to_domain, to_gql
from api.graphql.organizations import Organization
from api.graphql.pagination import (
    After,
    Before,
    Connection,
    Edge,
    First,
    Last,
    PageRequest,
    counter,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from api.graphql.projects.types import Project
from authz.operations import Operation
from authz.sql import project_filter
from domain.clock import legal_date
from domain.obligations import TITLES, NoticeKind, ObligationState
from domain.obligations import Obligation as DomainObligation
from domain.projects import Project as DomainProject
from domain.rules import article_label
from domain.services.obligations import ObligationFilter as DomainFilter
from domain.services.obligations import calendar
from store import tables
from store.supervision_repositories import obligation_facts
from store.supervision_tables import notifications

Ctx = Info[Context, None]

ObligationStateEnum = _mirror(
    "ObligationState",
    "义务状态 — state of an obligation on today's date.",
    ObligationState,
    {
        ObligationState.UPCOMING: "未到期（尚未开始） — upcoming: not open yet",
        ObligationState.OPEN: "办理期内 — open: may and should be done now",
        ObligationState.DONE: "已完成 — done",
        ObligationState.OVERDUE: "已逾期 — overdue: the due date has passed",
    },
)
NoticeKindEnum = _mirror(
    "NoticeKind",
    "通知类型：为何发送此通知（义务开始、即将到期、已逾期等） — why the notice was sent: an obligation opened, falls due soon, is overdue …",
    NoticeKind,
    {
        NoticeKind.OPENED: "义务开始 — the obligation opened",
        NoticeKind.DUE_IN_30_DAYS: "30天内到期 — due within 30 days",
        NoticeKind.DUE_IN_7_DAYS: "7天内到期 — due within 7 days",
        NoticeKind.OVERDUE: "已逾期 — overdue",
    },
)


def obligation_global_id(key: str) -> strawberry.ID:
    """The global id of an obligation: derived, not stored, so its stable key stands in for a row id."""
    return strawberry.ID(base64.urlsafe_b64encode(f"Obligation:{key}".encode()).decode().rstrip("="))


def obligation_key_of(global_id: str) -> str | None:
    """The key inside an obligation's global id; None for anything else."""
    try:
        text = base64.urlsafe_b64decode((global_id + "=" * (-len(global_id) % 4)).encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    type_name, _, key = text.partition(":")
    return key if type_name == "Obligation" and key else None


@strawberry.type(
    description="法定义务 — one deadline the regulation sets for a project, derived from its facts; "
    "`node(id:)` finds it while the project has it."
)
class Obligation(Node):
    key: str = strawberry.field(description="义务标识（稳定不变） — stable key, e.g. `12:R18:3`.")
    rule: str = strawberry.field(
        description="产生这项义务的规则编号（RULES.md），如 R18 — the rule that creates the obligation (RULES.md), e.g. `R18`."
    )
    article: str = strawberry.field(
        description="该规则所在的条款，如「第十八条」 — the article of the regulation, e.g. `第十八条`."
    )
    title: str = strawberry.field(
        description="应办事项（按 Accept-Language 为中文或英文） — what is owed, e.g. a progress report, in zh-CN or English by `Accept-Language`."
    )
    opens_on: date = strawberry.field(
        description="可以开始办理的日期（YYYY-MM-DD，中国时间） — the first day it can be done, YYYY-MM-DD in China time."
    )
    due_on: date = strawberry.field(
        description="截止日期（北京时间当日内有效） — due date; the whole China-time day is in time."
    )
    state: ObligationStateEnum = strawberry.field(
        description="按今天判断的状态：未开始、办理中、已完成或已逾期 — the state as of today: UPCOMING, OPEN, DONE or OVERDUE."
    )
    organization_id: strawberry.Private[int]
    model: strawberry.Private[DomainProject | None]

    @strawberry.field(description="负责办理的单位 — the organization that must do it.")
    async def organization(self, info: Ctx) -> Organization:
        return Organization.from_row(await info.context.loaders["organization"].load(self.organization_id))

    project_id: strawberry.Private[int]

    @strawberry.field(
        description="处理后的项目；被拒绝时为空 — the project after the mutation; null when refused."
    )
    async def project(self, info: Ctx) -> Project | None:
        model = self.model or await info.context.loaders["project"].load(self.project_id)
        return Project.from_domain(model)

    @classmethod
    def from_domain(cls, o: DomainObligation, project: DomainProject | None, lang: str) -> Obligation:
        zh, en = TITLES[o.rule]
        return cls(
            id=obligation_global_id(o.key),
            key=o.key,
            rule=o.rule,
            article=article_label(o.rule, lang) or "",
            title=en if lang == "en" else zh,
            opens_on=o.opens_on,
            due_on=o.due_on,
            state=to_gql(ObligationStateEnum, o.state),
            organization_id=o.organization_id,
            project_id=o.project_id,
            model=project,
        )


@strawberry.input(
    description="义务筛选：各条件同时满足，不填不限 — which obligations: every given condition must hold; omitted: all you may read."
)
class ObligationFilter:
    organization_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="只看该责任单位的义务（Organization.id） — only obligations of this organization, its global id.",
    )
    state: ObligationStateEnum | None = strawberry.field(
        default=None,
        description="只看该状态的义务，如 OVERDUE — only obligations in this state, e.g. OVERDUE.",
    )
    due_before: date | None = strawberry.field(
        default=None,
        description="只看在此日期（YYYY-MM-DD）及之前到期的义务 — only obligations due on or before this day, YYYY-MM-DD.",
    )
    rule: str | None = strawberry.field(
        default=None,
        description="只看该规则产生的义务，如 R18、R23 — only obligations created by this rule, e.g. `R18`, `R23`.",
    )


async def scoped_obligations(
    ctx: Context, wanted: DomainFilter, project_id: int | None = None
) -> list[DomainObligation]:
    """Obligations of the projects the viewer may see in the calendar (a unit its own, supervisors all)."""
    actor = ctx.require_actor()
    where = project_filter(ctx.authorizer, actor, Operation.OBLIGATION_READ)
    if project_id is not None:
        where = and_(where, tables.projects.c.id == project_id)
    if wanted.organization_id is not None:
        where = and_(where, tables.projects.c.lead_organization_id == wanted.organization_id)
    async with ctx.read_session_factory() as session:
        facts = await obligation_facts(session, where)
    return calendar(facts, legal_date(ctx.clock()), wanted)


async def obligation_by_id(ctx: Context, global_id: str) -> Obligation | None:
    """The obligation behind a global id, scoped like `obligations`; None when absent or not visible."""
    key = obligation_key_of(global_id)
    project, _, _ = (key or "").partition(":")
    if not project.isdigit() or len(project) > 18:  # a forged key: no project of ours, no query
        return None
    found = [o for o in await scoped_obligations(ctx, DomainFilter(), int(project)) if o.key == key]
    return Obligation.from_domain(found[0], None, ctx.lang) if found else None


async def notification_by_pk(ctx: Context, pk: int) -> Notification | None:
    """A notice of the viewer's own organization, as `notifications` lists them; None otherwise."""
    actor = ctx.require(Operation.NOTIFICATION_READ)
    n = notifications
    async with ctx.read_session_factory() as session:
        row = (
            await session.execute(select(n).where(n.c.id == pk, n.c.organization_id == actor.organization_id))
        ).first()
    return Notification.from_row(row, ctx.lang) if row is not None else None


def _page(
    items: list[DomainObligation], page: PageRequest, lang: str
) -> tuple[list[DomainObligation], PageInfo]:
    """The calendar is derived, not stored: pages are cut from the ordered list by (due date, key)."""
    page.validate(lang)

    def position(o: DomainObligation) -> list[str]:
        return [o.due_on.isoformat(), o.key]

    if page.first is not None:
        after = decode_cursor(page.after, lang) if page.after else None
        rest = [o for o in items if after is None or position(o) > after]
        return rest[: page.first], PageInfo(
            has_next_page=len(rest) > page.first,
            has_previous_page=after is not None,
            start_cursor=None,
            end_cursor=None,
        )
    before = decode_cursor(page.before, lang) if page.before else None
    rest = [o for o in items if before is None or position(o) < before]
    assert page.last is not None
    return rest[-page.last :], PageInfo(
        has_next_page=before is not None,
        has_previous_page=len(rest) > page.last,
        start_cursor=None,
        end_cursor=None,
    )


@strawberry.type(description="本单位通知 — an in-app notice to the viewer's organization.")
class Notification(Node):
    kind: NoticeKindEnum = strawberry.field(
        description="通知原因：义务开始、30 天或 7 天内到期、已逾期 — why it was sent: the obligation opened, "
        "is due within 30 or 7 days, or is overdue."
    )
    rule: str = strawberry.field(
        description="义务所依据的规则编号，如 `R18` — the obligation's rule id, e.g. `R18`."
    )
    title: str = strawberry.field(
        description="应办事项（按请求语言） — what is owed, in the request's language, e.g. 报送季度建设进度 / "
        "quarterly progress report."
    )
    obligation_key: str = strawberry.field(
        description="所属义务的标识，同 `Obligation.key` — the key of the obligation it is about, as "
        "`Obligation.key`."
    )
    opens_on: date = strawberry.field(
        description="通知所述义务开始办理的日期（YYYY-MM-DD） — the day the obligation this notice is about opened, YYYY-MM-DD."
    )
    due_on: date = strawberry.field(
        description="义务截止日期（北京时间当日内有效） — the obligation's due date; the whole China-time day "
        "is in time."
    )
    created_at: datetime = strawberry.field(
        description="通知发出时间（后台任务发送时） — when the background task sent it."
    )
    read_at: datetime | None = strawberry.field(
        description="标为已读的时间（UTC）；未读为空 — when it was marked read (UTC); null while unread."
    )
    project_id: strawberry.ID = project_id_field()

    @classmethod
    def from_row(cls, row: Any, lang: str) -> Notification:
        zh, en = TITLES.get(row.rule, (row.rule, row.rule))
        return cls(
            id=to_global_id("Notification", row.id),
            kind=NoticeKindEnum[row.kind],
            rule=row.rule,
            title=en if lang == "en" else zh,
            obligation_key=row.obligation_key,
            opens_on=row.opens_on,
            due_on=row.due_on,
            created_at=row.created_at,
            read_at=row.read_at,
            project_id=to_global_id("Project", row.project_id),
        )


@strawberry.input(
    description="把本人的通知标为已读：指定 ids，或不填全部标为已读 — mark your notifications read: the given ids, or all of them."
)
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="要标为已读的通知全局标识；不填则全部 — the notifications to mark read, by global id; omitted: all of yours.",
    )


@strawberry.type(
    description="标为已读的结果：本次标记的通知数 — the answer of marking notifications read: how many were marked."
)
class MarkNotificationsReadPayload(Payload, errors=USER_ERRORS_SHORT):
    count: int = strawberry.field(
        default=0, description="本次标为已读的数量 — how many were newly marked read."
    )


@strawberry.type
class ObligationQueries:
    @strawberry.field(
        description="义务日历（单位看本单位的，监管部门看全部） — the obligations calendar: a unit sees "
        "its own, supervisors all; by due date."
    )
    async def obligations(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            ObligationFilter | None,
            strawberry.argument(
                description="义务筛选：各条件同时满足，不填不限 — which obligations: every given condition must hold; omitted: all you may read."
            ),
        ] = None,
    ) -> Connection[Obligation]:
        ctx = info.context
        f = filter or ObligationFilter()
        wanted = DomainFilter(
            organization_id=ctx.pk(f.organization_id, "Organization") if f.organization_id else None,
            state=to_domain(ObligationState, f.state) if f.state else None,
            due_before=f.due_before,
            rule=f.rule,
        )
        items = await scoped_obligations(ctx, wanted)
        chosen, info_ = _page(items, PageRequest(first, after, last, before), ctx.lang)
        async with ctx.read_session_factory() as session:
            projects = {
                p.id: p
                for p in (
                    await session.execute(
                        select(DomainProject).where(tables.projects.c.id.in_({o.project_id for o in chosen}))
                    )
                ).scalars()
            }
        cursors = [encode_cursor([o.due_on.isoformat(), o.key]) for o in chosen]
        info_.start_cursor, info_.end_cursor = (cursors[0], cursors[-1]) if cursors else (None, None)
        total = len(items)

        async def count() -> int:
            return total

        return Connection(
            edges=[
                Edge(cursor=c, node=Obligation.from_domain(o, projects.get(o.project_id), ctx.lang))
                for o, c in zip(chosen, cursors, strict=True)
            ],
            page_info=info_,
            count=count,
        )

    @strawberry.field(
        description="本单位通知，最新的在前 — notices to the viewer's organization, newest first."
    )
    async def notifications(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        unread_only: Annotated[
            bool,
            strawberry.argument(
                description="为 true 时只返回未读通知 — true to list only notifications not yet marked read."
            ),
        ] = False,
    ) -> Connection[Notification]:
        ctx = info.context
        actor = ctx.require(Operation.NOTIFICATION_READ)
        n = notifications
        stmt = select(n).where(n.c.organization_id == actor.organization_id)
        if unread_only:
            stmt = stmt.where(n.c.read_at.is_(None))
        async with ctx.read_session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=n.c.id, page=PageRequest(first, after, last, before), lang=ctx.lang
            )
        return Connection(
            edges=[
                Edge(cursor=c, node=Notification.from_row(r, ctx.lang))
                for r, c in zip(rows, cursors, strict=True)
            ],
            page_info=page_info,
            count=counter(ctx.read_session_factory, stmt),
        )


@strawberry.type
class ObligationMutations:
    @strawberry.mutation(
        description="将本单位通知标为已读 — mark the organization's notices read.",
        extensions=[Performs(Operation.NOTIFICATION_MARK_READ)],
    )
    async def mark_notifications_read(
        self, info: Ctx, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ctx = info.context
        n = notifications
        stmt = update(n).where(
            n.c.organization_id == ctx.require_actor().organization_id, n.c.read_at.is_(None)
        )
        if input.ids is not None:
            stmt = stmt.where(n.c.id.in_([ctx.pk(i, "Notification") for i in input.ids]))
        async with ctx.session_factory() as session, session.begin():
            result = await session.execute(stmt.values(read_at=ctx.clock()).returning(n.c.id))
            return MarkNotificationsReadPayload(count=len(result.all()), user_errors=[])
