"""Authorization in the schema: what a mutation performs, `viewer.can`, `availableActions`, field rules,
and the administrators' policy editor (issue 6)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import get_object_definition

from api.context import Context, gate_in_force
from api.errors import forbidden, not_found, user_errors
from api.graphql.common import USER_ERRORS_SHORT, Payload, UserError, to_global_id
from api.graphql.enums import OperationEnum, to_gql
from api.graphql.pagination import After, Connection, Edge, First, PageRequest, counter, keyset_page
from api.graphql.readable import load_readable_project
from authz import policy_admin, policy_store
from authz.enforcer import ProjectGate
from authz.explain import Decision, article_in
from authz.operations import Operation
from authz.policy_lines import GROUPING, PERMISSION, PolicyLine
from authz.scopes import NO_OBJECT, project_facts
from domain import preconditions as pre
from domain.actors import Actor
from domain.clock import legal_date
from domain.errors import DomainError, Forbidden, NotFound
from domain.projects import Project as DomainProject
from store import tables

Ctx = Info[Context, None]

# The operations `Project.availableActions` lists, in the order it lists them: every mutation declared
# `Performs(..., on="Project")` (tests/api/test_performs.py checks the two agree).
PROJECT_ACTIONS: tuple[Operation, ...] = (
    Operation.APPROVAL_FACTS_UPDATE,
    Operation.APPROVAL_DOCUMENT_SUBMIT,
    Operation.CONTRACT_RECORD,
    Operation.OM_PROCUREMENT_RECORD,
    Operation.CHANGE_REQUEST_FILE,
    Operation.PROGRESS_REPORT_SUBMIT,
    Operation.ACCEPTANCE_INITIAL_RECORD,
    Operation.ACCEPTANCE_EXTEND,
    Operation.ACCEPTANCE_APPLY,
    Operation.ACCEPTANCE_DECIDE,
    Operation.ACCEPTANCE_REPORT_UPLOAD,
    Operation.ACCEPTANCE_REPORT_FILE,
    Operation.ACCEPTANCE_FILING_ACKNOWLEDGE,
    Operation.DISBURSEMENT_RECORD,
    Operation.RESOURCE_ALLOCATE,
    Operation.SELF_EVALUATION_SUBMIT,
    Operation.POST_EVALUATION_COMMISSION,
    Operation.PLAN_ENTRY_SUBMIT,
    Operation.MID_YEAR_SUBMIT,
    Operation.PROJECT_UPDATE,
    Operation.PROJECT_PARTICIPATION_UPDATE,
    Operation.PROJECT_SUBMIT_TO_RESERVE,
    Operation.RESERVE_REVIEW_RECORD,
    Operation.INSPECTION_OPEN,
    Operation.PROJECT_PLAN_DEFER,
    Operation.PROJECT_SUSPEND,
    Operation.PROJECT_RESUME,
    Operation.PROJECT_TERMINATE,
    Operation.INFO_REQUEST_SEND,
)

# Whether each project action may start on the project now: the precondition its use case calls first.
PRECONDITIONS: dict[Operation, pre.Precondition] = {
    Operation.APPROVAL_FACTS_UPDATE: pre.approval_facts_update,
    Operation.APPROVAL_DOCUMENT_SUBMIT: pre.approval_document_submit,
    Operation.CONTRACT_RECORD: pre.contract_record,
    Operation.OM_PROCUREMENT_RECORD: pre.om_procurement_record,
    Operation.CHANGE_REQUEST_FILE: pre.change_request_file,
    Operation.PROGRESS_REPORT_SUBMIT: pre.progress_report_submit,
    Operation.ACCEPTANCE_INITIAL_RECORD: pre.acceptance_initial_record,
    Operation.ACCEPTANCE_EXTEND: pre.acceptance_extend,
    Operation.ACCEPTANCE_APPLY: pre.acceptance_apply,
    Operation.ACCEPTANCE_DECIDE: pre.acceptance_decide,
    Operation.ACCEPTANCE_REPORT_FILE: pre.acceptance_report_file,
    Operation.ACCEPTANCE_REPORT_UPLOAD: pre.acceptance_report_upload,
    Operation.ACCEPTANCE_FILING_ACKNOWLEDGE: pre.acceptance_filing_acknowledge,
    Operation.DISBURSEMENT_RECORD: pre.disbursement_record,
    Operation.RESOURCE_ALLOCATE: pre.resource_allocate,
    Operation.SELF_EVALUATION_SUBMIT: pre.self_evaluation_submit,
    Operation.POST_EVALUATION_COMMISSION: pre.post_evaluation_commission,
    Operation.PLAN_ENTRY_SUBMIT: pre.plan_entry_submit,
    Operation.MID_YEAR_SUBMIT: pre.mid_year_submit,
    Operation.PROJECT_UPDATE: pre.project_update,
    Operation.PROJECT_PARTICIPATION_UPDATE: pre.project_participation_update,
    Operation.PROJECT_SUBMIT_TO_RESERVE: pre.project_submit_to_reserve,
    Operation.RESERVE_REVIEW_RECORD: pre.reserve_review_record,
    Operation.INSPECTION_OPEN: pre.inspection_open,
    Operation.PROJECT_PLAN_DEFER: pre.project_plan_defer,
    Operation.PROJECT_SUSPEND: pre.project_suspend,
    Operation.PROJECT_RESUME: pre.project_resume,
    Operation.PROJECT_TERMINATE: pre.project_terminate,
    Operation.INFO_REQUEST_SEND: pre.info_request_send,
}
PRECONDITION_FAILED = "PRECONDITION_FAILED"


class Performs(FieldExtension):
    """The operation a mutation performs, enforced around its resolver (Saleor's BaseMutation, as an extension).

    `Performs(Operation.X)`: an operation on no object — the actor's role must hold it unscoped (`any`), as
    `ctx.require` decides. `Performs(Operation.X, on="Project")` (or another object type): refuses at once a
    role with no grant of it at all; the use case applies the scope to the object once loaded, through
    `ctx.gate_in_force`. `Performs(None)`: public (login). The resolver then only translates: a DomainError
    becomes the declared payload with `userErrors` and every other field empty (nothing was written),
    NotFound and Forbidden become top-level NOT_FOUND / FORBIDDEN; AppErrors pass through unchanged.
    """

    def __init__(self, operation: Operation | None, on: str | None = None) -> None:
        super().__init__()
        self.operation = operation
        self.target = on

    def _open_gate(self, ctx: Context, operation: Operation) -> ProjectGate:
        if self.target is None:
            return ctx.authorizer.gate(ctx.require(operation), operation)
        return ctx.gate(operation)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        ctx: Context = info.context
        # Refusals of the gate itself (UNAUTHENTICATED, FORBIDDEN) are AppErrors, raised before the resolver.
        token = None if self.operation is None else gate_in_force.set(self._open_gate(ctx, self.operation))
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            return refused_payload(info.return_type, user_errors(error, ctx.lang))
        except NotFound as error:
            raise not_found(ctx.lang) from error
        except Forbidden as error:
            raise forbidden(ctx.lang, error.operation) from error
        finally:
            if token is not None:
                gate_in_force.reset(token)


def refused_payload(payload_type: Any, errors: list[UserError]) -> Any:
    """The payload of a refusal: `userErrors`, every other field None (or its declared default)."""
    return payload_type(**dict.fromkeys(_emptied_fields(payload_type)), user_errors=errors)


@cache
def _emptied_fields(payload_type: type) -> tuple[str, ...]:
    definition = get_object_definition(payload_type, strict=True)
    return tuple(
        f.python_name
        for f in definition.fields
        if f.python_name != "user_errors" and f.base_resolver is None and f.default is dataclasses.MISSING
    )


@strawberry.type(description="权限判定 — whether the viewer may perform an operation, and why.")
class Permission:
    operation: OperationEnum = strawberry.field(
        description="所询问的操作（与 Change.operation 同一词表） — the operation asked about, in the same vocabulary as `Change.operation`."
    )
    allowed: bool = strawberry.field(
        description="是否允许 — whether it is allowed now: authorized, and (on a project) its precondition holds."
    )
    code: str = strawberry.field(
        description="判定码 — `GRANTED`; refused by authorization: `NO_GRANT`, `OUT_OF_SCOPE` or "
        "`READ_ONLY_TOKEN` (the mutation would answer FORBIDDEN); authorized but the project's state refuses "
        "it now: `PRECONDITION_FAILED` (see `reasons`)."
    )
    reason: str = strawberry.field(description="理由 — why, in zh-CN or English (Accept-Language).")
    rule: str | None = strawberry.field(
        description="授权规则 — the policy line that allows it, or that it falls outside."
    )
    article: str | None = strawberry.field(
        description="条款 — the article that gives the power, e.g. `第七条`."
    )
    scope: str | None = strawberry.field(description="范围 — the scope of that policy line, e.g. `lead`.")
    mutation: str | None = strawberry.field(
        description="对应的变更操作 — the mutation a frontend calls to perform it, e.g. `projectUpdate`; null "
        "for an operation no mutation performs."
    )
    reasons: list[UserError] = strawberry.field(
        description="前置条件不满足的理由 — when `code` is `PRECONDITION_FAILED`: the userErrors (code, rule, "
        "article, message) the mutation would answer now; empty otherwise."
    )

    @classmethod
    def from_decision(
        cls, decision: Decision, lang: str, mutation: str | None, refusals: list[UserError] | None = None
    ) -> Permission:
        grant = decision.grant
        refused = decision.allowed and bool(refusals)
        return cls(
            operation=to_gql(OperationEnum, decision.operation),
            allowed=decision.allowed and not refused,
            code=PRECONDITION_FAILED if refused else decision.code,
            reason=("；" if lang != "en" else "; ").join(r.message for r in refusals or [])
            if refused
            else decision.reason(lang),
            rule=grant.rule if grant else None,
            article=article_in(grant.article, lang) if grant else None,
            scope=grant.scope if grant else None,
            mutation=mutation,
            reasons=list(refusals or []) if refused else [],
        )


_MUTATIONS: dict[int, dict[Operation, str]] = {}


def mutation_of(info: Ctx, operation: Operation) -> str | None:
    """The first mutation (schema order) whose `Performs` names the operation; read from the schema once."""
    schema = info.schema
    names = _MUTATIONS.get(id(schema))
    if names is None:
        names = {}
        mutation = schema.get_type_by_name("Mutation")
        for f in getattr(mutation, "fields", ()):
            for extension in f.extensions:
                if isinstance(extension, Performs) and extension.operation is not None:
                    names.setdefault(extension.operation, schema.config.name_converter.from_field(f))
        _MUTATIONS[id(schema)] = names
    return names.get(operation)


async def project_permission(
    info: Ctx, actor: Actor, operation: Operation, project: DomainProject
) -> Permission:
    """Authorization first (as the gate decides), then the operation's precondition on this project."""
    ctx = info.context
    decision = ctx.authorizer.explain(actor, operation, project_facts(actor, project))
    check = PRECONDITIONS.get(operation)
    refusals: list[UserError] = []
    if decision.allowed and check is not None:
        facts = await ctx.loaders["action_facts"].load(project.id)
        found = check(project, facts, legal_date(ctx.clock()))
        refusals = user_errors(DomainError(found), ctx.lang) if found else []
    return Permission.from_decision(decision, ctx.lang, mutation_of(info, operation), refusals)


def require_on_project(info: Ctx, operation: Operation, project: DomainProject) -> None:
    """Field-level rule: FORBIDDEN (the field becomes null with an error entry) unless the policy allows."""
    ctx = info.context
    actor = ctx.require_actor()
    if not ctx.authorizer.allowed(actor, operation, project_facts(actor, project)):
        raise forbidden(ctx.lang, operation.value)


@strawberry.type
class ViewerPermissions:
    """Mixed into `Viewer`."""

    @strawberry.field(
        description="能否执行某操作 — whether the viewer may perform an operation, on a project if given."
    )
    async def can(
        self,
        info: Ctx,
        operation: Annotated[
            OperationEnum,
            strawberry.argument(
                description="要询问的操作，如 PROJECT_UPDATE — the operation to ask about, e.g. PROJECT_UPDATE."
            ),
        ],
        project_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="项目全局标识；不给则问“是否对某些对象可以” — the project; without it: on some objects at all."
            ),
        ] = None,
    ) -> Permission:
        ctx = info.context
        actor = ctx.require_actor()
        op = Operation(operation.value)
        if project_id is None:
            facts = NO_OBJECT | ctx.authorizer.scopes(actor, op)
            decision = ctx.authorizer.explain(actor, op, facts)
            return Permission.from_decision(decision, ctx.lang, mutation_of(info, op))
        project = await load_readable_project(ctx, pk=ctx.pk(project_id, "Project"))
        return await project_permission(info, actor, op, project)


@strawberry.type
class ProjectPermissions:
    """Mixed into `Project`, whose `aggregate(info)` gives the domain object."""

    @strawberry.field(
        description="可执行的操作 — each project action: whether the viewer may do it now, the mutation "
        "that does it, and why not — authorization first (`NO_GRANT`, `OUT_OF_SCOPE` …), then the "
        "project's lifecycle precondition (`PRECONDITION_FAILED` with the mutation's own userErrors)."
    )
    async def available_actions(self, info: Ctx) -> list[Permission]:
        ctx = info.context
        actor = ctx.require_actor()
        project = await self.aggregate(info)  # type: ignore[attr-defined]
        return [await project_permission(info, actor, op, project) for op in PROJECT_ACTIONS]

    @strawberry.field(
        description="下一步审批文件为何为空 — why `nextApprovalStep` is null, as the userErrors "
        "`approvalDocumentSubmit` would answer (e.g. `PROJECT_NOT_IN_APPROVAL`, `DOCUMENT_UNDER_REVIEW`, "
        "`PROJECT_SUSPENDED`) or `APPROVAL_PATH_COMPLETE` once the preliminary design is approved; empty "
        "when there is a next step."
    )
    async def next_approval_step_blocked(self, info: Ctx) -> list[UserError]:
        found = pre.no_next_approval_step(await self.aggregate(info))  # type: ignore[attr-defined]
        return user_errors(DomainError(found), info.context.lang) if found else []


@strawberry.type(description="授权规则 — one line of the authorization policy.")
class PolicyRule:
    id: strawberry.ID = strawberry.field(
        description="规则的全局标识，policyRuleRemove 用 — the rule's global id, as `policyRuleRemove` takes it."
    )
    kind: str = strawberry.field(description="类型：`p` 授权，`g` 角色归组 — `p` permission, `g` role group.")
    role: str = strawberry.field(description="角色 — the role (for `g`: the member role).")
    operation: str | None = strawberry.field(
        description="授权的操作，如 project:update（仅 p 规则） — the operation granted, e.g. `project:update`; `p` lines only."
    )
    scope: str | None = strawberry.field(
        description="授权的范围，如 lead、any（仅 p 规则） — the scope of the grant, e.g. `lead`, `any`; `p` lines only."
    )
    article: str | None = strawberry.field(description="条款 — the article giving the power (`p` only).")
    group: str | None = strawberry.field(
        description="成员角色加入的角色组，如 supervisor（仅 g 规则） — the group the member role joins, e.g. `supervisor`; `g` lines only."
    )
    line: str = strawberry.field(description="规则原文 — the line as policy.csv spells it.")

    @classmethod
    def from_line(cls, rule_id: int, line: PolicyLine) -> PolicyRule:
        v = line.values
        permission = line.ptype == PERMISSION
        return cls(
            id=to_global_id("PolicyRule", rule_id),
            kind=line.ptype,
            role=v[0],
            operation=v[1] if permission else None,
            scope=v[2] if permission else None,
            article=v[3] if permission else None,
            group=None if permission else v[1],
            line=line.text,
        )


@strawberry.type(description="授权策略 — the whole policy as stored, with its version.")
class PolicyRuleSet:
    version: int = strawberry.field(
        description="策略版本号，每次生效的修改加一 — the policy's version, incremented by every change in force."
    )
    rules: list[PolicyRule] = strawberry.field(
        description="全部规则（不分页：整份策略一次编辑） — every line; not paged, the policy is edited as a whole."
    )


@strawberry.input(
    description="新增一条授权规则（p 行）：须另一管理员批准后生效（R3.2） — a permission line to add; in force only once another administrator approves it (R3.2)."
)
class PolicyRuleAddInput:
    role: str = strawberry.field(
        description="被授权的角色（单位类型或角色组），如 unit、bdb、supervisor — the role granted: an organization type or a group, e.g. `unit`, `bdb`, `supervisor`."
    )
    operation: OperationEnum = strawberry.field(
        description="授予的操作，如 PROJECT_UPDATE — the operation granted, e.g. PROJECT_UPDATE."
    )
    scope: str = strawberry.field(
        description="范围 — `any`, `lead`, `participant`, `submitted`, `published` …"
    )
    article: str = strawberry.field(description="授权依据条款 — the article giving the power, e.g. `第七条`.")


@strawberry.input(
    description="删除一条授权规则：立即在所有进程生效 — a policy line to remove; in force in every process within a second."
)
class PolicyRuleRemoveInput:
    rule_id: strawberry.ID = strawberry.field(
        description="要删除的规则的全局标识（PolicyRule.id） — the global id of the line to remove (`PolicyRule.id`)."
    )


@strawberry.input(description="新增角色归组 — a grouping line to add: the role joins the group's powers.")
class PolicyGroupAddInput:
    role: str = strawberry.field(
        description="加入角色组的成员角色，如 bdb — the member role that joins the group, e.g. `bdb`."
    )
    group: str = strawberry.field(description="角色组 — the group it joins, e.g. `supervisor`.")


@strawberry.enum(description="授权规则变更状态 — state of a proposed policy change (R3.2).")
class PolicyChangeStatus(Enum):
    PROPOSED = strawberry.enum_value(
        "PROPOSED", description="待另一管理员批准 — waiting for another administrator."
    )
    APPROVED = strawberry.enum_value("APPROVED", description="已批准并生效 — approved and in force.")
    REJECTED = strawberry.enum_value("REJECTED", description="已驳回，未生效 — rejected; never in force.")


@strawberry.type(
    description="授权规则变更 — a proposed line that widens a role: not in force until another "
    "administrator approves it (R3.2)."
)
class PolicyChange:
    id: strawberry.ID = strawberry.field(description="全局标识 — global id (to approve or reject it).")
    status: PolicyChangeStatus = strawberry.field(
        description="变更状态：待批准、已批准生效或已驳回 — PROPOSED (waiting), APPROVED (in force) or REJECTED."
    )
    rule: PolicyRule = strawberry.field(
        description="提议的规则（`id` 为生效后的规则标识，未生效时为变更标识） — the proposed line; its `id` is "
        "the rule's once approved, the change's before."
    )
    proposed_by: str = strawberry.field(description="提出人 — username of the proposing administrator.")
    proposed_at: datetime = strawberry.field(
        description="提出时间（UTC） — when the change was proposed (UTC)."
    )
    decided_by: str | None = strawberry.field(
        description="批准或驳回的管理员用户名；待批准为空 — the administrator who approved or rejected it; null while proposed."
    )
    decided_at: datetime | None = strawberry.field(
        description="批准或驳回的时间（UTC）；待批准为空 — when it was decided (UTC); null while proposed."
    )
    comment: str = strawberry.field(description="驳回理由 — the rejection's reason; empty otherwise.")

    @classmethod
    def from_stored(cls, change: policy_store.StoredChange) -> PolicyChange:
        rule_id = change.rule_id
        rule = PolicyRule.from_line(rule_id if rule_id is not None else change.id, change.line)
        if rule_id is None:
            rule.id = to_global_id("PolicyChange", change.id)
        return cls(
            id=to_global_id("PolicyChange", change.id),
            status=PolicyChangeStatus(change.status),
            rule=rule,
            proposed_by=change.proposed_by,
            proposed_at=change.proposed_at,
            decided_by=change.decided_by,
            decided_at=change.decided_at,
            comment=change.comment,
        )


@strawberry.type(
    description="授权规则变更结果 — result of a policy edit: a removal is in force in every process within a "
    "second; an addition is only proposed (`change`) until another administrator approves it."
)
class PolicyRulePayload(Payload, errors=USER_ERRORS_SHORT):
    rule: PolicyRule | None = strawberry.field(
        description="删除的规则；新增时为空（尚未生效） — the rule removed; null for an addition (not in force yet)."
    )
    version: int | None = strawberry.field(
        description="新的策略版本；新增时为空 — the new policy version; null for an addition."
    )
    change: PolicyChange | None = strawberry.field(
        default=None,
        description="待批准的变更（新增时） — the proposal an addition made, waiting for approval.",
    )


@strawberry.input(description="批准授权规则变更 — approve another administrator's proposal.")
class PolicyChangeApproveInput:
    change_id: strawberry.ID = strawberry.field(
        description="要批准的变更的全局标识（PolicyChange.id），须为他人提出 — the proposal's global id; it must be another administrator's."
    )


@strawberry.input(description="驳回授权规则变更 — reject another administrator's proposal.")
class PolicyChangeRejectInput:
    change_id: strawberry.ID = strawberry.field(
        description="要驳回的变更的全局标识（PolicyChange.id） — the global id of the proposal to reject."
    )
    comment: str = strawberry.field(
        default="",
        description="驳回理由（可为空），随变更保存 — why it is rejected, kept with the change as `comment`; may be empty.",
    )


@strawberry.type(
    description="授权规则变更处理结果 — result of an approval (in force in every process within a second) "
    "or a rejection."
)
class PolicyChangePayload(Payload, errors=USER_ERRORS_SHORT):
    change: PolicyChange | None = strawberry.field(
        description="审批后的变更申请（APPROVED 或 REJECTED）；被拒绝时为空 — the change request after the decision, APPROVED or REJECTED; null when refused."
    )
    version: int | None = strawberry.field(
        description="新的策略版本（批准时） — the new policy version, on approval."
    )


@strawberry.type
class PolicyQueries:
    @strawberry.field(description="授权策略（管理员） — the authorization policy as stored (administrators).")
    async def policy_rules(self, info: Ctx) -> PolicyRuleSet:
        ctx = info.context
        ctx.require(Operation.POLICY_READ)
        # Deliberately the primary, not a replica (issue 17): the policy every process enforces is the
        # primary's (loaded and followed there by LISTEN), and an administrator reviewing it must not see an
        # older one than is in force. Rare, small reads: nothing to scale.
        async with ctx.session_factory() as session:
            rules, version = await policy_store.load(session)
        return PolicyRuleSet(version=version, rules=[PolicyRule.from_line(r.id, r.line) for r in rules])

    @strawberry.field(
        description="授权规则变更，最新在前（管理员） — proposed and decided policy changes, newest first "
        "(administrators)."
    )
    async def policy_changes(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        status: Annotated[
            PolicyChangeStatus | None,
            strawberry.argument(
                description="只看该状态的授权变更，如 PROPOSED 待批准的提议；不填不限 — only policy changes in this state, e.g. PROPOSED for those awaiting a second administrator; omitted: all."
            ),
        ] = None,
    ) -> Connection[PolicyChange]:
        ctx = info.context
        ctx.require(Operation.POLICY_CHANGE_READ)
        c = tables.policy_changes
        stmt = select(c)
        if status is not None:
            stmt = stmt.where(c.c.status == status.value)
        # The primary, like policyRules: the second administrator of a four-eyes approval (R3.2) is not the
        # proposer, so read-your-writes would not bring them a proposal a replica has not replayed yet.
        async with ctx.session_factory() as session:
            rows, page_info, cursors = await keyset_page(
                session, stmt, key=c.c.id, page=PageRequest(first, after, None, None), lang=ctx.lang
            )
        return Connection[PolicyChange](
            edges=[
                Edge(cursor=cursor, node=PolicyChange.from_stored(policy_store.change_from_row(row)))
                for row, cursor in zip(rows, cursors, strict=True)
            ],
            page_info=page_info,
            count=counter(ctx.session_factory, stmt),
        )


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(
        description="提议新增授权规则（管理员；须另一管理员批准后生效，R3.2） — propose a permission line "
        "(administrators); in force once another administrator approves it (R3.2).",
        extensions=[Performs(Operation.POLICY_WRITE)],
    )
    async def policy_rule_add(self, info: Ctx, input: PolicyRuleAddInput) -> PolicyRulePayload:
        ctx = info.context
        line = PolicyLine(
            PERMISSION,
            (input.role.strip(), input.operation.value, input.scope.strip(), input.article.strip()),
        )
        change = await policy_admin.propose_rule(uow=ctx.uow(), authorizer=ctx.authorizer, line=line)
        return PolicyRulePayload(
            rule=None, version=None, change=PolicyChange.from_stored(change), user_errors=[]
        )

    @strawberry.mutation(
        description="提议角色归组（管理员；须另一管理员批准后生效，R3.2） — propose that a role joins a group "
        "(administrators); in force once another administrator approves it (R3.2).",
        extensions=[Performs(Operation.POLICY_WRITE)],
    )
    async def policy_group_add(self, info: Ctx, input: PolicyGroupAddInput) -> PolicyRulePayload:
        ctx = info.context
        line = PolicyLine(GROUPING, (input.role.strip(), input.group.strip()))
        change = await policy_admin.propose_rule(uow=ctx.uow(), authorizer=ctx.authorizer, line=line)
        return PolicyRulePayload(
            rule=None, version=None, change=PolicyChange.from_stored(change), user_errors=[]
        )

    @strawberry.mutation(
        description="删除授权规则（管理员；立即生效） — remove a policy line (administrators); in force at once.",
        extensions=[Performs(Operation.POLICY_WRITE)],
    )
    async def policy_rule_remove(self, info: Ctx, input: PolicyRuleRemoveInput) -> PolicyRulePayload:
        ctx = info.context
        rule_id = ctx.pk(input.rule_id, "PolicyRule")
        line, version = await policy_admin.remove_rule(uow=ctx.uow(), rule_id=rule_id)
        await policy_admin.apply_database_policy(ctx.authorizer, ctx.session_factory)
        return PolicyRulePayload(rule=PolicyRule.from_line(rule_id, line), version=version, user_errors=[])

    @strawberry.mutation(
        description="批准授权规则变更（另一管理员） — approve a proposed change; not the proposer's own (R3.2).",
        extensions=[Performs(Operation.POLICY_CHANGE_DECIDE)],
    )
    async def policy_change_approve(self, info: Ctx, input: PolicyChangeApproveInput) -> PolicyChangePayload:
        ctx = info.context
        change, _rule_id, version = await policy_admin.approve_change(
            uow=ctx.uow(), authorizer=ctx.authorizer, change_id=ctx.pk(input.change_id, "PolicyChange")
        )
        await policy_admin.apply_database_policy(ctx.authorizer, ctx.session_factory)
        return PolicyChangePayload(change=PolicyChange.from_stored(change), version=version, user_errors=[])

    @strawberry.mutation(
        description="驳回授权规则变更（另一管理员） — reject a proposed change; not the proposer's own (R3.2).",
        extensions=[Performs(Operation.POLICY_CHANGE_DECIDE)],
    )
    async def policy_change_reject(self, info: Ctx, input: PolicyChangeRejectInput) -> PolicyChangePayload:
        ctx = info.context
        change = await policy_admin.reject_change(
            uow=ctx.uow(), change_id=ctx.pk(input.change_id, "PolicyChange"), comment=input.comment.strip()
        )
        return PolicyChangePayload(change=PolicyChange.from_stored(change), version=None, user_errors=[])
