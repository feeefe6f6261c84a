"""Authorization in the schema: what a mutation performs, `viewer.can`, `availableActions`, field rules,
and the administrators' policy editor (issue 6)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import get_object_definition

from api.context import Context, gate_in_force
from api.errors import forbidden, not_found, user_errors
from api.graphql.common import UserError, to_global_id
from api.graphql.enums import OperationEnum, to_gql
from authz import policy_admin, policy_store
from authz.enforcer import ProjectGate
from authz.explain import Decision, article_in
from authz.operations import Operation
from authz.policy_lines import PERMISSION, PolicyLine
from authz.scopes import NO_OBJECT, project_facts
from domain import preconditions as pre
from domain.actors import Actor
from domain.clock import legal_date
from domain.errors import DomainError, Forbidden, NotFound
from domain.projects import Project as DomainProject

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
    operation: OperationEnum = strawberry.field(description="操作 — the operation.")
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
        operation: Annotated[OperationEnum, strawberry.argument(description="操作 — the operation.")],
        project_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="项目全局标识；不给则问“是否对某些对象可以” — the project; without it: on some objects at all."
            ),
        ] = None,
    ) -> Permission:
        from api.graphql.projects import load_readable_project  # projects mixes in ProjectPermissions

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
    id: strawberry.ID = strawberry.field(description="全局标识 — global id (to remove it).")
    kind: str = strawberry.field(description="类型：`p` 授权，`g` 角色归组 — `p` permission, `g` role group.")
    role: str = strawberry.field(description="角色 — the role (for `g`: the member role).")
    operation: str | None = strawberry.field(description="操作 — the operation (`p` only).")
    scope: str | None = strawberry.field(description="范围 — the scope it needs (`p` only).")
    article: str | None = strawberry.field(description="条款 — the article giving the power (`p` only).")
    group: str | None = strawberry.field(description="所属角色组 — the group role (`g` only).")
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
    version: int = strawberry.field(description="策略版本 — bumped by every change.")
    rules: list[PolicyRule] = strawberry.field(
        description="全部规则（不分页：整份策略一次编辑） — every line; not paged, the policy is edited as a whole."
    )


@strawberry.input(description="新增授权规则 — a permission line to add.")
class PolicyRuleAddInput:
    role: str = strawberry.field(description="角色 — e.g. `unit`, `bdb`, `supervisor`.")
    operation: OperationEnum = strawberry.field(description="操作 — the operation.")
    scope: str = strawberry.field(
        description="范围 — `any`, `lead`, `participant`, `submitted`, `published` …"
    )
    article: str = strawberry.field(description="授权依据条款 — the article giving the power, e.g. `第七条`.")


@strawberry.input(description="删除授权规则 — a line to remove.")
class PolicyRuleRemoveInput:
    rule_id: strawberry.ID = strawberry.field(description="规则全局标识 — the rule's global id.")


@strawberry.type(
    description="授权规则变更结果 — result of a policy change; in force in every process within a second."
)
class PolicyRulePayload:
    rule: PolicyRule | None = strawberry.field(description="新增或删除的规则 — the rule added or removed.")
    version: int | None = strawberry.field(description="新的策略版本 — the new policy version.")
    user_errors: list[UserError] = strawberry.field(
        description="拒绝理由；成功时为空 — refusals; empty on success."
    )


@strawberry.type
class PolicyQueries:
    @strawberry.field(description="授权策略（管理员） — the authorization policy as stored (administrators).")
    async def policy_rules(self, info: Ctx) -> PolicyRuleSet:
        ctx = info.context
        ctx.require(Operation.POLICY_READ)
        async with ctx.session_factory() as session:
            rules, version = await policy_store.load(session)
        return PolicyRuleSet(version=version, rules=[PolicyRule.from_line(r.id, r.line) for r in rules])


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(
        description="新增授权规则（管理员） — add a permission line (administrators).",
        extensions=[Performs(Operation.POLICY_WRITE)],
    )
    async def policy_rule_add(self, info: Ctx, input: PolicyRuleAddInput) -> PolicyRulePayload:
        ctx = info.context
        line = PolicyLine(
            PERMISSION,
            (input.role.strip(), input.operation.value, input.scope.strip(), input.article.strip()),
        )
        rule_id, version = await policy_admin.add_rule(uow=ctx.uow(), authorizer=ctx.authorizer, line=line)
        await policy_admin.apply_database_policy(ctx.authorizer, ctx.session_factory)
        return PolicyRulePayload(rule=PolicyRule.from_line(rule_id, line), version=version, user_errors=[])

    @strawberry.mutation(
        description="删除授权规则（管理员） — remove a policy line (administrators).",
        extensions=[Performs(Operation.POLICY_WRITE)],
    )
    async def policy_rule_remove(self, info: Ctx, input: PolicyRuleRemoveInput) -> PolicyRulePayload:
        ctx = info.context
        rule_id = ctx.pk(input.rule_id, "PolicyRule")
        line, version = await policy_admin.remove_rule(uow=ctx.uow(), rule_id=rule_id)
        await policy_admin.apply_database_policy(ctx.authorizer, ctx.session_factory)
        return PolicyRulePayload(rule=PolicyRule.from_line(rule_id, line), version=version, user_errors=[])
