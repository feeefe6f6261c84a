"""The casbin enforcer, rebuilt on each policy version, with decisions memoised per version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import casbin
from casbin.persist.adapter import Adapter

from authz.admin_powers import admin_may_hold
from authz.explain import Decision, Grant
from authz.operations import Operation
from authz.policy_lines import GROUPING, PolicyLine, read_policy_file
from authz.scopes import ALL_SCOPES, NO_OBJECT, project_facts
from domain.actors import Actor
from domain.errors import Forbidden, NotFound
from domain.ports import Assignment
from domain.projects import Project

HERE = Path(__file__).parent
MODEL_PATH = HERE / "model.conf"
POLICY_PATH = HERE / "policy.csv"

__all__ = ["Authorizer", "Decision", "Grant", "ProjectGate"]


def _scope_holds(facts: str, scope: str) -> bool:
    return scope in facts.split(",")


class _LinesAdapter(Adapter):  # type: ignore[misc]  # pycasbin is untyped: its Adapter base is Any to mypy
    """Hands casbin lines already read (from the file or the database): no parsing, no I/O."""

    def __init__(self, lines: Iterable[PolicyLine]) -> None:
        self._lines = list(lines)

    def load_policy(self, model: casbin.Model) -> None:
        for line in self._lines:
            model.model[line.ptype[0]][line.ptype].policy.append(list(line.values))


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """One policy version: the enforcer built from it and its lines. Replaced whole, never mutated."""

    version: int
    enforcer: casbin.Enforcer
    lines: tuple[PolicyLine, ...]


class Authorizer:
    """Answers "may this actor do this?" from the casbin policy.

    pycasbin has no cached enforcer and one enforce() costs ~0.5 ms, so decisions are memoised per
    (role, operation, scope) for the current policy version — a page of 100 projects costs the same
    enforcer calls as a page of 10, and a new version (see `load`) forgets them all at once.
    """

    def __init__(self, model_path: Path = MODEL_PATH, policy_path: Path = POLICY_PATH) -> None:
        self._model_path = model_path
        self._policy_path = policy_path
        self.enforce_calls = 0
        self.load(read_policy_file(policy_path), version=0)

    @property
    def version(self) -> int:
        """The policy version in force: 0 for the file, the database's counter once loaded from there."""
        return self._snapshot.version

    @property
    def lines(self) -> tuple[PolicyLine, ...]:
        return self._snapshot.lines

    def load(self, lines: Iterable[PolicyLine], *, version: int) -> None:
        """Put a policy version in force; the memoised decisions of the previous one are dropped with it."""
        kept = tuple(lines)
        enforcer = casbin.Enforcer(str(self._model_path), _LinesAdapter(kept))
        enforcer.add_function("scopeHolds", _scope_holds)
        self._snapshot = _Snapshot(version=version, enforcer=enforcer, lines=kept)
        self._decisions: dict[tuple[str, str], dict[str, bool]] = {}
        self._grants: dict[tuple[str, str], tuple[Grant, ...]] = {}

    def forget(self) -> None:
        """Drop memoised decisions (benchmarks measure the cold cost of a request with it)."""
        self._decisions.clear()
        self._grants.clear()

    def reload(self) -> None:
        """Re-read the policy file (file-based authorizers only)."""
        self.load(read_policy_file(self._policy_path), version=self.version)

    def allowed(self, actor: Actor, operation: Operation, facts: frozenset[str] = NO_OBJECT) -> bool:
        if actor.read_only and operation.writes:
            return False
        if not admin_may_hold(actor.role, operation.value):  # R3.1, whatever the policy was edited to say
            return False
        table = self._scope_table(actor.role, operation.value)
        for scope in facts:
            if scope not in table:  # a scope ALL_SCOPES does not list yet: ask once, remember
                table[scope] = self.enforce(actor.role, operation.value, frozenset({scope}))
            if table[scope]:
                return True
        return False

    def _scope_table(self, role: str, operation: str) -> dict[str, bool]:
        """Whether each single scope suffices for (role, operation), asked of casbin once per version.

        Each policy line needs exactly one scope and the effect is "some line allows", so a set of facts
        is allowed exactly when one of its scopes alone is. Asking per scope instead of per fact set makes
        the number of enforcer calls of a request independent of which projects are on the page
        (tests/authz/test_explain.py proves the equivalence over every subset of scopes).
        """
        key = (role, operation)
        table = self._decisions.get(key)
        if table is None:
            table = {scope: self.enforce(role, operation, frozenset({scope})) for scope in ALL_SCOPES}
            self._decisions[key] = table
        return table

    def enforce(self, role: str, operation: str, facts: frozenset[str]) -> bool:
        """One casbin decision, not memoised (counted in `enforce_calls`)."""
        self.enforce_calls += 1
        return bool(self._snapshot.enforcer.enforce(role, operation, ",".join(sorted(facts))))

    def explain(self, actor: Actor, operation: Operation, facts: frozenset[str] = NO_OBJECT) -> Decision:
        """The decision with its reason: the policy line that allows it, or what is missing."""
        granted = self.grants(actor.role, operation)
        if actor.read_only and operation.writes:
            return Decision(operation=operation, allowed=False, code=Decision.READ_ONLY, role=actor.role)
        if self.allowed(actor, operation, facts):
            grant = next((g for g in granted if g.scope in facts), granted[0] if granted else None)
            return Decision(
                operation=operation, allowed=True, code=Decision.GRANTED, role=actor.role, grant=grant
            )
        if not granted:
            return Decision(operation=operation, allowed=False, code=Decision.NO_GRANT, role=actor.role)
        return Decision(
            operation=operation,
            allowed=False,
            code=Decision.OUT_OF_SCOPE,
            role=actor.role,
            grant=granted[0],
            needed=tuple(sorted({g.scope for g in granted})),
        )

    def grants(self, role: str, operation: Operation) -> list[Grant]:
        """The policy lines that give this role the operation, directly or through a group."""
        key = (role, operation.value)
        found = self._grants.get(key)
        if found is None and not admin_may_hold(role, operation.value):
            found = self._grants[key] = ()
        if found is None:
            enforcer = self._snapshot.enforcer
            roles = {role, *enforcer.get_implicit_roles_for_user(role)}
            found = tuple(
                Grant(role=r, operation=op, scope=scope, article=article)
                for r, op, scope, article in enforcer.get_policy()
                if r in roles and op == operation.value
            )
            self._grants[key] = found
        return list(found)

    def roles_of(self, role: str) -> set[str]:
        """The role and every group it belongs to, directly or through other groups."""
        return {role, *self._snapshot.enforcer.get_implicit_roles_for_user(role)}

    def groups(self) -> list[tuple[str, str]]:
        """(member, group) pairs of the policy in force."""
        return [(line.values[0], line.values[1]) for line in self.lines if line.ptype == GROUPING]

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

    def check(self, project: Project, document: Assignment | None = None) -> None:
        """`document`: for steps on one approval document, whose assigned evaluator is the one that counts."""
        if self._authorizer.allowed(self._actor, self._op, project_facts(self._actor, project, document)):
            return
        # A project the actor may not even read must look exactly like a missing one.
        if project.id is not None and not self._authorizer.can_read(self._actor, project):
            raise NotFound("Project", project.id)
        raise Forbidden(self.operation)
