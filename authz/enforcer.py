"""The casbin enforcer, built once, with decisions memoised per policy version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import casbin

from authz.operations import Operation
from authz.scopes import NO_OBJECT, project_facts
from domain.actors import Actor
from domain.errors import Forbidden, NotFound
from domain.projects import Project

HERE = Path(__file__).parent
MODEL_PATH = HERE / "model.conf"
POLICY_PATH = HERE / "policy.csv"


def _scope_holds(facts: str, scope: str) -> bool:
    return scope in facts.split(",")


@dataclass(frozen=True, slots=True)
class Grant:
    """A policy line that applies: the scope it needs and the article that gives the power."""

    role: str
    operation: str
    scope: str
    article: str


class Authorizer:
    """Answers "may this actor do this?" from the casbin policy.

    pycasbin has no cached enforcer and one enforce() costs ~0.5 ms, so decisions are memoised by
    (role, operation, facts) — a page of 100 projects costs as many enforcer calls as distinct fact sets.
    """

    def __init__(self, model_path: Path = MODEL_PATH, policy_path: Path = POLICY_PATH) -> None:
        self._enforcer = casbin.Enforcer(str(model_path), str(policy_path))
        self._enforcer.add_function("scopeHolds", _scope_holds)
        self._decisions: dict[tuple[str, str, frozenset[str]], bool] = {}
        self.enforce_calls = 0

    def reload(self) -> None:
        """Re-read the policy and forget every memoised decision."""
        self._enforcer.load_policy()
        self._decisions.clear()

    def allowed(self, actor: Actor, operation: Operation, facts: frozenset[str] = NO_OBJECT) -> bool:
        if actor.read_only and operation.writes:
            return False
        key = (actor.role, operation.value, facts)
        decision = self._decisions.get(key)
        if decision is None:
            self.enforce_calls += 1
            decision = bool(self._enforcer.enforce(actor.role, operation.value, ",".join(sorted(facts))))
            self._decisions[key] = decision
        return decision

    def grants(self, role: str, operation: Operation) -> list[Grant]:
        """The policy lines that give this role the operation, directly or through a group."""
        roles = {role, *self._enforcer.get_implicit_roles_for_user(role)}
        return [
            Grant(role=r, operation=op, scope=scope, article=article)
            for r, op, scope, article in self._enforcer.get_policy()
            if r in roles and op == operation.value
        ]

    def scopes(self, actor: Actor, operation: Operation) -> frozenset[str]:
        """The scopes under which the actor may perform the operation: the input of SQL list filtering."""
        if actor.read_only and operation.writes:
            return frozenset()
        return frozenset(g.scope for g in self.grants(actor.role, operation))

    def operations(self, actor: Actor) -> list[Operation]:
        """Every operation the actor's role may perform on at least some objects."""
        return [op for op in Operation if self.scopes(actor, op)]

    def require(self, actor: Actor, operation: Operation) -> None:
        """For operations on no particular object."""
        if not self.allowed(actor, operation):
            raise Forbidden(operation.value)

    def gate(self, actor: Actor, operation: Operation) -> ProjectGate:
        return ProjectGate(self, actor, operation)

    def can_read(self, actor: Actor, project: Project) -> bool:
        return self.allowed(actor, Operation.PROJECT_READ, project_facts(actor, project))


class ProjectGate:
    """The decision for one operation on one project, applied by a use case once the project is loaded."""

    def __init__(self, authorizer: Authorizer, actor: Actor, operation: Operation) -> None:
        self._authorizer = authorizer
        self._actor = actor
        self.operation = operation.value
        self._op = operation

    def check(self, project: Project) -> None:
        if self._authorizer.allowed(self._actor, self._op, project_facts(self._actor, project)):
            return
        # A project the actor may not even read must look exactly like a missing one.
        if project.id is not None and not self._authorizer.can_read(self._actor, project):
            raise NotFound("Project", project.id)
        raise Forbidden(self.operation)
