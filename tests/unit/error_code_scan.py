"""Reads the source for every user-error code it can raise: `Violation(code, …)`, `refuse(code, …)` and the
helpers that pass their own `code` parameter on to one of them (`_state(…, code="WRONG_STATE")`)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every package whose refusals end up in a payload's userErrors (the domain, and the few input checks made
# at the edge: credentials, uploads, webhooks, the policy editor).
SCANNED = ("domain", "api", "authz", "store")
BUILDERS = {"Violation", "refuse"}


@dataclass
class Found:
    """Codes by where they are raised, messages and rules as first seen, and calls the scan cannot read."""

    places: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    rules: dict[str, set[str | None]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def add(self, code: str, where: str, call: ast.Call, index: int) -> None:
        self.places.setdefault(code, []).append(where)
        self.rules.setdefault(code, set()).add(_rule_of(call))
        if code not in self.messages:
            zh, en = _text(_argument(call, index + 1, "zh")), _text(_argument(call, index + 2, "en"))
            if zh and en:
                self.messages[code] = (zh, en)


def _files(root: Path, packages: Iterable[str]) -> Iterator[Path]:
    for package in packages:
        yield from sorted((root / package).rglob("*.py"))


def _name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    starred = any(isinstance(a, ast.Starred) for a in call.args[: index + 1])
    return call.args[index] if index < len(call.args) and not starred else None


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) else "…" for v in node.values if isinstance(v, ast.expr)
        )
    return None


def _rule_of(call: ast.Call) -> str | None:
    value = _argument(call, 99, "rule")
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return None
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else "?"


def _literals(node: ast.expr | None) -> list[str] | None:
    """The string constants an expression can be, or None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _forwarders(trees: Iterable[tuple[Path, ast.Module]]) -> dict[str, tuple[int, str | None]]:
    """Functions taking `code` that pass it to a builder: name → (index of `code`, its default)."""
    found: dict[str, tuple[int, str | None]] = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            keyword_only = [a.arg for a in node.args.kwonlyargs]
            if ("code" not in names and "code" not in keyword_only) or node.name in BUILDERS:
                continue
            passes = any(
                isinstance(call, ast.Call)
                and _name(call) in BUILDERS
                and isinstance(_argument(call, 0, "code"), ast.Name)
                and _argument(call, 0, "code").id == "code"  # type: ignore[union-attr]
                for call in ast.walk(node)
            )
            if passes and "code" not in names:  # keyword-only: callers name it, so no position
                default = node.args.kw_defaults[keyword_only.index("code")]
                value = default.value if isinstance(default, ast.Constant) else None
                found[node.name] = (len(names) + 99, value if isinstance(value, str) else None)
            elif passes:
                index = names.index("code")
                defaults = node.args.defaults
                offset = len(names) - len(defaults)
                default = defaults[index - offset] if index >= offset else None
                value = default.value if isinstance(default, ast.Constant) else None
                found[node.name] = (index, value if isinstance(value, str) else None)
    return found


def scan(root: Path = ROOT, packages: Iterable[str] = SCANNED) -> Found:
    """Every code the scanned packages can put in a UserError."""
    trees = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in _files(root, packages)]
    forwarders = _forwarders(trees)
    found = Found()
    for name, (_, default) in forwarders.items():
        if default is not None:
            found.places.setdefault(default, []).append(f"default of {name}()")
            found.rules.setdefault(default, set()).add("?")
    for path, tree in trees:
        relative = path.relative_to(root).as_posix()
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        # A helper of this module shadows a forwarder of the same name elsewhere (two `_state`s).
        local = {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        } - set(_forwarders([(path, tree)]))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call)
            if name in BUILDERS:
                index = 0
            elif name in forwarders and name not in local:
                index = forwarders[name][0]
            else:
                continue
            argument = _argument(call, index, "code")
            where = f"{relative}:{call.lineno}"
            if argument is None and name in forwarders:
                continue  # the default, counted above
            codes = _literals(argument)
            if codes is None:
                if _inside_forwarder(call, parents, forwarders) and isinstance(argument, ast.Name):
                    continue  # passes its own `code` on; the callers are read instead
                found.unreadable.append(where)
                continue
            for code in codes:
                found.add(code, where, call, index)
    return found


def _inside_forwarder(node: ast.AST, parents: dict[ast.AST, ast.AST], forwarders: dict[str, object]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name in forwarders or node.name in BUILDERS
    return False
